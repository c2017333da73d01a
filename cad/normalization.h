// SPDX-License-Identifier: MIT
#pragma once
// DeepCAD-style normalisation, kept reversible: centre the part's bounding box on the origin
// and scale it uniformly so its longest side is 1 (the part fits [-0.5, 0.5]^3). Chamfer
// distances in this project are measured in that frame.

#include "cad/geometry/point_cloud.h"
#include "cad/geometry/triangle_mesh.h"
#include "cad/program.h"

namespace img2cad::cad {

struct Normalization {
    Vec3 center;        ///< subtracted first (model units, mm)
    double scale = 1.0; ///< then multiplied

    /// Throws cad::Error for an empty or degenerate (zero-size) box.
    static Normalization toUnitCube(const BoundingBox& box);

    Vec3 apply(Vec3 p) const { return (p - center) * scale; }
    Vec3 invert(Vec3 p) const { return p * (1.0 / scale) + center; }
    PointCloud apply(PointCloud cloud) const;
    PointCloud invert(PointCloud cloud) const;
    TriangleMesh apply(TriangleMesh mesh) const;
    /// The same map on a program: sketch planes moved, lengths (curves, extents) scaled, so
    /// that it compiles to the mapped solid.
    Program apply(Program program) const;
    Program invert(Program program) const;
};

/// The cloud in its own unit cube (its bounding box centred, longest side 1): how shapes whose
/// scale and position are unknown, a photo's, are compared. Throws as toUnitCube.
PointCloud inOwnUnitCube(PointCloud cloud);

} // namespace img2cad::cad
