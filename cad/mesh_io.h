// SPDX-License-Identifier: MIT
#pragma once
// Meshes and point clouds in and out. Meshes go through Assimp (STL, OBJ, PLY, OFF, glTF);
// point clouds also through plain XYZ text and our labelled binary PLY.

#include "cad/geometry/point_cloud.h"
#include "cad/geometry/triangle_mesh.h"

#include <filesystem>

namespace img2cad::cad {

/// Writes a mesh by extension: .stl (binary), .obj (no material file), .ply (binary),
/// .glb (glTF 2 binary). Atomic. Throws cad::Error for an unknown extension, an empty mesh or
/// a failed write.
void writeMesh(const TriangleMesh& mesh, const std::filesystem::path& path);
bool isMeshExtension(const std::filesystem::path& path);

/// Reads a triangle mesh (STL, OBJ, PLY, OFF, glTF/GLB; all meshes of the scene merged with
/// their node transforms applied). A file with vertices but no faces gives a mesh with no
/// triangles. Throws cad::Error for a missing, unreadable or unsupported file.
TriangleMesh readMesh(const std::filesystem::path& path);

/// Writes a point cloud by extension: .ply (binary little-endian, with normals, face index and
/// primitive type when present) or .xyz (text "x y z [nx ny nz]" per line). Atomic.
void writePointCloud(const PointCloud& cloud, const std::filesystem::path& path);

/// Reads points from .xyz text, or the vertices (and normals) of any file readMesh reads.
/// Throws cad::Error for a missing or malformed file or one without points.
PointCloud readPointCloud(const std::filesystem::path& path);
bool isPointCloudExtension(const std::filesystem::path& path);

} // namespace img2cad::cad
