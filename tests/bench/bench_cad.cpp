// SPDX-License-Identifier: MIT
// CAD core throughput on this machine: programs compiled per second, points sampled per second
// and STEP bytes written per second, on real construction sequences (../shared/data, when
// present), the shipped sample and generated parts; and a program fit's trial (compile, coarse
// mesh, 600 points: cad/program_fit.cpp) with face unification and the validity check and, as
// the fit runs it, without them. Prints a markdown table.
//
// Absolute speed drifts on shared machines, so every row also gives its time as a multiple
// of a reference measured in the same run: one OCC boolean (a 10 mm box minus a cylinder).

#include "program_fixtures.h"

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/program_fit.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"

#include <BRepAlgoAPI_Cut.hxx>
#include <BRepPrimAPI_MakeBox.hxx>
#include <BRepPrimAPI_MakeCylinder.hxx>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace img2cad::cad;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

/// Median wall time of `fn` in milliseconds over `repeats` runs (after one warm-up).
double medianMs(const std::function<void()>& fn, int repeats) {
    fn();
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        fn();
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

struct Case {
    std::string name;
    Program program;
};

std::vector<Case> loadCases(const fs::path& sourceDir) {
    std::vector<Case> cases;
    const fs::path shared = sourceDir / ".." / "shared" / "data" / "sequences";
    if (fs::is_directory(shared)) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::recursive_directory_iterator(shared))
            if (entry.path().extension() == ".json") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files)
            cases.push_back({"real: " + file.stem().string(), importSequenceFile(file).program});
    } else {
        std::printf("(../shared/data absent: real sequences skipped)\n");
    }
    cases.push_back({"sample: flanged_bracket",
                     readProgram(sourceDir / "assets" / "samples" / "flanged_bracket.json")});
    for (std::uint64_t seed = 0; seed < 10; ++seed)
        cases.push_back(
            {"generated: seed " + std::to_string(seed), img2cad::test::randomPart(seed)});
    return cases;
}

} // namespace

int main(int argc, char** argv) {
    const fs::path sourceDir = argc > 1 ? fs::path(argv[1]) : fs::path(IMG2CAD_SOURCE_DIR);
    const int repeats = argc > 2 ? std::stoi(argv[2]) : 15;
    const fs::path scratch = fs::temp_directory_path() / "img2cadseq-bench";
    fs::create_directories(scratch);

    const double referenceMs = medianMs(
        [] {
            const TopoDS_Shape box = BRepPrimAPI_MakeBox(10, 10, 10).Shape();
            const TopoDS_Shape pin =
                BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(5, 5, -1), gp::DZ()), 2, 12).Shape();
            BRepAlgoAPI_Cut(box, pin).Shape();
        },
        repeats * 2);

    std::printf("reference (one OCC box-minus-cylinder boolean): %.3f ms\n\n", referenceMs);
    std::printf(
        "| program | extrudes | compile ms | tessellate ms | sample 4096 ms | STEP write ms | "
        "STEP MB/s | compile / reference | checked fit trial ms | fit trial ms |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");

    const CompileOptions unchecked = fitTrialCompileOptions();
    const auto fitTrial = [](const Program& program, const CompileOptions& compiling) {
        samplePoints(tessellate(compile(program, compiling), {0.004, 0.3, true}), 600, 1);
    };
    std::vector<double> compileTimes, trialShares, sampleTimes, tessellateTimes, stepRates;
    double totalCompileMs = 0.0;
    for (const Case& c : loadCases(sourceDir)) {
        const double compileMs = medianMs([&] { compile(c.program); }, repeats);
        const double trialMs = medianMs([&] { fitTrial(c.program, unchecked); }, repeats);
        const double checkedTrialMs = medianMs([&] { fitTrial(c.program, {}); }, repeats);
        const Shape shape = compile(c.program);
        const double tessellateMs = medianMs([&] { tessellate(shape); }, repeats);
        const TriangleMesh mesh = tessellate(shape);
        const double sampleMs = medianMs([&] { samplePoints(mesh, 4096, 7); }, repeats);
        const fs::path step = scratch / "bench.step";
        const double stepMs = medianMs([&] { writeStep(shape, step); }, std::max(3, repeats / 3));
        const double stepMBps = double(fs::file_size(step)) / 1e6 / (stepMs / 1e3);
        std::printf("| %s | %zu | %.2f | %.2f | %.3f | %.2f | %.1f | %.1f | %.2f | %.2f |\n",
                    c.name.c_str(), c.program.extrudes.size(), compileMs, tessellateMs, sampleMs,
                    stepMs, stepMBps, compileMs / referenceMs, checkedTrialMs, trialMs);
        compileTimes.push_back(compileMs);
        trialShares.push_back(trialMs / checkedTrialMs);
        tessellateTimes.push_back(tessellateMs);
        sampleTimes.push_back(sampleMs);
        stepRates.push_back(stepMBps);
        totalCompileMs += compileMs;
    }
    const auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    };
    std::printf("\n| summary | value |\n|---|---:|\n");
    std::printf("| median compile (ms) | %.2f |\n", median(compileTimes));
    std::printf("| max compile (ms) | %.2f |\n",
                *std::max_element(compileTimes.begin(), compileTimes.end()));
    std::printf("| programs compiled per second (all cases, one core) | %.1f |\n",
                1e3 * double(compileTimes.size()) / totalCompileMs);
    std::printf("| median fit trial / checked fit trial | %.2f |\n", median(trialShares));
    std::printf("| median tessellation (ms) | %.2f |\n", median(tessellateTimes));
    std::printf("| median sampling of 4096 points (ms) | %.3f |\n", median(sampleTimes));
    std::printf("| points sampled per second (from a mesh) | %.2e |\n",
                4096.0 / (median(sampleTimes) / 1e3));
    std::printf("| median STEP write rate (MB/s) | %.1f |\n", median(stepRates));
    std::printf("| median compile / reference boolean | %.1f |\n",
                median(compileTimes) / referenceMs);
    fs::remove_all(scratch);
    return 0;
}
