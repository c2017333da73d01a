// SPDX-License-Identifier: MIT
#pragma once
// Small OCC shapes built in code for the tessellation, sampling and topology tests.

#include "cad/internal/occ_shape.h"

#include <BRepAlgoAPI_Cut.hxx>
#include <BRepPrimAPI_MakeBox.hxx>
#include <BRepPrimAPI_MakeCylinder.hxx>
#include <gp_Ax2.hxx>
#include <gp_Dir.hxx>
#include <gp_Pnt.hxx>

namespace img2cad::test {

inline TopoDS_Shape makeOccBox(double dx, double dy, double dz) {
    return BRepPrimAPI_MakeBox(dx, dy, dz).Shape();
}

/// A `side` cube with a through hole of `radius` along z, centred: the hole wall is a
/// reversed cylindrical face.
inline TopoDS_Shape makeOccBoxWithHole(double side, double radius) {
    const TopoDS_Shape box = makeOccBox(side, side, side);
    const gp_Ax2 axis(gp_Pnt(side / 2, side / 2, -1.0), gp_Dir(0, 0, 1));
    const TopoDS_Shape tool = BRepPrimAPI_MakeCylinder(axis, radius, side + 2.0).Shape();
    BRepAlgoAPI_Cut cut(box, tool);
    cut.Build();
    return cut.Shape();
}

} // namespace img2cad::test
