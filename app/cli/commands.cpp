// SPDX-License-Identifier: MIT
#include "commands.h"

#include "cad/error.h"
#include "cad/file_kind.h"
#include "cad/internal/file_names.h"
#include "cad/mesh_io.h"
#include "cad/part_file.h"
#include "cad/point_cloud_io.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

namespace img2cad::app {
namespace {

using namespace img2cad::cad;
namespace fs = std::filesystem;

nlohmann::ordered_json toJson(const BoundingBox& box) {
    if (box.isEmpty()) return nullptr;
    return {{"min", {box.min.x, box.min.y, box.min.z}}, {"max", {box.max.x, box.max.y, box.max.z}}};
}

std::string describe(const BoundingBox& box) {
    if (box.isEmpty()) return "empty";
    std::ostringstream text;
    text << "(" << box.min.x << ", " << box.min.y << ", " << box.min.z << ") .. (" << box.max.x
         << ", " << box.max.y << ", " << box.max.z << ")";
    return text.str();
}

} // namespace

int runCompile(const CompileRequest& request) {
    const FileKind kind = detectFileKind(request.input);
    if (kind != FileKind::Program && kind != FileKind::Sequence)
        throw Error(request.input +
                    ": not a program (expected program JSON or DeepCAD / Fusion "
                    "360 JSON, found a " +
                    fileKindName(kind) + ")");
    const PartFile loaded = readPartFile(request.input);
    if (lowerExtension(request.output) == ".brep")
        writeBrep(loaded.shape, request.output);
    else
        writeStep(loaded.shape, request.output, {loaded.name});
    std::cout << "wrote " << request.output << "\n";
    if (!request.stl.empty() || !request.points.empty()) {
        const TriangleMesh mesh = tessellate(loaded.shape);
        if (!request.stl.empty()) {
            writeMesh(mesh, request.stl);
            std::cout << "wrote " << request.stl << "\n";
        }
        if (!request.points.empty()) {
            writePointCloud(samplePoints(mesh, request.pointCount, request.seed), request.points);
            std::cout << "wrote " << request.points << "\n";
        }
    }
    return 0;
}

int runInfo(const std::string& path, bool asJson) {
    const PartFile loaded = readPartFile(path);
    nlohmann::ordered_json info = {{"file", path}, {"kind", fileKindName(loaded.kind)}};
    if (loaded.program) {
        info["extrudes"] = loaded.program->extrudes.size();
        info["curves"] = curveCount(*loaded.program);
    }
    if (loaded.recordedVolume) info["recorded_volume_mm3"] = *loaded.recordedVolume;
    if (!loaded.shape.isNull()) {
        const ShapeReport report = analyse(loaded.shape);
        info["valid"] = report.valid;
        if (!report.valid) info["invalid_reason"] = report.invalidReason;
        info["solids"] = report.solids;
        info["shells"] = report.shells;
        info["faces"] = report.faces;
        info["edges"] = report.edges;
        info["vertices"] = report.vertices;
        info["volume_mm3"] = report.volume;
        info["area_mm2"] = report.area;
        info["watertight"] = report.watertight;
        info["hanging_face_ratio"] = report.hangingFaceRatio;
        info["bbox_mm"] = toJson(report.bbox);
    }
    if (loaded.mesh) {
        info["vertices"] = loaded.mesh->positions.size();
        info["triangles"] = loaded.mesh->triangles.size();
        info["bbox_mm"] = toJson(loaded.mesh->bounds());
    }
    if (loaded.cloud) {
        info["points"] = loaded.cloud->size();
        info["has_normals"] = !loaded.cloud->normals.empty();
        info["bbox_mm"] = toJson(loaded.cloud->bounds());
    }
    if (asJson) {
        std::cout << info.dump(2) << "\n";
        return 0;
    }
    for (const auto& item : info.items()) {
        std::cout << item.key() << ": ";
        if (item.key() == "bbox_mm") {
            BoundingBox box;
            if (!item.value().is_null()) {
                const auto& lo = item.value()["min"];
                const auto& hi = item.value()["max"];
                box.add({lo[0].get<double>(), lo[1].get<double>(), lo[2].get<double>()});
                box.add({hi[0].get<double>(), hi[1].get<double>(), hi[2].get<double>()});
            }
            std::cout << describe(box) << "\n";
        } else if (item.value().is_string()) {
            std::cout << item.value().get<std::string>() << "\n";
        } else {
            std::cout << item.value().dump() << "\n";
        }
    }
    return 0;
}

int runConvert(const ConvertRequest& request) {
    writePartFile(readPartFile(request.input), request.output, {request.pointCount, request.seed});
    std::cout << "wrote " << request.output << "\n";
    return 0;
}

} // namespace img2cad::app
