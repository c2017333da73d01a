// SPDX-License-Identifier: MIT
#pragma once
// A tiny complete model folder for end-to-end tests (seconds of CPU training, not a model that
// knows anything): codebook/, align/, refine/, diffusion/ and, when the dataset has views,
// lift/, each trained by its real trainer on a tiny dataset (tiny_datasets.h).

#include "tiny_datasets.h"

#include "ml/align/align_trainer.h"
#include "ml/codebook/codebook_trainer.h"
#include "ml/diffusion/diffusion_trainer.h"
#include "ml/lift/lift_trainer.h"
#include "ml/refine/refine_trainer.h"

#include <QtTest/QtTest>

#include <filesystem>

namespace img2cad::test {

inline ml::CodebookTrainingSettings tinyCodebookSettings(const std::filesystem::path& data,
                                                         const std::filesystem::path& out,
                                                         std::int64_t steps = 3) {
    ml::CodebookTrainingSettings s;
    s.data = data;
    s.out = out;
    s.model = {ml::CodebookVariant::Hierarchical, 32, 4, 1, 32, 1, 0.0, 1.0};
    s.steps = steps;
    s.batchSize = 4;
    s.warmupSteps = 1;
    return s;
}

inline ml::AlignTrainingSettings tinyAlignSettings(const std::filesystem::path& data,
                                                   const std::filesystem::path& codebook,
                                                   const std::filesystem::path& out) {
    ml::AlignTrainingSettings s;
    s.data = data;
    s.codebook = codebook;
    s.out = out;
    s.model.embedding = 16;
    s.model.width = 32;
    s.model.heads = 4;
    s.model.layers = 1;
    s.points = 64;
    s.steps = 3;
    s.batchSize = 4;
    s.warmupSteps = 1;
    return s;
}

inline ml::DiffusionTrainingSettings tinyDiffusionSettings(const std::filesystem::path& data,
                                                           const std::filesystem::path& codebook,
                                                           const std::filesystem::path& align,
                                                           const std::filesystem::path& out,
                                                           std::int64_t steps = 40) {
    ml::DiffusionTrainingSettings s;
    s.data = data;
    s.codebook = codebook;
    s.align = align;
    s.out = out;
    s.model.maxTokens = 512;
    s.model.width = 32;
    s.model.heads = 4;
    s.model.layers = 1;
    s.model.dropout = 0.0;
    s.steps = steps;
    s.batchSize = 8;
    s.learningRate = 3e-3;
    s.warmupSteps = 1;
    return s;
}

inline ml::LiftTrainingSettings tinyLiftSettings(const std::filesystem::path& data,
                                                 const std::filesystem::path& out) {
    ml::LiftTrainingSettings s;
    s.data = data;
    s.out = out;
    s.model.vit.imageSize = kTinyViewSize;
    s.model.vit.patchSize = 8;
    s.model.vit.width = 32;
    s.model.vit.heads = 4;
    s.model.vit.layers = 1;
    s.model.vit.lora.rank = 2;
    s.model.decoderLayers = 1;
    s.model.queries = 8;
    s.model.pointsPerQuery = 8;
    s.steps = 6;
    s.batchSize = 4;
    s.warmupSteps = 1;
    s.learningRate = 1e-3;
    return s;
}

struct TinyModelRecipe {
    std::int64_t codebookSteps = 3;
    std::int64_t diffusionSteps = 40;
    std::int64_t maxTokens = 512;
    bool lifter = false; ///< needs a dataset with views
};

/// Trains every stage into `model` (QVERIFY-fails the calling test when one does not finish).
inline void trainTinyModel(const std::filesystem::path& data, const std::filesystem::path& model,
                           const TinyModelRecipe& recipe) {
    QVERIFY(
        ml::trainCodebook(tinyCodebookSettings(data, model / "codebook", recipe.codebookSteps), {})
            .finished);
    QVERIFY(
        ml::trainAlign(tinyAlignSettings(data, model / "codebook", model / "align"), {}).finished);
    ml::RefineTrainingSettings refine;
    refine.data = data;
    refine.out = model / "refine";
    refine.model = {8, 16, 32};
    refine.points = 64;
    refine.steps = 3;
    refine.batchSize = 4;
    refine.warmupSteps = 1;
    QVERIFY(ml::trainRefine(refine, {}).finished);
    ml::DiffusionTrainingSettings diffusion = tinyDiffusionSettings(
        data, model / "codebook", model / "align", model / "diffusion", recipe.diffusionSteps);
    diffusion.model.maxTokens = recipe.maxTokens;
    QVERIFY(ml::trainDiffusion(diffusion, {}).finished);
    if (!recipe.lifter) return;
    ml::LiftTrainingSettings lift = tinyLiftSettings(data, model / "lift");
    lift.steps = 3;
    lift.validationViews = 4;
    QVERIFY(ml::trainLift(lift, {}).finished);
}

/// Two washers repeated in a dataset with views, and a model trained on it long enough (about
/// ten seconds) that most candidates compile: for the Reconstructor's and the CLI's tests.
inline std::filesystem::path trainTinyWasherModel(const std::filesystem::path& root) {
    writeProgramDataset(root / "washers", 16, 128, 2, cad::PartFamily::Spacer, 2);
    trainTinyModel(root / "washers", root / "model", {800, 400, 48, true});
    return root / "model";
}

} // namespace img2cad::test
