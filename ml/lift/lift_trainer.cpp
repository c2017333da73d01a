// SPDX-License-Identifier: MIT
#include "ml/lift/lift_trainer.h"

#include "cad/metrics/chamfer.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/lift/lift_data.h"
#include "ml/training/model_folder.h"

#include <algorithm>
#include <array>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

constexpr const char* kBaseWeights = "lift.pt";
constexpr const char* kAdapterWeights = "adapters.pt";
constexpr const char* kCheckpointFile = "checkpoint.pt";

/// Where a view lives: the shard, the sample's position in it, the view.
struct ViewRef {
    fs::path shard;
    std::size_t position = 0;
    std::size_t view = 0;
};

/// Every view of the dataset, by its sample's split (indexed by ml::Split).
struct ViewLists {
    std::array<std::vector<ViewRef>, 3> bySplit;
    const std::vector<ViewRef>& of(Split split) const { return bySplit[std::size_t(split)]; }
};

ViewLists listViews(const fs::path& folder) {
    const DatasetManifest manifest = readManifest(folder);
    if (manifest.settings.views <= 0)
        throw Error("'" + folder.string() + "' has no rendered views (made with --views 0)");
    ViewLists lists;
    for (std::int64_t s = 0; s < manifest.shardCount(); ++s) {
        const fs::path shard = folder / manifest.shardFileName(s);
        if (!fs::exists(shard)) continue;
        const std::vector<Sample> headers = readShardHeaders(shard);
        for (std::size_t p = 0; p < headers.size(); ++p)
            for (int v = 0; v < manifest.settings.views; ++v)
                lists.bySplit[std::size_t(headers[p].split)].push_back({shard, p, std::size_t(v)});
    }
    return lists;
}

LiftExample exampleOf(const ViewRef& ref, const LiftingOptions& options, at::Generator generator) {
    const Sample sample = readShardSample(ref.shard, ref.position);
    return liftExample(sample, ref.view, int(options.vit.imageSize),
                       options.queries * options.pointsPerQuery, generator);
}

nlohmann::json runIdentity(const LiftTrainingSettings& s) {
    return {{"data", fs::absolute(s.data).lexically_normal().string()},
            {"model", liftingOptionsToJson(s.model)},
            {"lora", s.lora},
            {"base", s.lora ? fs::absolute(s.base).lexically_normal().string() : ""},
            {"steps", s.steps},
            {"batch_size", s.batchSize},
            {"learning_rate", s.learningRate},
            {"weight_decay", s.weightDecay},
            {"warmup_steps", s.warmupSteps},
            {"seed", s.seed}};
}

LiftMetrics measure(LiftingNetwork& network, const std::vector<ViewRef>& views,
                    const LiftingOptions& options, const torch::Device& device) {
    const bool wasTraining = network->is_training();
    network->eval();
    torch::NoGradGuard noGrad;
    at::Generator generator = at::detail::createCPUGenerator(99);
    std::vector<double> distances;
    for (const ViewRef& ref : views) {
        const LiftExample example = exampleOf(ref, options, generator);
        const torch::Tensor predicted =
            network->forward(example.image.unsqueeze(0).to(device))[0].cpu().contiguous();
        const auto toPoints = [](const torch::Tensor& t) {
            std::vector<cad::Vec3f> points(std::size_t(t.size(0)));
            const float* xyz = t.data_ptr<float>();
            for (std::size_t i = 0; i < points.size(); ++i)
                points[i] = {xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]};
            return points;
        };
        distances.push_back(100.0 * cad::chamferDistance(toPoints(predicted),
                                                         toPoints(example.points.contiguous())));
    }
    network->train(wasTraining);
    LiftMetrics metrics;
    metrics.views = std::int64_t(distances.size());
    metrics.perView = distances;
    if (distances.empty()) return metrics;
    for (double d : distances)
        metrics.meanChamfer += d / double(distances.size());
    std::sort(distances.begin(), distances.end());
    metrics.medianChamfer = distances[distances.size() / 2];
    return metrics;
}

} // namespace

nlohmann::json liftingOptionsToJson(const LiftingOptions& o) {
    return {{"image_size", o.vit.imageSize},
            {"patch_size", o.vit.patchSize},
            {"width", o.vit.width},
            {"heads", o.vit.heads},
            {"layers", o.vit.layers},
            {"dropout", o.vit.dropout},
            {"lora_rank", o.vit.lora.rank},
            {"lora_alpha", o.vit.lora.alpha},
            {"decoder_layers", o.decoderLayers},
            {"queries", o.queries},
            {"points_per_query", o.pointsPerQuery}};
}

LiftingOptions liftingOptionsFromJson(const nlohmann::json& j) {
    try {
        LiftingOptions o;
        o.vit.imageSize = j.at("image_size");
        o.vit.patchSize = j.at("patch_size");
        o.vit.width = j.at("width");
        o.vit.heads = j.at("heads");
        o.vit.layers = j.at("layers");
        o.vit.dropout = j.at("dropout");
        o.vit.lora.rank = j.at("lora_rank");
        o.vit.lora.alpha = j.at("lora_alpha");
        o.decoderLayers = j.at("decoder_layers");
        o.queries = j.at("queries");
        o.pointsPerQuery = j.at("points_per_query");
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("malformed lifting options: ") + e.what());
    }
}

LiftMetrics measureLifter(LiftingNetwork& network, const fs::path& data, Split split,
                          const torch::Device& device) {
    const ViewLists lists = listViews(data);
    const std::vector<ViewRef>& views = lists.of(split);
    if (views.empty()) throw Error("'" + data.string() + "' has no " + splitName(split) + " views");
    network->to(device);
    return measure(network, views, network->options(), device);
}

LiftingNetwork loadLifter(const fs::path& folder, const torch::Device& device) {
    const nlohmann::json manifest = readModelManifest(folder);
    const std::string stage = manifest.value("stage", "");
    LiftingNetwork network{nullptr};
    if (stage == "lift") {
        network = LiftingNetwork(liftingOptionsFromJson(manifest.at("options")));
        loadWeights(folder / kBaseWeights, *network);
    } else if (stage == "lift-lora") {
        network = loadLifter(manifest.at("base").get<std::string>(), torch::kCPU);
        network->loadAdapters(folder / kAdapterWeights);
    } else {
        throw Error("'" + folder.string() + "' holds a " + stage + " model, not a lifter");
    }
    network->to(device);
    network->eval();
    return network;
}

LiftTrainingResult trainLift(const LiftTrainingSettings& settings,
                             const std::function<void(const TrainingProgress&)>& onProgress,
                             const std::atomic<bool>* stop, std::int64_t reportEvery) {
    if (settings.steps <= 0 || settings.batchSize <= 0 || !(settings.learningRate > 0.0))
        throw Error("--steps, --batch and --lr must be positive");
    if (settings.lora && settings.base.empty())
        throw Error("--lora fine-tunes the adapters of a base model: name it with --base");
    const torch::Device device = trainingDevice(settings.device);
    const ViewLists views = listViews(settings.data);
    const std::vector<ViewRef>& train = views.of(Split::Train);
    if (train.empty()) throw Error("'" + settings.data.string() + "' has no training views");
    torch::manual_seed(settings.seed);
    LiftingNetwork network{nullptr};
    LiftingOptions options = settings.model;
    if (settings.lora) {
        network = loadLifter(settings.base, torch::kCPU);
        options = network->options();
        network->train();
        network->setAdaptersOnly(true);
    } else {
        network = LiftingNetwork(options);
    }
    LiftTrainingSettings identitySettings = settings;
    identitySettings.model = options;
    prepareRunFolder(settings.out, runIdentity(identitySettings));
    network->to(device);
    std::vector<torch::Tensor> trainable;
    for (const torch::Tensor& p : network->parameters())
        if (p.requires_grad()) trainable.push_back(p);
    torch::optim::AdamW optimizer(
        trainable,
        torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));

    TrainingLoopSettings loop = warmupCosineLoop(
        settings.steps, settings.learningRate, settings.warmupSteps, settings.checkpointMinutes,
        settings.out / kCheckpointFile, reportEvery, device);
    loop.mixedPrecision = settings.mixedPrecision;
    const auto step = [&](std::int64_t) {
        const torch::Tensor picks =
            torch::randint(std::int64_t(train.size()), {settings.batchSize}, torch::kLong);
        // Point subsets come from a generator seeded by the batch, so resuming repeats them.
        at::Generator generator = at::detail::createCPUGenerator(
            std::uint64_t(picks.sum().item<std::int64_t>()) * 2654435761ull + settings.seed);
        std::vector<LiftExample> examples;
        for (std::int64_t i = 0; i < settings.batchSize; ++i)
            examples.push_back(
                exampleOf(train[std::size_t(picks[i].item<std::int64_t>())], options, generator));
        const auto [images, targets] = stackLiftExamples(examples);
        const torch::Tensor loss =
            chamferLoss(network->forward(images.to(device)), targets.to(device));
        return StepOutcome{loss, {}, {}, settings.batchSize};
    };
    const TrainingLoopResult ran =
        runTrainingLoop(*network, optimizer, loop, step, onProgress, stop);
    LiftTrainingResult result{ran.stepsDone, ran.finished, {}};
    if (!ran.finished) return result;

    // A capture export has no validation split: its held-out views are the test split.
    const std::vector<ViewRef>& validation =
        views.of(Split::Val).empty() ? views.of(Split::Test) : views.of(Split::Val);
    std::vector<ViewRef> held(
        validation.begin(),
        validation.begin() +
            std::min<std::ptrdiff_t>(std::ptrdiff_t(validation.size()), settings.validationViews));
    if (held.empty()) held.push_back(train.front());
    result.validation = measure(network, held, options, device);
    nlohmann::json training = runIdentity(identitySettings);
    training["device"] = settings.device;
    training["train_views"] = train.size();
    training["val_views"] = validation.size();
    const nlohmann::json metrics = {{"validation",
                                     {{"views", result.validation.views},
                                      {"chamfer_x100_mean", result.validation.meanChamfer},
                                      {"chamfer_x100_median", result.validation.medianChamfer}}}};
    network->to(torch::kCPU);
    if (settings.lora) {
        network->saveAdapters(settings.out / kAdapterWeights);
        writeModelManifest(settings.out,
                           {{"stage", "lift-lora"},
                            {"weights", kAdapterWeights},
                            {"base", fs::absolute(settings.base).lexically_normal().string()},
                            {"options", liftingOptionsToJson(options)},
                            {"training", training},
                            {"metrics", metrics}});
    } else {
        saveWeights(settings.out / kBaseWeights, *network);
        writeModelManifest(settings.out, {{"stage", "lift"},
                                          {"weights", kBaseWeights},
                                          {"options", liftingOptionsToJson(options)},
                                          {"training", training},
                                          {"metrics", metrics}});
    }
    return result;
}

} // namespace img2cad::ml
