// SPDX-License-Identifier: MIT
// The real-parts table of docs/real-parts.md: every STEP part of ../shared/data/step and every
// STEP/BREP sample of Debian's occt-misc, imported, checked, tessellated with the paper's
// settings, sampled (4,096 points) and round-tripped through STEP, with times and any
// failure's reason.

#include "shape_file_check.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;
using namespace img2cad::test;

namespace {

std::vector<fs::path> shapeFiles(const fs::path& dir) {
    std::vector<fs::path> files;
    if (!fs::is_directory(dir)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (ext == ".step" || ext == ".stp" || ext == ".brep") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int main(int argc, char** argv) {
    const fs::path sourceDir = argc > 1 ? fs::path(argv[1]) : fs::path(IMG2CAD_SOURCE_DIR);
    const fs::path scratch = fs::temp_directory_path() / "img2cadseq-bench-shapes";
    fs::create_directories(scratch);
    int total = 0, passed = 0;
    for (const auto& [label, dir] :
         {std::pair{"../shared/data/step", sourceDir / ".." / "shared" / "data" / "step"},
          std::pair{"occt-misc", fs::path("/usr/share/opencascade/data")}}) {
        const std::vector<fs::path> files = shapeFiles(dir);
        std::printf("\n### %s (%zu files)\n\n", label, files.size());
        if (files.empty()) continue;
        std::printf(
            "| file | valid | solids | faces | watertight | triangles | import ms | tessellate ms "
            "| sample ms | STEP round trip | volume rel. error | failure |\n");
        std::printf("|---|---|---:|---:|---|---:|---:|---:|---:|---|---:|---|\n");
        for (const fs::path& file : files) {
            const ShapeFileCheck c = checkShapeFile(file, scratch);
            ++total;
            passed += c.failure.empty() ? 1 : 0;
            std::printf("| %s | %s | %d | %d | %s | %zu | %.0f | %.0f | %.2f | %s | %.1e | %s |\n",
                        c.file.c_str(), c.report.valid ? "yes" : "no", c.report.solids,
                        c.report.faces, c.report.watertight ? "yes" : "no", c.triangles, c.importMs,
                        c.tessellateMs, c.sampleMs, c.roundTripOk ? "ok" : "FAILED",
                        c.volumeRelativeError, c.failure.c_str());
            std::fflush(stdout);
        }
    }
    std::printf("\n%d of %d files passed every step\n", passed, total);
    fs::remove_all(scratch);
    return 0;
}
