// SPDX-License-Identifier: MIT
#pragma once
// Any file the app opens or writes, in the richest form we can make of it: programs and
// construction sequences are compiled to a solid, STEP/BREP read as exact geometry, meshes and
// point clouds as they are. The CLI (`info`, `convert`) and the window share these two
// functions, so a file opens and exports the same way everywhere.

#include "cad/file_kind.h"
#include "cad/geometry/point_cloud.h"
#include "cad/geometry/triangle_mesh.h"
#include "cad/program.h"
#include "cad/shape.h"

#include <filesystem>
#include <optional>
#include <string>

namespace img2cad::cad {

struct PartFile {
    FileKind kind{};
    std::string name; ///< the program's name, else the file's stem
    std::optional<Program> program;
    std::optional<double> recordedVolume; ///< Fusion 360 sequences record their volume (mm^3)
    Shape shape;                          ///< null for meshes and point clouds
    std::optional<TriangleMesh> mesh;     ///< meshes as read (shapes are tessellated on demand)
    std::optional<PointCloud> cloud;
};

/// Reads and, for programs, compiles. Throws cad::Error with the file's name and the reason.
PartFile readPartFile(const std::filesystem::path& path);

struct PartExportOptions {
    std::size_t pointCount = 4096; ///< when the output is a point cloud (.xyz)
    std::uint64_t seed = 0;
};

/// Writes `part` as the output's extension says: .json (program), .step/.stp/.brep (exact),
/// .stl/.obj/.ply/.glb/.gltf (mesh), .xyz (points). Atomic. Throws cad::Error for a kind the
/// part cannot become (a mesh has no BRep, a cloud no surface, only programs become JSON).
void writePartFile(const PartFile& part, const std::filesystem::path& output,
                   const PartExportOptions& options = {});

/// File-dialog filters of what writePartFile can write for this part, e.g. "STEP (*.step)".
std::vector<std::string> exportFormats(const PartFile& part);

} // namespace img2cad::cad
