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
TrainingState loadCheckpoint(const std::filesystem::path& path, torch::nn::Module& model,
                             torch::optim::Optimizer& optimizer);

} // namespace img2cad::ml
