// SPDX-License-Identifier: MIT
#pragma once

#include "cad/geometry/triangle_mesh.h"
#include "cad/shape.h"

namespace img2cad::cad {

/// The paper's meshing settings (section 4.1): linear deflection 0.001 and angular 0.1 rad,
/// the linear one relative to the part (multiplied by the largest side of its bounding box,
/// i.e. measured on the unit-cube-normalised part).
struct TessellationOptions {
    double linearDeflection = 0.001;
    double angularDeflection = 0.1;
    bool relativeToPartSize = true;
};

/// Triangulates every face (BRepMesh), with per-vertex normals from the exact surface,
/// per-triangle BRep face index, per-face primitive type and the BRep edges as polylines.
/// Throws cad::Error for a null shape or a meshing failure.
TriangleMesh tessellate(const Shape& shape, const TessellationOptions& options = {});

} // namespace img2cad::cad
