// SPDX-License-Identifier: MIT
#pragma once
// Private bridge between the opaque cad::Shape and OCC's TopoDS_Shape. Only cad/ sources and
// its tests include this.

#include "cad/shape.h"

#include <TopoDS_Shape.hxx>

namespace img2cad::cad {

struct Shape::Impl {
    TopoDS_Shape shape;
};

inline Shape wrapOcc(const TopoDS_Shape& shape) {
    return Shape(std::make_shared<const Shape::Impl>(Shape::Impl{shape}));
}

/// The OCC shape behind a handle; a null TopoDS_Shape for a null handle.
inline const TopoDS_Shape& unwrapOcc(const Shape& shape) {
    static const TopoDS_Shape kNull;
    return shape.impl() ? shape.impl()->shape : kNull;
}

} // namespace img2cad::cad
