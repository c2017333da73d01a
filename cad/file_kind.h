// SPDX-License-Identifier: MIT
#pragma once
// What a file holds, decided from its extension and, where the extension is ambiguous
// (.json, .ply), from its content. The CLI and the window use it to route dropped files.

#include <filesystem>

namespace img2cad::cad {

enum class FileKind {
    Program,    ///< our canonical program JSON
    Sequence,   ///< DeepCAD / Fusion 360 Gallery JSON
    Shape,      ///< STEP or BREP
    Mesh,       ///< STL, OBJ, OFF, glTF, PLY with faces
    PointCloud, ///< XYZ, PLY without faces
};

const char* fileKindName(FileKind kind);

/// Throws cad::Error for a missing or unreadable file, or one of no kind above.
FileKind detectFileKind(const std::filesystem::path& path);

} // namespace img2cad::cad
