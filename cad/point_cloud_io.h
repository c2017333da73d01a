// SPDX-License-Identifier: MIT
#pragma once
// Point clouds in and out: plain XYZ text, and binary PLY that keeps our per-point labels.

#include "cad/geometry/point_cloud.h"

#include <filesystem>

namespace img2cad::cad {

/// Writes by extension: .ply (binary little-endian: float x y z, float nx ny nz, int face and
/// uchar primitive, each group only when present) or .xyz (text "x y z [nx ny nz]" per
/// line). Atomic. Throws cad::Error for an empty cloud or an unknown extension.
void writePointCloud(const PointCloud& cloud, const std::filesystem::path& path);

/// Reads .xyz text, the vertex element of any PLY (ascii or binary, labels included when
/// present), or the vertices and normals of any mesh file readMesh reads. Throws cad::Error
/// naming the line or property at fault, or for a file without points.
PointCloud readPointCloud(const std::filesystem::path& path);

/// .xyz and .ply (a PLY may also be a mesh: see detectFileKind).
bool isPointCloudExtension(const std::filesystem::path& path);

} // namespace img2cad::cad
