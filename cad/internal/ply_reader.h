// SPDX-License-Identifier: MIT
#pragma once
// Our PLY reader (ASCII and binary, any element layout), shared by the point-cloud reader (which
// keeps the per-point labels Assimp drops) and the mesh reader (Assimp 5.2's PLY importer
// crashes on malformed files; found by fuzz/fuzz_part_file).

#include "cad/geometry/point_cloud.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace img2cad::cad {

struct PlyContents {
    PointCloud cloud; ///< the vertex element: positions, normals, face and primitive labels
    std::vector<std::array<std::uint32_t, 3>> triangles; ///< faces as fans (withFaces only)
};

/// Throws cad::Error naming the file for anything malformed or truncated, and for face indices
/// past the vertices.
PlyContents readPly(const std::filesystem::path& path, bool withFaces);

} // namespace img2cad::cad
