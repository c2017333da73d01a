// SPDX-License-Identifier: MIT
#pragma once
// Triangle meshes in and out, through Assimp (STL, OBJ, PLY, OFF, glTF).

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

} // namespace img2cad::cad
