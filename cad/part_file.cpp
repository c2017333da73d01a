// SPDX-License-Identifier: MIT
#include "cad/part_file.h"

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/error.h"
#include "cad/internal/file_names.h"
#include "cad/mesh_io.h"
#include "cad/point_cloud_io.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"

namespace img2cad::cad {
namespace fs = std::filesystem;

PartFile readPartFile(const fs::path& path) {
    PartFile part;
    part.kind = detectFileKind(path);
    switch (part.kind) {
    case FileKind::Program:
        part.program = readProgram(path);
        break;
    case FileKind::Sequence: {
        ImportedSequence imported = importSequenceFile(path);
        part.program = std::move(imported.program);
        part.recordedVolume = imported.recordedVolume;
        break;
    }
    case FileKind::Shape:
        part.shape = readShapeFile(path);
        break;
    case FileKind::Mesh:
        part.mesh = readMesh(path);
        break;
    case FileKind::PointCloud:
        part.cloud = readPointCloud(path);
        break;
    }
    part.name =
        part.program && !part.program->name.empty() ? part.program->name : path.stem().string();
    if (part.program) {
        try {
            part.shape = compile(*part.program);
        } catch (const Error& error) {
            throw Error(path.string() + ": does not compile: " + error.what(), error.where());
        }
    }
    return part;
}

void writePartFile(const PartFile& part, const fs::path& output, const PartExportOptions& options) {
    const std::string ext = lowerExtension(output);
    if (ext == ".json") {
        if (!part.program)
            throw Error("only programs and construction sequences can be written as program "
                        "JSON; this part is a " +
                        std::string(fileKindName(part.kind)));
        writeProgram(*part.program, output);
    } else if (isShapeFile(output)) {
        if (part.shape.isNull())
            throw Error("a " + std::string(fileKindName(part.kind)) +
                        " cannot become exact geometry (STEP/BREP): meshes and point clouds have "
                        "no BRep");
        if (ext == ".brep")
            writeBrep(part.shape, output);
        else
            writeStep(part.shape, output, {part.name});
    } else if (ext == ".xyz") {
        PointCloud cloud;
        if (part.cloud)
            cloud = *part.cloud;
        else if (part.mesh)
            cloud = samplePoints(*part.mesh, options.pointCount, options.seed);
        else
            cloud = samplePoints(tessellate(part.shape), options.pointCount, options.seed);
        writePointCloud(cloud, output);
    } else if (isMeshExtension(output)) {
        if (part.cloud) throw Error("a point cloud has no surface to write as a mesh");
        writeMesh(part.mesh ? *part.mesh : tessellate(part.shape), output);
    } else {
        throw Error(output.string() + ": unknown output type '" + ext +
                    "' (expected .step, .stp, .brep, .stl, .obj, .ply, .glb, .xyz or .json)");
    }
}

std::vector<std::string> exportFormats(const PartFile& part) {
    std::vector<std::string> formats;
    if (!part.shape.isNull()) formats.push_back("STEP (*.step *.stp)");
    if (!part.cloud) {
        formats.push_back("STL (*.stl)");
        formats.push_back("OBJ (*.obj)");
        formats.push_back("glTF binary (*.glb)");
        formats.push_back("PLY mesh (*.ply)");
    }
    formats.push_back("Point cloud (*.xyz)");
    if (part.program) formats.push_back("Program JSON (*.json)");
    if (!part.shape.isNull()) formats.push_back("OCC BREP (*.brep)");
    return formats;
}

} // namespace img2cad::cad
