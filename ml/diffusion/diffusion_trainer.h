// SPDX-License-Identifier: MIT
#pragma once
// Training the conditional VQ-Diffusion model (`img2cadseq train diffusion`): every training
// program is tokenised once by a trained codebook (fixed length, END-filled) and paired with
// its condition z_P, the trained aligner's unit point embedding of the part's surface points
// (the ground-truth cloud standing in for P_ref until lifting is trained on renders). Each step
// draws B pairs and minimises eq. 9 with condition dropout. The model folder holds
// `denoiser.pt` + `model.json` with the codebook and aligner it speaks and the validation loss
// and masked-token accuracy.
//
// Ablation "Model 3" (appendix B, no point bridge): with `lift` instead of `align`, each of the
// part's rendered views is a pair whose condition is the trained lifter's ViT features of the
// view (LiftingNetworkImpl::imageFeatures, of the crop a photo becomes), so the denoiser reads
// the image directly; the same condition size goes through the same condition map as z_P.

#include "ml/diffusion/cad_denoiser.h"
#include "ml/training/training_loop.h"

#include <filesystem>

namespace img2cad::ml {

/// What a denoiser is conditioned on: z_P (the paper) or image features (ablation Model 3).
enum class DiffusionCondition { Points, Image };

struct DiffusionTrainingSettings {
    std::filesystem::path data, codebook, out;
    std::filesystem::path align; ///< the aligner whose z_P conditions the denoiser, or
    std::filesystem::path lift;  ///< the lifter whose image features do (Model 3; needs views)
    DenoiserOptions model; ///< vocabulary and condition size come from the codebook and aligner
    /// A trained denoiser to start from (continue or fine-tune it): its weights, and its
    /// architecture in place of `model`'s. It must speak `codebook`'s tokens and read the same
    /// condition; only the vocabulary's and the condition's sizes can be checked.
    std::filesystem::path init;
    std::int64_t steps = 5000;
    std::int64_t batchSize = 32;
    double learningRate = 3e-4;
    double weightDecay = 0.01;
    std::int64_t warmupSteps = 200;
    double checkpointMinutes = 5.0;
    std::uint64_t seed = 0;
    std::string device = "cpu";
    bool mixedPrecision = false; ///< bfloat16 forward passes (ml/mixed_precision.h)
};

struct DiffusionMetrics {
    std::int64_t sequences = 0;
    double loss = 0.0; ///< eq. 9 on the validation pairs (fixed seed)
    /// Masked tokens (at t = T/2, up to each sequence's END) whose arg-max prediction is right.
    double maskedAccuracy = 0.0;
    /// The same with each sequence given another part's condition: how much of the accuracy
    /// the condition buys (equal to maskedAccuracy when the denoiser ignores it).
    double maskedAccuracyOtherCondition = 0.0;
};

struct DiffusionTrainingResult {
    std::int64_t stepsDone = 0;
    bool finished = false;
    DiffusionMetrics validation;
};

DiffusionTrainingResult
trainDiffusion(const DiffusionTrainingSettings& settings,
               const std::function<void(const TrainingProgress&)>& onProgress,
               const std::atomic<bool>* stop = nullptr, std::int64_t reportEvery = 20);

/// The validation measures of the denoiser already trained in `settings.out` (what training
/// reports at its end), on `settings.data`'s validation parts with the codebook and the aligner
/// or lifter of `settings`: to compare denoisers trained before a measure existed.
DiffusionMetrics measureDenoiser(const DiffusionTrainingSettings& settings);

/// What the denoiser of a model folder reads (model.json "condition"; absent: points).
DiffusionCondition diffusionCondition(const std::filesystem::path& folder);

/// The denoiser of a model folder, in evaluation mode.
CadDenoiser loadDenoiser(const std::filesystem::path& folder,
                         const torch::Device& device = torch::kCPU);

} // namespace img2cad::ml
