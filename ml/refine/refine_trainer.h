// SPDX-License-Identifier: MIT
#pragma once
// Training the UA-DGCNN (`img2cadseq train refine`): every training part's surface points are
// labelled once with their ground-truth importance, the closeness to the part's BRep edges
// (cad/metrics/edge_saliency.h, computed from the compiled program in the points' own frame);
// each step draws B clouds, a random subset of each, jittered to look like the lifting
// network's coarse P_raw, and minimises the heteroscedastic loss. The model folder holds
// `refine.pt` + `model.json` with the validation importance AUC (edge points against the rest).

#include "cad/geometry/vec.h"
#include "cad/shape.h"
#include "ml/refine/ua_dgcnn.h"
#include "ml/training/training_loop.h"

#include <array>
#include <filesystem>
#include <vector>

namespace img2cad::ml {

struct RefineTrainingSettings {
    std::filesystem::path data, out;
    DgcnnOptions model;
    std::int64_t points = 1024; ///< points per cloud and step (the coarse cloud's size)
    std::int64_t steps = 3000;
    std::int64_t batchSize = 8;
    double learningRate = 1e-3;
    double weightDecay = 0.01;
    std::int64_t warmupSteps = 100;
    /// Gaussian jitter of the training points (unit-cube frame): the coarse cloud the network
    /// refines at inference is noisy; clean points alone would teach it a sharper world.
    double jitter = 0.005;
    double sigma = 0.02; ///< edge-saliency width (unit-cube frame)
    /// Training parts to label (val: an eighth of it); 0 = all. Labelling compiles every
    /// program once (tens of milliseconds each), so a bound keeps the start quick.
    std::int64_t maxParts = 0;
    double checkpointMinutes = 5.0;
    std::uint64_t seed = 0;
    std::string device = "cpu";
    bool mixedPrecision = false; ///< bfloat16 forward passes (ml/mixed_precision.h)
};

struct ImportanceMetrics {
    std::int64_t parts = 0;
    /// Ground-truth importance of `points` on `shape`: closeness to its BRep edges, with points
    /// and edges in the frame `normalization` (centre x, y, z, scale; a dataset sample's) makes.
    torch::Tensor edgeImportance(const cad::Shape& shape,
                                 const std::array<double, 4>& normalization,
                                 const std::vector<cad::Vec3f>& points, double sigma = 0.02);

    /// Area under the ROC curve of the importance for "edge points" (saliency > 0.5) against
    /// the rest, pooled over the parts' points; 0.5 is chance.
    double auc = 0.0;
};

struct RefineTrainingResult {
    std::int64_t stepsDone = 0;
    bool finished = false;
    ImportanceMetrics validation;
};

RefineTrainingResult trainRefine(const RefineTrainingSettings& settings,
                                 const std::function<void(const TrainingProgress&)>& onProgress,
                                 const std::atomic<bool>* stop = nullptr,
                                 std::int64_t reportEvery = 20);

/// Ground-truth importance of `points` on `shape`: closeness to its BRep edges, with points
/// and edges in the frame `normalization` (centre x, y, z, scale; a dataset sample's) makes.
torch::Tensor edgeImportance(const cad::Shape& shape, const std::array<double, 4>& normalization,
                             const std::vector<cad::Vec3f>& points, double sigma = 0.02);

/// Area under the ROC curve of `scores` for the `positive` points (Mann-Whitney U, ties
/// counted half); throws ml::Error when either class is empty.
double rocAuc(const torch::Tensor& scores, const torch::Tensor& positive);

/// The refinement network of a model folder, in evaluation mode.
UaDgcnn loadRefiner(const std::filesystem::path& folder, const torch::Device& device = torch::kCPU);

} // namespace img2cad::ml
