// SPDX-License-Identifier: MIT
#pragma once
// Training the lifting network (`img2cadseq train lift`): every view of every training sample
// is an example (the photo-like render cropped as a photo would be, the part's points as the
// target), the Chamfer loss, the shared training loop (checkpoints, resume, progress). With
// `--lora --base DIR` the base network of DIR is loaded and frozen and only its Q/V adapters
// train; the result is a small adapters file in a folder that names its base.
//
// A model folder holds `lift.pt` (stage "lift") or `adapters.pt` (stage "lift-lora", with the
// base folder in its manifest); loadLifter reads either.

#include "ml/dataset/sample.h"
#include "ml/lift/lifting_network.h"
#include "ml/training/training_loop.h"

#include <filesystem>
#include <vector>

namespace img2cad::ml {

struct LiftTrainingSettings {
    std::filesystem::path data, out;
    LiftingOptions model;
    bool lora = false;
    std::filesystem::path base; ///< with `lora`: the base model folder
    std::int64_t steps = 20000;
    std::int64_t batchSize = 16; ///< views per step
    double learningRate = 3e-4;
    double weightDecay = 0.01;
    std::int64_t warmupSteps = 500;
    double checkpointMinutes = 5.0;
    std::uint64_t seed = 0;
    std::string device = "cpu";
    bool mixedPrecision = false; ///< bfloat16 forward passes (ml/mixed_precision.h)
    std::int64_t validationViews = 64;
};

struct LiftMetrics {
    std::int64_t views = 0;
    double meanChamfer = 0.0; ///< appendix A's CD x10^2 (unsquared), 2,048 vs target points
    double medianChamfer = 0.0;
    std::vector<double> perView; ///< each view's CD x10^2, in the dataset's order
};

struct LiftTrainingResult {
    std::int64_t stepsDone = 0;
    bool finished = false;
    LiftMetrics validation;
};

LiftTrainingResult trainLift(const LiftTrainingSettings& settings,
                             const std::function<void(const TrainingProgress&)>& onProgress,
                             const std::atomic<bool>* stop = nullptr,
                             std::int64_t reportEvery = 10);

/// The lifter of a model folder (a base, or adapters on their base), in evaluation mode.
LiftingNetwork loadLifter(const std::filesystem::path& folder,
                          const torch::Device& device = torch::kCPU);

/// The lifter's CD to the truth (as LiftMetrics) on every view of the dataset's samples of
/// `split`, e.g. a capture export's held-out views. Throws ml::Error when there are none.
LiftMetrics measureLifter(LiftingNetwork& network, const std::filesystem::path& data, Split split,
                          const torch::Device& device = torch::kCPU);

nlohmann::json liftingOptionsToJson(const LiftingOptions& options);
LiftingOptions liftingOptionsFromJson(const nlohmann::json& json);

} // namespace img2cad::ml
