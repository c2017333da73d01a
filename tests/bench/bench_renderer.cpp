// SPDX-License-Identifier: MIT
// Offscreen renderer throughput: renders per second at 224x224 with random scenes over
// generated parts (4 views per part, like the data set), plus the cost of building the VTK
// mesh (first view of each part) against views of a cached mesh. Needs an X display:
// xvfb-run -a -s "-screen 0 1280x1024x24" ./bench_renderer [parts] [views per part]

#include "program_fixtures.h"

#include "cad/compiler.h"
#include "cad/tessellation.h"
#include "viewer/offscreen_renderer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

using namespace img2cad;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const int partCount = argc > 1 ? std::atoi(argv[1]) : 20;
    const int viewsPerPart = argc > 2 ? std::atoi(argv[2]) : 4;
    try {
        std::vector<cad::TriangleMesh> meshes;
        std::size_t triangles = 0;
        for (int i = 0; i < partCount; ++i) {
            meshes.push_back(cad::tessellate(cad::compile(test::randomPart(1000 + i))));
            triangles += meshes.back().triangles.size();
        }
        viewer::OffscreenRenderer renderer(224, 224);
        renderer.render(meshes[0], viewer::sampleScene(meshes[0], 0)); // warm-up (shaders)

        double firstViews = 0.0, laterViews = 0.0;
        for (int i = 0; i < partCount; ++i)
            for (int v = 0; v < viewsPerPart; ++v) {
                const viewer::Scene scene =
                    viewer::sampleScene(meshes[i], std::uint64_t(i) * 97 + v);
                const auto start = Clock::now();
                renderer.render(meshes[i], scene);
                const double s = std::chrono::duration<double>(Clock::now() - start).count();
                (v == 0 ? firstViews : laterViews) += s;
            }
        const int total = partCount * viewsPerPart;
        std::printf("| parts | views/part | mean triangles | renders/s | ms/view (new mesh) | "
                    "ms/view (cached mesh) |\n|---|---|---|---|---|---|\n");
        std::printf("| %d | %d | %zu | %.1f | %.1f | %.1f |\n", partCount, viewsPerPart,
                    triangles / std::size_t(partCount), total / (firstViews + laterViews),
                    1e3 * firstViews / partCount,
                    viewsPerPart > 1 ? 1e3 * laterViews / (total - partCount) : 0.0);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_renderer: %s\n", error.what());
        return 1;
    }
    return 0;
}
