// SPDX-License-Identifier: MIT
#pragma once
// An opaque handle to a BRep shape (a solid or a compound of solids), so that layers above
// cad/ hold shapes without including OpenCASCADE. Cheap to copy; immutable once made.

#include <memory>

namespace img2cad::cad {

class Shape {
public:
    Shape() = default;
    bool isNull() const;

    struct Impl; // defined in cad/internal/occ_shape.h
    explicit Shape(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    const Impl* impl() const { return m_impl.get(); }

private:
    std::shared_ptr<const Impl> m_impl;
};

} // namespace img2cad::cad
