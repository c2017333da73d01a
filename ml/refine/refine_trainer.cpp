// SPDX-License-Identifier: MIT
#include "ml/refine/refine_trainer.h"

#include "cad/compiler.h"
#include "cad/metrics/edge_saliency.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/tessellation.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/point_tensor.h"
#include "ml/training/checkpoint.h"
#include "ml/training/model_folder.h"

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

constexpr const char* kWeights = "refine.pt";
constexpr const char* kCheckpointFile = "checkpoint.pt";
constexpr double kEdgePoint = 0.5; ///< saliency above which a point counts as an edge point

struct LabelledCloud {
    torch::Tensor points;   ///< [N, 3], the sample's normalised frame
    torch::Tensor saliency; ///< [N]
};

struct LabelledClouds {
    std::vector<LabelledCloud> train, val;
    std::int64_t skipped = 0;
};

/// The sample's points with their ground-truth importance (from its compiled program).
LabelledCloud label(const Sample& sample, double sigma) {
    const cad::Shape shape = cad::compile(cad::programFromJson(sample.programJson));
    const std::vector<cad::Vec3f>& positions = sample.points.positions;
    return {pointsTensor(positions), edgeImportance(shape, sample.normalization, positions, sigma)};
}

/// Labels the training and validation parts; stops early (returning what it has) when `stop`
/// is set, since labelling a large set takes minutes.
LabelledClouds loadClouds(const RefineTrainingSettings& settings, const std::atomic<bool>* stop) {
    LabelledClouds clouds;
    // Parts wanted per split (validation: an eighth of training); no bound without maxParts.
    const auto wanted = [&](Split split) {
        return split == Split::Train ? settings.maxParts : settings.maxParts / 8;
    };
    const auto full = [&](Split split) {
        const auto& to = split == Split::Train ? clouds.train : clouds.val;
        return settings.maxParts > 0 && std::int64_t(to.size()) >= wanted(split);
    };
    const auto done = [&] {
        return (stop && stop->load()) || (full(Split::Train) && full(Split::Val));
    };
    forEachSample(
        settings.data,
        [&](const Sample& sample) {
            if (done()) return false;
            if (sample.split == Split::Test || full(sample.split)) return true;
            if (sample.programJson.empty() || sample.points.positions.empty()) {
                ++clouds.skipped;
                return true;
            }
            try {
                (sample.split == Split::Train ? clouds.train : clouds.val)
                    .push_back(label(sample, settings.sigma));
            } catch (const std::exception&) {
                ++clouds.skipped; // a program that no longer compiles: nothing to label with
            }
            return true;
        },
        SampleFields::WithoutViews);
    if (done()) return clouds;
    if (clouds.train.empty())
        throw Error("'" + settings.data.string() +
                    "' has no training parts with programs and points");
    return clouds;
}

/// `count` points of each chosen cloud (without replacement where the cloud has enough),
/// jittered by `jitter`, and their saliency. Draws from `generator` (the default one if none).
std::pair<torch::Tensor, torch::Tensor> makeBatch(const std::vector<const LabelledCloud*>& clouds,
                                                  std::int64_t count, double jitter,
                                                  c10::optional<at::Generator> generator = {}) {
    std::vector<torch::Tensor> points, saliency;
    for (const LabelledCloud* cloud : clouds) {
        const std::int64_t n = cloud->points.size(0);
        const torch::Tensor pick =
            n >= count ? torch::randperm(n, generator, torch::kLong).narrow(0, 0, count)
                       : torch::randint(n, {count}, generator, torch::kLong);
        points.push_back(cloud->points.index_select(0, pick));
        saliency.push_back(cloud->saliency.index_select(0, pick));
    }
    const torch::Tensor clean = torch::stack(points);
    return {clean + jitter * torch::randn(clean.sizes(), generator, clean.options()),
            torch::stack(saliency)};
}

ImportanceMetrics measure(UaDgcnn& network, const std::vector<LabelledCloud>& clouds,
                          const RefineTrainingSettings& settings, const torch::Device& device) {
    ImportanceMetrics metrics;
    if (clouds.empty()) return metrics;
    network->eval();
    torch::NoGradGuard noGrad;
    // The same jitter as in training, from its own seed: the question is how well the network
    // ranks a coarse cloud's points, not clean ones, and measuring must not move training's
    // random stream.
    at::Generator generator = at::detail::createCPUGenerator(17);
    std::vector<torch::Tensor> scores, positive;
    for (const LabelledCloud& cloud : clouds) {
        const auto [points, saliency] =
            makeBatch({&cloud}, settings.points, settings.jitter, generator);
        scores.push_back(network->forward(points.to(device)).importance.cpu().reshape({-1}));
        positive.push_back(saliency.reshape({-1}).gt(kEdgePoint));
    }
    network->train();
    metrics.parts = std::int64_t(clouds.size());
    metrics.auc = rocAuc(torch::cat(scores), torch::cat(positive));
    return metrics;
}

nlohmann::json optionsJson(const DgcnnOptions& o) {
    return {{"neighbours", o.neighbours},
            {"feature_width", o.featureWidth},
            {"global_width", o.globalWidth}};
}

DgcnnOptions optionsFromJson(const nlohmann::json& j) {
    try {
        DgcnnOptions o;
        o.neighbours = j.at("neighbours");
        o.featureWidth = j.at("feature_width");
        o.globalWidth = j.at("global_width");
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("malformed refinement options: ") + e.what());
    }
}

} // namespace

torch::Tensor edgeImportance(const cad::Shape& shape, const std::array<double, 4>& normalization,
                             const std::vector<cad::Vec3f>& points, double sigma) {
    cad::Normalization frame;
    frame.center = {normalization[0], normalization[1], normalization[2]};
    frame.scale = normalization[3];
    const cad::TriangleMesh mesh = frame.apply(cad::tessellate(shape));
    return torch::tensor(cad::edgeSaliency(points, mesh.featureEdges, sigma), torch::kFloat);
}

double rocAuc(const torch::Tensor& scores, const torch::Tensor& positive) {
    const torch::Tensor s = scores.to(torch::kDouble).reshape({-1});
    const torch::Tensor p = positive.to(torch::kBool).reshape({-1});
    const double positives = p.sum().item<double>();
    const double negatives = double(p.numel()) - positives;
    if (positives == 0.0 || negatives == 0.0)
        throw Error("AUC needs both positive and negative points");
    // Average ranks (ties share the mean of their ranks), then Mann-Whitney U.
    const auto [sorted, order] = s.sort();
    const auto n = s.numel();
    std::vector<double> ranks(std::size_t(n), 0.0);
    const double* v = sorted.data_ptr<double>();
    const std::int64_t* idx = order.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n;) {
        std::int64_t j = i;
        while (j + 1 < n && v[j + 1] == v[i])
            ++j;
        const double mean = 0.5 * double(i + j) + 1.0;
        for (std::int64_t k = i; k <= j; ++k)
            ranks[std::size_t(idx[k])] = mean;
        i = j + 1;
    }
    const bool* pos = p.contiguous().data_ptr<bool>();
    double rankSum = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
        if (pos[i]) rankSum += ranks[std::size_t(i)];
    return (rankSum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

UaDgcnn loadRefiner(const fs::path& folder, const torch::Device& device) {
    const nlohmann::json manifest = readModelManifest(folder, "refine");
    UaDgcnn network(optionsFromJson(manifest.at("options")));
    loadWeights(folder / kWeights, *network);
    network->to(device);
    network->eval();
    return network;
}

RefineTrainingResult trainRefine(const RefineTrainingSettings& settings,
                                 const std::function<void(const TrainingProgress&)>& onProgress,
                                 const std::atomic<bool>* stop, std::int64_t reportEvery) {
    if (settings.steps <= 0 || settings.batchSize <= 0 || settings.points < 2 ||
        !(settings.learningRate > 0.0) || !(settings.sigma > 0.0) || settings.jitter < 0.0)
        throw Error("--steps, --batch, --lr and --sigma must be positive, --points at least 2");
    const torch::Device device = trainingDevice(settings.device);
    const nlohmann::json identity = {
        {"data", fs::absolute(settings.data).lexically_normal().string()},
        {"model", optionsJson(settings.model)},
        {"points", settings.points},
        {"steps", settings.steps},
        {"batch_size", settings.batchSize},
        {"learning_rate", settings.learningRate},
        {"weight_decay", settings.weightDecay},
        {"warmup_steps", settings.warmupSteps},
        {"jitter", settings.jitter},
        {"sigma", settings.sigma},
        {"max_parts", settings.maxParts},
        {"seed", settings.seed}};
    prepareRunFolder(settings.out, identity);
    const LabelledClouds clouds = loadClouds(settings, stop);
    if (stop && stop->load()) return {};

    torch::manual_seed(settings.seed);
    UaDgcnn network(settings.model);
    network->to(device);
    torch::optim::AdamW optimizer(
        network->parameters(),
        torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));
    TrainingLoopSettings loop = warmupCosineLoop(
        settings.steps, settings.learningRate, settings.warmupSteps, settings.checkpointMinutes,
        settings.out / kCheckpointFile, reportEvery, device);
    loop.mixedPrecision = settings.mixedPrecision;
    const std::int64_t batchSize =
        std::min<std::int64_t>(settings.batchSize, std::int64_t(clouds.train.size()));
    const auto step = [&](std::int64_t) {
        const torch::Tensor picks = torch::randperm(std::int64_t(clouds.train.size()), torch::kLong)
                                        .narrow(0, 0, batchSize);
        std::vector<const LabelledCloud*> chosen;
        for (std::int64_t i = 0; i < batchSize; ++i)
            chosen.push_back(&clouds.train[std::size_t(picks[i].item<std::int64_t>())]);
        const auto [points, saliency] = makeBatch(chosen, settings.points, settings.jitter);
        const auto output = network->forward(points.to(device));
        return StepOutcome{UaDgcnnImpl::loss(output, saliency.to(device)), {}, {}, batchSize};
    };
    const TrainingLoopResult ran =
        runTrainingLoop(*network, optimizer, loop, step, onProgress, stop);
    RefineTrainingResult result{ran.stepsDone, ran.finished, {}};
    if (!ran.finished) return result;
    result.validation = measure(network, clouds.val, settings, device);
    nlohmann::json training = identity;
    training["device"] = settings.device;
    training["train_parts"] = clouds.train.size();
    training["val_parts"] = clouds.val.size();
    training["skipped"] = clouds.skipped;
    network->to(torch::kCPU);
    saveWeights(settings.out / kWeights, *network);
    writeModelManifest(
        settings.out,
        {{"stage", "refine"},
         {"weights", kWeights},
         {"options", optionsJson(settings.model)},
         {"training", training},
         {"metrics",
          {{"validation",
            {{"parts", result.validation.parts}, {"importance_auc", result.validation.auc}}}}}});
    return result;
}

} // namespace img2cad::ml
