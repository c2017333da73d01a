// SPDX-License-Identifier: MIT
#include "ml/codebook/codebook_trainer.h"

#include "ml/codebook/codebook_data.h"
#include "ml/codebook/codebook_store.h"
#include "ml/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kCheckpointFile = "checkpoint.pt";

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// What makes two runs the same run: everything but the device and checkpoint cadence (a run
/// may resume on another machine).
nlohmann::json runIdentity(const CodebookTrainingSettings& s) {
    return {{"data", fs::absolute(s.data).lexically_normal().string()},
            {"model", codebookOptionsToJson(s.model)},
            {"steps", s.steps},
            {"batch_size", s.batchSize},
            {"learning_rate", s.learningRate},
            {"weight_decay", s.weightDecay},
            {"warmup_steps", s.warmupSteps},
            {"skip_keep_start", s.skipKeepStart},
            {"seed", s.seed}};
}

void validate(const CodebookTrainingSettings& s) {
    if (s.steps <= 0) throw Error("--steps must be positive");
    if (s.batchSize <= 0) throw Error("--batch must be positive");
    if (!(s.learningRate > 0.0)) throw Error("--lr must be positive");
    if (s.warmupSteps < 0 || s.warmupSteps > s.steps)
        throw Error("--warmup must lie between 0 and --steps");
    if (!(s.checkpointMinutes > 0.0)) throw Error("--checkpoint-minutes must be positive");
    codebookOptionsFromJson(codebookOptionsToJson(s.model)); // range checks
}

double meanUsage(const CadCodebook& codebook) {
    double sum = 0.0;
    const auto health = codebook->health();
    for (const auto& h : health)
        sum += h.usage;
    return health.empty() ? 0.0 : sum / double(health.size());
}

nlohmann::json metricsJson(const CodebookMetrics& m) {
    nlohmann::json json;
    json["programs"] = m.programs;
    json["row_accuracy"] = m.rowAccuracy;
    json["decoded_ratio"] = m.decodedRatio;
    json["mean_code_usage"] = m.meanUsage;
    json["code_usage"] = m.usage;
    json["mean_code_perplexity"] = m.meanPerplexity;
    json["code_perplexity"] = m.perplexity;
    return json;
}

} // namespace

CodebookMetrics measureCodebook(CadCodebook& codebook,
                                const std::vector<CodebookExample>& examples) {
    CodebookMetrics metrics;
    std::int64_t rows = 0, right = 0, decoded = 0;
    std::map<std::string, std::map<std::int64_t, std::int64_t>> counts; // codebook -> code -> rows
    for (const CodebookExample& example : examples) {
        const auto reconstruction = codebook->reconstruct(example);
        rows += reconstruction.rows;
        right += reconstruction.rowsCorrect;
        decoded += reconstruction.error.empty();
        for (const auto& [name, codes] : reconstruction.codes)
            for (std::int64_t code : codes)
                ++counts[name][code];
    }
    metrics.programs = std::int64_t(examples.size());
    metrics.rowAccuracy = rows ? double(right) / double(rows) : 0.0;
    metrics.decodedRatio = examples.empty() ? 0.0 : double(decoded) / double(examples.size());
    for (const auto& [name, histogram] : counts) {
        std::int64_t total = 0;
        for (const auto& entry : histogram)
            total += entry.second;
        double entropy = 0.0;
        for (const auto& entry : histogram) {
            const double p = double(entry.second) / double(total);
            entropy -= p * std::log(p);
        }
        metrics.usage[name] = double(histogram.size()) / double(codebook->options().codes);
        metrics.perplexity[name] = std::exp(entropy);
        metrics.meanUsage += metrics.usage[name] / double(counts.size());
        metrics.meanPerplexity += metrics.perplexity[name] / double(counts.size());
    }
    return metrics;
}

CodebookTrainingResult trainCodebook(const CodebookTrainingSettings& settings,
                                     const std::function<void(const TrainingProgress&)>& onProgress,
                                     const std::atomic<bool>* stop, std::int64_t reportEvery) {
    validate(settings);
    const torch::Device device = trainingDevice(settings.device);
    const CodebookData data = loadCodebookData(settings.data);
    prepareRunFolder(settings.out, runIdentity(settings));
    const auto start = Clock::now();

    torch::manual_seed(settings.seed);
    CadCodebook model(settings.model);
    model->fitStandardisation(data.train);
    model->to(device);
    model->train();
    torch::optim::AdamW optimizer(
        model->parameters(),
        torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));

    TrainingLoopSettings loop;
    loop.steps = settings.steps;
    loop.schedule = {settings.learningRate, settings.warmupSteps, settings.steps, 0.01};
    loop.checkpointMinutes = settings.checkpointMinutes;
    loop.checkpoint = settings.out / kCheckpointFile;
    loop.reportEvery = reportEvery;
    loop.device = device;
    loop.mixedPrecision = settings.mixedPrecision;
    const auto trainCount = std::int64_t(data.train.size());
    const auto step = [&](std::int64_t index) {
        const torch::Tensor picks = torch::randint(trainCount, {settings.batchSize}, torch::kLong);
        std::vector<const CodebookExample*> batch;
        for (std::int64_t i = 0; i < settings.batchSize; ++i)
            batch.push_back(&data.train[std::size_t(picks[i].item<std::int64_t>())]);
        // The masked skip path fades out over the first half of training.
        const double skipKeep = settings.skipKeepStart *
                                std::max(0.0, 1.0 - double(index) / (0.5 * double(settings.steps)));
        model->resetUsage();
        CadCodebookImpl::Losses losses = model->loss(batch, skipKeep);
        StepOutcome outcome{losses.total, losses.parts, {}, settings.batchSize};
        outcome.metrics["code usage"] = meanUsage(model);
        outcome.metrics["perplexity"] = losses.perplexity;
        return outcome;
    };
    const TrainingLoopResult ran = runTrainingLoop(*model, optimizer, loop, step, onProgress, stop);
    if (!ran.finished) return {ran.stepsDone, false, {}, secondsSince(start)};

    CodebookTrainingResult result;
    result.stepsDone = ran.stepsDone;
    result.finished = true;
    std::vector<CodebookExample> held(
        data.val.begin(),
        data.val.begin() +
            std::min<std::ptrdiff_t>(std::ptrdiff_t(data.val.size()), settings.validationPrograms));
    if (held.empty()) held.assign(data.train.begin(), data.train.begin() + 1);
    result.validation = measureCodebook(model, held);
    result.secondsSpent = secondsSince(start);
    nlohmann::json training = runIdentity(settings);
    training["device"] = settings.device;
    training["train_programs"] = data.train.size();
    training["val_programs"] = data.val.size();
    training["skipped_programs"] = data.skipped;
    training["seconds_this_session"] = result.secondsSpent;
    saveCodebook(model, settings.out, training, {{"validation", metricsJson(result.validation)}});
    return result;
}

} // namespace img2cad::ml
