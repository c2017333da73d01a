// SPDX-License-Identifier: MIT
#include "ml/align/align_trainer.h"

#include "cad/program_json.h"
#include "ml/codebook/cad_tokens.h"
#include "ml/codebook/codebook_store.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/point_tensor.h"
#include "ml/training/model_folder.h"

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

constexpr const char* kWeights = "align.pt";
constexpr const char* kCheckpointFile = "checkpoint.pt";

struct Pair {
    std::vector<std::int64_t> tokens;
    torch::Tensor points; ///< [N, 3]
};

struct Pairs {
    std::vector<Pair> train, val;
    std::int64_t skipped = 0;
};

/// Tokenises the dataset's programs (minutes for thousands); returns early, with what it has,
/// when `stop` is set.
Pairs loadPairs(const fs::path& folder, CadCodebook& codebook, std::int64_t maxTokens,
                const std::atomic<bool>* stop) {
    Pairs pairs;
    forEachSample(
        folder,
        [&](const Sample& sample) {
            if (stop && stop->load()) return false;
            if (sample.split == Split::Test || sample.programJson.empty() ||
                sample.points.positions.empty()) {
                pairs.skipped += sample.split != Split::Test;
                return true;
            }
            try {
                Pair pair;
                pair.tokens = programTokens(
                    codebook, makeCodebookExample(cad::programFromJson(sample.programJson)));
                if (std::int64_t(pair.tokens.size()) > maxTokens) {
                    ++pairs.skipped;
                    return true;
                }
                pair.points = pointsTensor(sample.points.positions);
                (sample.split == Split::Train ? pairs.train : pairs.val).push_back(std::move(pair));
            } catch (const std::exception&) {
                ++pairs.skipped;
            }
            return true;
        },
        SampleFields::WithoutViews);
    if (stop && stop->load()) return pairs;
    if (pairs.train.size() < 2)
        throw Error("'" + folder.string() + "' has fewer than two trainable program/point pairs");
    return pairs;
}

/// Pairs as a batch: points subsampled to `points` each, tokens right-padded.
struct Batch {
    torch::Tensor points, tokens, padding;
};
Batch makeBatch(const std::vector<const Pair*>& pairs, std::int64_t points,
                at::Generator generator) {
    std::int64_t longest = 1;
    for (const Pair* p : pairs)
        longest = std::max<std::int64_t>(longest, std::int64_t(p->tokens.size()));
    const std::int64_t b = std::int64_t(pairs.size());
    Batch batch{torch::empty({b, points, 3}), torch::zeros({b, longest}, torch::kLong),
                torch::ones({b, longest}, torch::kBool)};
    for (std::int64_t i = 0; i < b; ++i) {
        const Pair& pair = *pairs[std::size_t(i)];
        const std::int64_t n = pair.points.size(0);
        const torch::Tensor pick =
            n >= points ? torch::randperm(n, generator, torch::kLong).narrow(0, 0, points)
                        : torch::randint(n, {points}, generator, torch::kLong);
        batch.points[i].copy_(pair.points.index_select(0, pick));
        const auto length = std::int64_t(pair.tokens.size());
        batch.tokens[i].narrow(0, 0, length).copy_(torch::tensor(pair.tokens, torch::kLong));
        batch.padding[i].narrow(0, 0, length).fill_(false);
    }
    return batch;
}

RetrievalMetrics measure(ContrastiveAligner& aligner, const std::vector<Pair>& pairs,
                         std::int64_t points, const torch::Device& device) {
    RetrievalMetrics metrics;
    if (pairs.empty()) return metrics;
    aligner->eval();
    torch::NoGradGuard noGrad;
    at::Generator generator = at::detail::createCPUGenerator(17);
    std::vector<torch::Tensor> zPoints, zCad;
    for (std::size_t first = 0; first < pairs.size(); first += 64) {
        std::vector<const Pair*> chunk;
        for (std::size_t i = first; i < std::min(pairs.size(), first + 64); ++i)
            chunk.push_back(&pairs[i]);
        const Batch batch = makeBatch(chunk, points, generator);
        const auto z = aligner->forward(batch.points.to(device), batch.tokens.to(device),
                                        batch.padding.to(device));
        zPoints.push_back(z.zPoints.cpu());
        zCad.push_back(z.zCad.cpu());
    }
    aligner->train();
    const torch::Tensor p = torch::cat(zPoints), c = torch::cat(zCad);
    metrics.parts = p.size(0);
    metrics.top1 = retrievalAccuracy(p, c, 1);
    metrics.top5 = retrievalAccuracy(p, c, 5);
    return metrics;
}

nlohmann::json optionsJson(const AlignmentOptions& o) {
    return {{"embedding", o.embedding},
            {"vocabulary", o.vocabulary},
            {"width", o.width},
            {"heads", o.heads},
            {"layers", o.layers},
            {"max_tokens", o.maxTokens},
            {"initial_temperature", o.initialTemperature}};
}

AlignmentOptions optionsFromJson(const nlohmann::json& j) {
    try {
        AlignmentOptions o;
        o.embedding = j.at("embedding");
        o.vocabulary = j.at("vocabulary");
        o.width = j.at("width");
        o.heads = j.at("heads");
        o.layers = j.at("layers");
        o.maxTokens = j.at("max_tokens");
        o.initialTemperature = j.at("initial_temperature");
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("malformed alignment options: ") + e.what());
    }
}

} // namespace

ContrastiveAligner loadAligner(const fs::path& folder, const torch::Device& device) {
    const nlohmann::json manifest = readModelManifest(folder, "align");
    ContrastiveAligner aligner(optionsFromJson(manifest.at("options")));
    loadWeights(folder / kWeights, *aligner);
    aligner->to(device);
    aligner->eval();
    return aligner;
}

AlignTrainingResult trainAlign(const AlignTrainingSettings& settings,
                               const std::function<void(const TrainingProgress&)>& onProgress,
                               const std::atomic<bool>* stop, std::int64_t reportEvery) {
    if (settings.steps <= 0 || settings.batchSize < 2 || !(settings.learningRate > 0.0) ||
        settings.points <= 0)
        throw Error("--steps, --points and --lr must be positive and --batch at least 2");
    const torch::Device device = trainingDevice(settings.device);
    CadCodebook codebook = loadCodebook(settings.codebook);
    AlignmentOptions options = settings.model;
    options.vocabulary = tokenVocabulary(codebook).size();
    const Pairs pairs = loadPairs(settings.data, codebook, options.maxTokens, stop);
    if (stop && stop->load()) return {};
    const nlohmann::json identity = {
        {"data", fs::absolute(settings.data).lexically_normal().string()},
        {"codebook", fs::absolute(settings.codebook).lexically_normal().string()},
        {"model", optionsJson(options)},
        {"points", settings.points},
        {"steps", settings.steps},
        {"batch_size", settings.batchSize},
        {"learning_rate", settings.learningRate},
        {"weight_decay", settings.weightDecay},
        {"warmup_steps", settings.warmupSteps},
        {"seed", settings.seed}};
    prepareRunFolder(settings.out, identity);

    torch::manual_seed(settings.seed);
    ContrastiveAligner aligner(options);
    aligner->to(device);
    torch::optim::AdamW optimizer(
        aligner->parameters(),
        torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));
    TrainingLoopSettings loop = warmupCosineLoop(
        settings.steps, settings.learningRate, settings.warmupSteps, settings.checkpointMinutes,
        settings.out / kCheckpointFile, reportEvery, device);
    loop.mixedPrecision = settings.mixedPrecision;
    const std::int64_t batchSize =
        std::min<std::int64_t>(settings.batchSize, std::int64_t(pairs.train.size()));
    const auto step = [&](std::int64_t) {
        const torch::Tensor picks =
            torch::randperm(std::int64_t(pairs.train.size()), torch::kLong).narrow(0, 0, batchSize);
        std::vector<const Pair*> chosen;
        for (std::int64_t i = 0; i < batchSize; ++i)
            chosen.push_back(&pairs.train[std::size_t(picks[i].item<std::int64_t>())]);
        at::Generator generator = at::detail::createCPUGenerator(
            std::uint64_t(picks.sum().item<std::int64_t>()) * 2654435761ull + settings.seed);
        const Batch batch = makeBatch(chosen, settings.points, generator);
        const auto z = aligner->forward(batch.points.to(device), batch.tokens.to(device),
                                        batch.padding.to(device));
        StepOutcome outcome{aligner->loss(z), {}, {}, batchSize};
        outcome.metrics["temperature"] = aligner->temperature();
        return outcome;
    };
    const TrainingLoopResult ran =
        runTrainingLoop(*aligner, optimizer, loop, step, onProgress, stop);
    AlignTrainingResult result{ran.stepsDone, ran.finished, {}};
    if (!ran.finished) return result;
    result.validation = measure(aligner, pairs.val, settings.points, device);
    nlohmann::json training = identity;
    training["device"] = settings.device;
    training["train_pairs"] = pairs.train.size();
    training["val_pairs"] = pairs.val.size();
    training["skipped"] = pairs.skipped;
    aligner->to(torch::kCPU);
    saveWeights(settings.out / kWeights, *aligner);
    writeModelManifest(settings.out,
                       {{"stage", "align"},
                        {"weights", kWeights},
                        {"codebook", fs::absolute(settings.codebook).lexically_normal().string()},
                        {"options", optionsJson(options)},
                        {"training", training},
                        {"metrics",
                         {{"validation",
                           {{"parts", result.validation.parts},
                            {"retrieval_top1", result.validation.top1},
                            {"retrieval_top5", result.validation.top5}}}}}});
    return result;
}

} // namespace img2cad::ml
