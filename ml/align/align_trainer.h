// SPDX-License-Identifier: MIT
#pragma once
// Training the contrastive aligner (`img2cadseq train align`): every training program is
// tokenised once by a trained codebook and paired with its surface points; each step draws B
// pairs and a bootstrap subset of each cloud (the paper subsamples 2,048 of 4,096 points per
// forward pass), and minimises eq. 7. The model folder holds `align.pt` + `model.json` with the
// codebook it speaks (its folder) and the validation retrieval accuracy.

#include "ml/align/contrastive_alignment.h"
#include "ml/training/training_loop.h"

#include <filesystem>

namespace img2cad::ml {

struct AlignTrainingSettings {
    std::filesystem::path data, codebook, out;
    AlignmentOptions model;     ///< vocabulary and token limit come from the codebook and data
    std::int64_t points = 1024; ///< bootstrap subset per cloud and step
    std::int64_t steps = 10000;
    std::int64_t batchSize = 64; ///< pairs per step (2B - 2 negatives each)
    double learningRate = 1e-3;  ///< the paper's
    double weightDecay = 0.01;
    std::int64_t warmupSteps = 500;
    double checkpointMinutes = 5.0;
    std::uint64_t seed = 0;
    std::string device = "cpu";
    bool mixedPrecision = false; ///< bfloat16 forward passes (ml/mixed_precision.h)
};

struct RetrievalMetrics {
    std::int64_t parts = 0;
    double top1 = 0.0, top5 = 0.0; ///< point cloud -> CAD among `parts`
};

struct AlignTrainingResult {
    std::int64_t stepsDone = 0;
    bool finished = false;
    RetrievalMetrics validation;
};

AlignTrainingResult trainAlign(const AlignTrainingSettings& settings,
                               const std::function<void(const TrainingProgress&)>& onProgress,
                               const std::atomic<bool>* stop = nullptr,
                               std::int64_t reportEvery = 20);

/// The aligner of a model folder, in evaluation mode.
ContrastiveAligner loadAligner(const std::filesystem::path& folder,
                               const torch::Device& device = torch::kCPU);

} // namespace img2cad::ml
