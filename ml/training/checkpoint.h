// SPDX-License-Identifier: MIT
#pragma once
// Training checkpoints that resume exactly: the model's parameters and buffers, the optimiser's
// state, the step, and the random generator, written atomically (a session may end at any
// moment; a half-written checkpoint must never replace a good one).

#include <torch/torch.h>

#include <filesystem>

namespace img2cad::ml {

struct TrainingState {
    std::int64_t step = 0;
};

/// Saves everything needed to continue; throws ml::Error when the write fails (the previous
/// checkpoint at `path` is then untouched).
void saveCheckpoint(const std::filesystem::path& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, const TrainingState& state);

/// Restores model, optimiser, random generator and returns the state; throws ml::Error for a
/// missing, corrupt or mismatched checkpoint (another architecture).
/// Tensors are loaded onto `device`, where the model already is.
TrainingState loadCheckpoint(const std::filesystem::path& path, torch::nn::Module& model,
                             torch::optim::Optimizer& optimizer,
                             const torch::Device& device = torch::kCPU);

/// A trained model's weights alone (parameters and buffers, with the architecture signature),
/// written atomically: what a model folder ships.
void saveWeights(const std::filesystem::path& path, torch::nn::Module& model);
/// Loads weights saved by saveWeights into `model` (already on its device); throws ml::Error
/// for a missing, corrupt or mismatched file.
void loadWeights(const std::filesystem::path& path, torch::nn::Module& model);

} // namespace img2cad::ml
