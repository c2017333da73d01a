// SPDX-License-Identifier: MIT
// Training throughput of one level VQ-VAE (the Curve-Cluster level, the longest sequences) in
// LibTorch, on a synthetic batch of fixed shape. tests/bench/codebook_throughput_reference.py
// trains the same architecture in python3-torch with the same shapes; bench_codebook.sh runs
// both and prints their ratio.
//
//   bench_codebook_throughput [--batch 32] [--length 48] [--width 128] [--layers 2]
//                             [--steps 30]
// Prints one line: "cpp <sequences per second>".

#include "ml/codebook/cad_codebook.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

using namespace img2cad::ml;

int main(int argc, char** argv) {
    CLI::App cli{"Level VQ-VAE training throughput (LibTorch)"};
    std::int64_t batch = 32, length = 48, width = 128, layers = 2, heads = 4, codes = 256,
                 steps = 30;
    cli.add_option("--batch", batch);
    cli.add_option("--length", length);
    cli.add_option("--width", width);
    cli.add_option("--layers", layers);
    cli.add_option("--heads", heads);
    cli.add_option("--codes", codes);
    cli.add_option("--steps", steps);
    CLI11_PARSE(cli, argc, argv);

    torch::manual_seed(0);
    LevelVqVaeOptions options;
    options.layout = curveClusterLayout();
    options.width = width;
    options.heads = heads;
    options.layers = layers;
    options.codes = codes;
    LevelVqVae model(options);
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
    const torch::Tensor types = torch::randint(3, {batch, length}, torch::kLong);
    const torch::Tensor rows = torch::cat(
        {torch::randn({batch, length, 5}), torch::one_hot(types, 3).to(torch::kFloat)}, 2);
    const torch::Tensor padding = torch::zeros({batch, length}, torch::kBool);
    const auto step = [&] {
        const auto output = model->forward(rows, padding, 0.0);
        const auto losses = model->loss(output, rows, padding);
        optimizer.zero_grad();
        losses.total.backward();
        optimizer.step();
    };
    for (int i = 0; i < 3; ++i)
        step(); // warm-up: k-means initialisation and allocator
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < steps; ++i)
        step();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("cpp %.2f\n", double(steps * batch) / seconds);
    return 0;
}
