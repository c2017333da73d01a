// SPDX-License-Identifier: MIT
// The figure of docs/results.md (issue 6): for the first held-out parts of a dataset, one row
// each of input photo | ground truth | the model's top-3 candidates (ranked as the app ranks
// them), all shapes rendered alike in their own unit cube, written as one PNG.
//   xvfb-run -a build/tests/bench/results_figure --data ../data/gen10k-views
//       [-m assets/models/default] -o docs/results_figure.png [--parts 8] [--cell 128]

#include "image_sheet.h"

#include "cad/compiler.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/tessellation.h"
#include "ml/dataset/shard_io.h"
#include "ml/reconstruct/default_model.h"
#include "ml/reconstruct/reconstructor.h"
#include "viewer/offscreen_renderer.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

/// Every shape the same way: in its own unit cube, grey PLA on white, from the front right.
cad::Image renderShape(viewer::OffscreenRenderer& renderer, const cad::Shape& shape) {
    const cad::TriangleMesh mesh = cad::tessellate(shape);
    viewer::Scene scene;
    scene.camera = {{1.9, -2.5, 1.6}, {0, 0, 0}, {0, 0, 1}, 30.0};
    scene.baseColor = {0.55, 0.62, 0.72};
    return renderer.render(cad::Normalization::toUnitCube(mesh.bounds()).apply(mesh), scene).color;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli("input | ground truth | top-3 candidates for held-out parts, as one PNG");
    std::string data, model, out;
    int parts = 8, cell = 128, steps = 20;
    cli.add_option("--data", data, "Dataset with views (its test split)")->required();
    cli.add_option("-m,--model", model, "Model folder (default: the shipped one)");
    cli.add_option("-o,--out", out, "PNG to write")->required();
    cli.add_option("--parts", parts)->capture_default_str();
    cli.add_option("--cell", cell, "Pixels per image")->capture_default_str();
    cli.add_option("--steps", steps, "Sampling steps")->capture_default_str();
    CLI11_PARSE(cli, argc, argv);
    try {
        ml::Reconstructor reconstructor(
            model.empty() ? ml::shippedModelFolder(ml::runningProgramFolder()) : fs::path(model));
        ml::ReconstructionOptions options;
        options.sampling.steps = steps;
        options.photoPartSize = 1.0;
        viewer::OffscreenRenderer renderer(256, 256);
        constexpr int kColumns = 5; // input, truth, 3 candidates
        test::ImageSheet sheet(kColumns, parts, cell);
        int row = 0;
        if (parts > 0)
            ml::forEachSample(data, [&](const ml::Sample& sample) {
                if (sample.split != ml::Split::Test || sample.views.empty() ||
                    sample.programJson.empty())
                    return true;
                const cad::Image& photo = sample.views.front().color;
                sheet.place(0, row, photo);
                sheet.place(
                    1, row,
                    renderShape(renderer, cad::compile(cad::programFromJson(sample.programJson))));
                const ml::Reconstruction result = reconstructor.fromPhoto(photo, options);
                int column = 2;
                for (const ml::Candidate& c : result.candidates)
                    if (c.valid() && column < kColumns)
                        sheet.place(column++, row, renderShape(renderer, c.shape));
                std::printf("row %d: part %lld, %d valid candidates shown\n", row + 1,
                            (long long)sample.index, column - 2);
                return ++row < parts;
            });
        sheet.write(out);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "results_figure: %s\n", error.what());
        return 1;
    }
    return 0;
}
