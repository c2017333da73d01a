// SPDX-License-Identifier: MIT
#pragma once
// Measures of a BRep used by `info`, the tests and the paper's HF metric (appendix A).

#include "cad/geometry/vec.h"
#include "cad/shape.h"

#include <string>

namespace img2cad::cad {

struct ShapeReport {
    bool valid = false;        ///< BRepCheck_Analyzer says the shape is valid
    std::string invalidReason; ///< first problem BRepCheck found, when not valid
    int solids = 0;
    int shells = 0;
    int faces = 0;
    int edges = 0;
    int vertices = 0;
    double volume = 0.0; ///< mm^3 (0 for shapes without solids)
    double area = 0.0;   ///< mm^2
    BoundingBox bbox;    ///< tight box of the exact geometry
    int freeEdges = 0;   ///< edges bounded by fewer than two faces
    /// Share of faces with at least one edge not shared by two faces (HF, appendix A).
    double hangingFaceRatio = 0.0;
    bool watertight = false; ///< has faces and no free edge
};

/// Throws cad::Error for a null shape.
ShapeReport analyse(const Shape& shape);

/// The tight box of the exact geometry alone (ShapeReport::bbox without the rest of analyse's
/// work: no check, no volumes). Throws cad::Error for a null shape.
BoundingBox boundingBox(const Shape& shape);

} // namespace img2cad::cad
