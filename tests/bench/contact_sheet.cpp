// SPDX-License-Identifier: MIT
// A contact sheet of the renderer: 32 random views (8 x 4) of generated parts, every family of
// the generator twice, written as one PNG, to judge by eye whether they look like phone photos.
// xvfb-run -a -s "-screen 0 1280x1024x24" ./contact_sheet out.png [first seed] [cell px]
// Views are rendered at 224x224 like the data set; a smaller cell size (area-averaged) keeps
// the PNG small enough to commit, since sensor noise does not compress.

#include "cad/generator/part_generator.h"

#include "cad/compiler.h"
#include "cad/tessellation.h"
#include "viewer/offscreen_renderer.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>

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
        vtkNew<vtkImageData> sheet;
        sheet->SetDimensions(kColumns * cell, kRows * cell, 1);
        sheet->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
        auto* pixels = static_cast<unsigned char*>(sheet->GetScalarPointer());
        const int sheetWidth = kColumns * cell, sheetHeight = kRows * cell;
        for (int index = 0; index < kColumns * kRows; ++index) {
            const cad::TriangleMesh& mesh = meshes[index % meshes.size()];
            const viewer::Scene scene = viewer::sampleScene(mesh, firstSeed * 1000 + index);
            const viewer::RenderedView view = renderer.render(mesh, scene);
            const int x0 = (index % kColumns) * cell, y0 = (index / kColumns) * cell;
            for (int y = 0; y < cell; ++y)
                for (int x = 0; x < cell; ++x) {
                    // Area average of the source pixels this cell pixel covers.
                    const int sx0 = x * kSize / cell,
                              sx1 = std::max(sx0 + 1, (x + 1) * kSize / cell);
                    const int sy0 = y * kSize / cell,
                              sy1 = std::max(sy0 + 1, (y + 1) * kSize / cell);
                    // vtkImageData rows run bottom to top.
                    unsigned char* out =
                        pixels +
                        (std::size_t(sheetHeight - 1 - (y0 + y)) * sheetWidth + x0 + x) * 3;
                    for (int c = 0; c < 3; ++c) {
                        int sum = 0;
                        for (int sy = sy0; sy < sy1; ++sy)
                            for (int sx = sx0; sx < sx1; ++sx)
                                sum += view.color.at(sx, sy, c);
                        const int count = (sy1 - sy0) * (sx1 - sx0);
                        out[c] = static_cast<unsigned char>((sum + count / 2) / count);
                    }
                }
            std::printf("%2d: %s on %s\n", index, viewer::materialName(scene.material),
                        viewer::backgroundName(scene.background));
        }
        vtkNew<vtkPNGWriter> writer;
        writer->SetCompressionLevel(9);
        writer->SetFileName(argv[1]);
        writer->SetInputData(sheet);
        writer->Write();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "contact_sheet: %s\n", error.what());
        return 1;
    }
    return 0;
}
