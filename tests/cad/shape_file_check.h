// SPDX-License-Identifier: MIT
#pragma once
// The full treatment of one real STEP/BREP file nobody here designed: import, check, tessellate,
// sample, re-export as STEP and re-import. Shared by TestRealShapeFiles (which asserts) and
// bench_real_shapes (which prints the table in docs/real-parts.md).

#include "cad/error.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>

namespace img2cad::test {

struct ShapeFileCheck {
    std::string file;
    bool imported = false;
    cad::ShapeReport report;
    std::size_t triangles = 0;
    std::size_t points = 0;
    /// Re-imported STEP has the same faces and volume. The volume tolerance is 1e-4 relative:
    /// third-party files carry approximate edges whose p-curves OCC re-projects on each import
    /// (seen: 1e-6 to 2e-5 here). Our own compiled programs round-trip at 1e-6 (see
    /// TestRealSequences).
    bool roundTripOk = false;
    double volumeRelativeError = 0;
    std::string failure; ///< the first error, empty when every step passed
    double importMs = 0, tessellateMs = 0, sampleMs = 0, roundTripMs = 0;
};

inline ShapeFileCheck checkShapeFile(const std::filesystem::path& path,
                                     const std::filesystem::path& scratch,
                                     const cad::TessellationOptions& meshing = {}) {
    using Clock = std::chrono::steady_clock;
    const auto msSince = [](Clock::time_point start) {
        return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    };
    ShapeFileCheck check;
    check.file = path.filename().string();
    try {
        auto start = Clock::now();
        const cad::Shape shape = cad::readShapeFile(path);
        check.importMs = msSince(start);
        check.imported = true;
        check.report = cad::analyse(shape);

        start = Clock::now();
        const cad::TriangleMesh mesh = cad::tessellate(shape, meshing);
        check.tessellateMs = msSince(start);
        check.triangles = mesh.triangles.size();
        if (!mesh.empty()) {
            start = Clock::now();
            check.points = cad::samplePoints(mesh, cad::kDefaultPointCount, 1).size();
            check.sampleMs = msSince(start);
        }

        start = Clock::now();
        const std::filesystem::path step = scratch / (path.stem().string() + ".step");
        cad::writeStep(shape, step, {path.stem().string()});
        const cad::ShapeReport again = cad::analyse(cad::readStep(step));
        std::filesystem::remove(step);
        check.roundTripMs = msSince(start);
        check.volumeRelativeError = std::fabs(again.volume - check.report.volume) /
                                    std::fmax(1e-12, std::fabs(check.report.volume));
        check.roundTripOk = again.faces == check.report.faces &&
                            (check.report.solids == 0 || check.volumeRelativeError <= 1e-4);
        if (!check.roundTripOk)
            check.failure =
                "STEP round trip changed the part: " + std::to_string(check.report.faces) + " -> " +
                std::to_string(again.faces) + " faces, relative volume error " +
                std::to_string(check.volumeRelativeError);
    } catch (const cad::Error& error) {
        check.failure = error.what();
    }
    return check;
}

} // namespace img2cad::test
