// SPDX-License-Identifier: MIT
#pragma once
// Tessellated geometry as plain arrays: what the viewer draws, the sampler samples and the
// mesh writers export. Faces keep the index of the BRep face they came from.

#include "cad/geometry/primitive_type.h"
#include "cad/geometry/vec.h"

#include <array>
#include <cstdint>
#include <vector>

namespace img2cad::cad {

struct TriangleMesh {
    std::vector<Vec3f> positions;
    /// Per-vertex unit normals; empty when unknown (e.g. an imported STL).
    std::vector<Vec3f> normals;
    /// Counter-clockwise seen from outside the solid.
    std::vector<std::array<std::uint32_t, 3>> triangles;
    /// Per triangle: index of the BRep face it belongs to (into `facePrimitives`); empty for
    /// meshes that do not come from a BRep.
    std::vector<std::int32_t> triangleFaces;
    /// Per BRep face: its surface type.
    std::vector<PrimitiveType> facePrimitives;
    /// BRep edges as polylines (feature edges, not mesh edges), for drawing.
    std::vector<std::vector<Vec3f>> featureEdges;

    bool empty() const { return triangles.empty(); }
    BoundingBox bounds() const { return boundsOf(positions); }
};

} // namespace img2cad::cad
