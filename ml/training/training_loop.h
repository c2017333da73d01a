// SPDX-License-Identifier: MIT
#pragma once
// The optimisation loop every trainer shares (codebook, lifting, refinement, alignment, ...):
// the learning rate of the schedule at every step, back-propagation with gradient clipping, a
// checkpoint on a timer, at a stop request and at the end, resumption from the checkpoint, and
// progress reports (loss terms, metrics, samples per second, ETA). A stage supplies only its
// step: draw a batch (from the checkpointed random generator, so a resumed run repeats the
// same batches) and return the loss.

#include "ml/training/checkpoint.h"
#include "ml/training/lr_schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace img2cad::ml {

struct TrainingProgress {
    std::int64_t step = 0, steps = 0;
    double loss = 0.0;                     ///< mean over the steps since the last report
    std::map<std::string, double> parts;   ///< likewise, per loss term
    std::map<std::string, double> metrics; ///< likewise, stage measures (e.g. code usage)
    double samplesPerSecond = 0.0;
    double etaSeconds = 0.0;
    bool checkpointed = false;
    bool resumed = false; ///< the first report after resuming
};

struct StepOutcome {
    torch::Tensor loss; ///< the scalar to minimise
    std::map<std::string, double> parts;
    std::map<std::string, double> metrics;
    std::int64_t samples = 0; ///< for samples per second
};

struct TrainingLoopSettings {
    std::int64_t steps = 1;
    WarmupCosineSchedule schedule; ///< its totalSteps should equal `steps`
    double clipNorm = 1.0;
    double checkpointMinutes = 5.0;
    std::filesystem::path checkpoint; ///< resumed from when it exists
    std::int64_t reportEvery = 20;
    torch::Device device = torch::kCPU;
    bool mixedPrecision = false; ///< the step's forward pass in bfloat16 (mixed_precision.h)
};

/// The loop every stage's trainer runs: warm-up (at most the whole run) then cosine decay to 1 %
/// of the rate, a checkpoint file written every `checkpointMinutes`.
TrainingLoopSettings warmupCosineLoop(std::int64_t steps, double learningRate,
                                      std::int64_t warmupSteps, double checkpointMinutes,
                                      const std::filesystem::path& checkpoint,
                                      std::int64_t reportEvery, const torch::Device& device);

struct TrainingLoopResult {
    std::int64_t stepsDone = 0;
    bool finished = false; ///< false: stopped on request, with a checkpoint
};

TrainingLoopResult runTrainingLoop(torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                                   const TrainingLoopSettings& settings,
                                   const std::function<StepOutcome(std::int64_t step)>& step,
                                   const std::function<void(const TrainingProgress&)>& onProgress,
                                   const std::atomic<bool>* stop = nullptr);

/// "cpu" or "cuda" (refused clearly when this LibTorch has no CUDA device).
torch::Device trainingDevice(const std::string& name);

/// Prepares a run's output folder: new or empty (the run's identity is written to
/// training.json), or holding this very run (same identity but for "steps": it resumes, and may
/// end at another step — at the checkpoint's, a paused run writes its model at once). Throws
/// ml::Error for a file in the way, another run's folder (naming the settings that differ) or
/// foreign files.
void prepareRunFolder(const std::filesystem::path& folder, const nlohmann::json& identity);

} // namespace img2cad::ml
