// SPDX-License-Identifier: MIT
#pragma once
// Point clouds in and out: plain XYZ text, our labelled binary PLY, and the vertices of any mesh
// file readMesh reads.

#include "cad/geometry/point_cloud.h"

#include <filesystem>

namespace img2cad::cad {

/// Writes a point cloud by extension: .ply (binary little-endian, with normals, face index and
/// primitive type when present) or .xyz (text "x y z [nx ny nz]" per line). Atomic.
void writePointCloud(const PointCloud& cloud, const std::filesystem::path& path);

/// Reads points from .xyz text, or the vertices (and normals) of any file readMesh reads.
/// Throws cad::Error for a missing or malformed file or one without points.
PointCloud readPointCloud(const std::filesystem::path& path);
bool isPointCloudExtension(const std::filesystem::path& path);

} // namespace img2cad::cad
