// SPDX-License-Identifier: MIT
#include "cad/file_kind.h"

#include "cad/atomic_file.h"
#include "cad/deepcad_import.h"
#include "cad/error.h"
#include "cad/internal/file_names.h"
#include "cad/mesh_io.h"
#include "cad/point_cloud_io.h"
#include "cad/program_json.h"
#include "cad/step_io.h"
#include "cad/text_file.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace img2cad::cad {
namespace {

/// A PLY whose header declares faces is a mesh; otherwise it is a point cloud.
bool plyHasFaces(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    for (int lines = 0; lines < 200 && std::getline(in, line); ++lines) {
        if (line.rfind("end_header", 0) == 0) break;
        std::istringstream words(line);
        std::string keyword, element;
        long long count = 0;
        if (words >> keyword >> element >> count && keyword == "element" && element == "face")
            return count > 0;
    }
    return false;
}

} // namespace

const char* fileKindName(FileKind kind) {
    switch (kind) {
    case FileKind::Program:
        return "program";
    case FileKind::Sequence:
        return "construction sequence";
    case FileKind::Shape:
        return "BRep shape";
    case FileKind::Mesh:
        return "mesh";
    case FileKind::PointCloud:
        return "point cloud";
    }
    return "?";
}

FileKind detectFileKind(const std::filesystem::path& path) {
    requireReadableFile(path);
    const std::string ext = lowerExtension(path);
    if (ext == ".json") {
        const std::string text = readTextFile(path);
        if (looksLikeSequenceJson(text)) return FileKind::Sequence;
        return FileKind::Program; // the program reader explains what is wrong, if anything
    }
    if (isShapeFile(path)) return FileKind::Shape;
    if (ext == ".ply") return plyHasFaces(path) ? FileKind::Mesh : FileKind::PointCloud;
    if (ext == ".xyz") return FileKind::PointCloud;
    if (isMeshExtension(path)) return FileKind::Mesh;
    throw Error(
        path.string() + ": unknown file type '" + ext +
        "' (expected .json, .step, .stp, .brep, .stl, .obj, .ply, .off, .gltf, .glb or .xyz)");
}

} // namespace img2cad::cad
