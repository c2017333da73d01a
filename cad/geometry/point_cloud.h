// SPDX-License-Identifier: MIT
#pragma once

#include "cad/geometry/primitive_type.h"
#include "cad/geometry/vec.h"

#include <cstdint>
#include <vector>

namespace img2cad::cad {

/// Points with optional per-point attributes. An attribute vector is either empty (absent) or
/// exactly as long as `positions`.
struct PointCloud {
    std::vector<Vec3f> positions;
    std::vector<Vec3f> normals;
    /// Index of the BRep face each point was sampled from.
    std::vector<std::int32_t> faceIndices;
    std::vector<PrimitiveType> primitives;

    std::size_t size() const { return positions.size(); }
    bool empty() const { return positions.empty(); }
    BoundingBox bounds() const { return boundsOf(positions); }
};

} // namespace img2cad::cad
