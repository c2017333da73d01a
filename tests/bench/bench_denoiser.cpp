// SPDX-License-Identifier: MIT
// Does a trained denoiser read its condition? For each model folder: validation loss (eq. 9)
// and masked-token accuracy at t = T/2 with each part's own condition and with another part's
// (ml::measureDenoiser); the difference is what the condition buys. Denoisers trained before
// the second measure existed get it here.
//
//   bench_denoiser --data DATASET --codebook DIR (--align DIR | --lift DIR) --model DIR
//                  [--model DIR ...] [--seed S]
//
// --seed: the training run's (it draws the point subsets the aligner encodes); the folders'
// model.json record it.

#include "ml/diffusion/diffusion_trainer.h"
#include "ml/error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

using namespace img2cad;

int main(int argc, char** argv) {
    CLI::App app{"Masked-token accuracy of trained denoisers with their own and another condition"};
    ml::DiffusionTrainingSettings settings;
    std::vector<std::string> models;
    app.add_option("--data", settings.data, "Dataset folder")->required();
    app.add_option("--codebook", settings.codebook, "Codebook the denoisers speak")->required();
    app.add_option("--align", settings.align, "Aligner whose z_P conditions them");
    app.add_option("--lift", settings.lift, "Lifter whose image features do (Model 3)");
    app.add_option("--model", models, "Denoiser model folders")->required();
    app.add_option("--seed", settings.seed, "The training runs' seed")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        std::printf("| denoiser | validation loss | masked accuracy %% | with another part's "
                    "condition %% | the condition buys (points) |\n|---|---:|---:|---:|---:|\n");
        for (const std::string& model : models) {
            settings.out = model;
            const ml::DiffusionMetrics m = ml::measureDenoiser(settings);
            std::printf("| %s | %.4f | %.1f | %.1f | %.1f |\n", model.c_str(), m.loss,
                        100.0 * m.maskedAccuracy, 100.0 * m.maskedAccuracyOtherCondition,
                        100.0 * (m.maskedAccuracy - m.maskedAccuracyOtherCondition));
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_denoiser: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
