// SPDX-License-Identifier: MIT
// A contact sheet of the renderer: 32 random views (8 x 4) of generated parts, every family of
// the generator twice, written as one PNG, to judge by eye whether they look like phone photos.
// xvfb-run -a -s "-screen 0 1280x1024x24" ./contact_sheet out.png [first seed] [cell px]
// Views are rendered at 224x224 like the data set; a smaller cell size (area-averaged) keeps
// the PNG small enough to commit, since sensor noise does not compress.

#include "cad/generator/part_generator.h"

#include "cad/compiler.h"
#include "cad/tessellation.h"
#include "image_sheet.h"
#include "viewer/offscreen_renderer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

using namespace img2cad;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: contact_sheet OUT.png [first seed] [cell px]\n");
        return 2;
    }
    const std::uint64_t firstSeed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
    constexpr int kColumns = 8, kRows = 4, kSize = 224;
    const int cell = argc > 3 ? std::clamp(std::atoi(argv[3]), 16, kSize) : kSize;
    try {
        // One generated part per cell: every family of the generator, twice.
        std::vector<cad::TriangleMesh> meshes;
        const auto& families = cad::allPartFamilies();
        for (int i = 0; i < kColumns * kRows; ++i) {
            const cad::PartFamily family = families[std::size_t(i) % families.size()];
            const cad::GeneratedPart part =
                cad::generatePart(family, firstSeed * 100 + std::uint64_t(i));
            meshes.push_back(cad::tessellate(cad::compile(part.program)));
        }

        viewer::OffscreenRenderer renderer(kSize, kSize);
        test::ImageSheet sheet(kColumns, kRows, cell);
        for (int index = 0; index < kColumns * kRows; ++index) {
            const cad::TriangleMesh& mesh = meshes[index % meshes.size()];
            const viewer::Scene scene = viewer::sampleScene(mesh, firstSeed * 1000 + index);
            sheet.place(index % kColumns, index / kColumns, renderer.render(mesh, scene).color);
            std::printf("%2d: %s on %s\n", index, viewer::materialName(scene.material),
                        viewer::backgroundName(scene.background));
        }
        sheet.write(argv[1]);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "contact_sheet: %s\n", error.what());
        return 1;
    }
    return 0;
}
