// SPDX-License-Identifier: MIT
#pragma once

#include "cad/geometry/point_cloud.h"
#include "cad/geometry/triangle_mesh.h"

#include <cstddef>
#include <cstdint>

namespace img2cad::cad {

constexpr std::size_t kDefaultPointCount = 4096;

/// Area-uniform random points on the mesh surface, with interpolated normals, the BRep face
/// index and that face's primitive type per point (when the mesh carries them). The same
/// mesh and seed give the same points on every machine. Throws cad::Error for an empty mesh.
PointCloud samplePoints(const TriangleMesh& mesh, std::size_t count = kDefaultPointCount,
                        std::uint64_t seed = 0);

} // namespace img2cad::cad
