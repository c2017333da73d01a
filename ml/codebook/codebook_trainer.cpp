// SPDX-License-Identifier: MIT
#include "ml/codebook/codebook_trainer.h"

#include "cad/atomic_file.h"
#include "cad/text_file.h"
#include "ml/codebook/codebook_data.h"
#include "ml/codebook/codebook_store.h"
#include "ml/error.h"
#include "ml/training/checkpoint.h"
#include "ml/training/lr_schedule.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kCheckpointFile = "checkpoint.pt";
constexpr const char* kTrainingFile = "training.json";

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Device deviceFor(const std::string& name) {
    if (name == "cpu") return torch::kCPU;
    if (name == "cuda") {
        if (!torch::cuda::is_available())
            throw Error("--device cuda: no CUDA device is available to this LibTorch build");
        return torch::kCUDA;
    }
    throw Error("unknown device '" + name + "' (expected cpu or cuda)");
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

/// Prepares the output folder: new, empty, or holding this very run (then it resumes).
void prepareFolder(const CodebookTrainingSettings& settings) {
    const fs::path& out = settings.out;
    if (fs::exists(out) && !fs::is_directory(out))
        throw Error("'" + out.string() + "' exists and is not a folder");
    fs::create_directories(out);
    const nlohmann::json identity = runIdentity(settings);
    const fs::path record = out / kTrainingFile;
    if (fs::exists(record)) {
        nlohmann::json previous;
        try {
            previous = nlohmann::json::parse(cad::readTextFile(record));
        } catch (const std::exception& e) {
            throw Error("'" + record.string() + "' is unreadable: " + e.what());
        }
        if (previous != identity) {
            std::string differences;
            for (const auto& [key, value] : identity.items())
                if (!previous.contains(key) || previous[key] != value)
                    differences += (differences.empty() ? "" : ", ") + key;
            throw Error("'" + out.string() + "' holds another training run (it differs in " +
                        differences + "); choose another --out or remove it");
        }
        return;
    }
    if (!fs::is_empty(out))
        throw Error("'" + out.string() + "' is not empty and holds no training run of ours");
    cad::writeFileAtomically(record, identity.dump(1) + "\n");
}

double meanUsage(const CadCodebook& codebook) {
    double sum = 0.0;
    const auto health = codebook->health();
    for (const auto& h : health)
        sum += h.usage;
    return health.empty() ? 0.0 : sum / double(health.size());
}

nlohmann::json metricsJson(const CodebookMetrics& m) {
    return {{"programs", m.programs},
            {"row_accuracy", m.rowAccuracy},
            {"decoded_ratio", m.decodedRatio},
            {"mean_code_usage", m.meanUsage},
            {"code_usage", m.usage}};
}

} // namespace

CodebookMetrics measureCodebook(CadCodebook& codebook,
                                const std::vector<CodebookExample>& examples) {
    CodebookMetrics metrics;
    std::int64_t rows = 0, right = 0, decoded = 0;
    std::map<std::string, std::set<std::int64_t>> used;
    for (const CodebookExample& example : examples) {
        const auto reconstruction = codebook->reconstruct(example);
        rows += reconstruction.rows;
        right += reconstruction.rowsCorrect;
        decoded += reconstruction.error.empty();
        for (const auto& [name, codes] : reconstruction.codes)
            used[name].insert(codes.begin(), codes.end());
    }
    metrics.programs = std::int64_t(examples.size());
    metrics.rowAccuracy = rows ? double(right) / double(rows) : 0.0;
    metrics.decodedRatio = examples.empty() ? 0.0 : double(decoded) / double(examples.size());
    for (const auto& [name, codes] : used) {
        metrics.usage[name] = double(codes.size()) / double(codebook->options().codes);
        metrics.meanUsage += metrics.usage[name] / double(used.size());
    }
    return metrics;
}

CodebookTrainingResult trainCodebook(const CodebookTrainingSettings& settings,
                                     const std::function<void(const CodebookProgress&)>& onProgress,
                                     const std::atomic<bool>* stop, std::int64_t reportEvery) {
    validate(settings);
    const torch::Device device = deviceFor(settings.device);
    const CodebookData data = loadCodebookData(settings.data);
    prepareFolder(settings);
    const auto start = Clock::now();

    torch::manual_seed(settings.seed);
    CadCodebook model(settings.model);
    model->fitStandardisation(data.train);
    model->to(device);
    model->train();
    torch::optim::AdamW optimizer(
        model->parameters(),
        torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));
    const fs::path checkpoint = settings.out / kCheckpointFile;
    TrainingState state;
    const bool resumed = fs::exists(checkpoint);
    if (resumed) state = loadCheckpoint(checkpoint, *model, optimizer, device);

    const WarmupCosineSchedule schedule{settings.learningRate, settings.warmupSteps, settings.steps,
                                        0.01};
    const auto trainCount = std::int64_t(data.train.size());
    CodebookProgress progress;
    progress.steps = settings.steps;
    progress.resumed = resumed;
    auto windowStart = Clock::now();
    auto lastCheckpoint = Clock::now();
    std::int64_t windowSteps = 0;
    double usageSum = 0.0;
    const auto report = [&](bool checkpointed) {
        const double seconds = std::max(1e-9, secondsSince(windowStart));
        progress.step = state.step;
        progress.loss /= double(std::max<std::int64_t>(1, windowSteps));
        for (auto& [name, value] : progress.parts)
            value /= double(std::max<std::int64_t>(1, windowSteps));
        progress.usage = windowSteps ? usageSum / double(windowSteps) : meanUsage(model);
        progress.sequencesPerSecond = double(windowSteps * settings.batchSize) / seconds;
        progress.etaSeconds =
            windowSteps ? double(settings.steps - state.step) * (seconds / double(windowSteps))
                        : 0.0;
        progress.checkpointed = checkpointed;
        if (onProgress) onProgress(progress);
        progress = CodebookProgress{};
        progress.steps = settings.steps;
        windowStart = Clock::now();
        windowSteps = 0;
        usageSum = 0.0;
    };

    while (state.step < settings.steps) {
        if (stop && stop->load()) {
            saveCheckpoint(checkpoint, *model, optimizer, state);
            report(true);
            return {state.step, false, {}, secondsSince(start)};
        }
        const double rate = schedule.rateAt(state.step);
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(rate);
        const torch::Tensor picks = torch::randint(trainCount, {settings.batchSize}, torch::kLong);
        std::vector<const CodebookExample*> batch;
        for (std::int64_t i = 0; i < settings.batchSize; ++i)
            batch.push_back(&data.train[std::size_t(picks[i].item<std::int64_t>())]);
        const double skipKeep =
            settings.skipKeepStart *
            std::max(0.0, 1.0 - double(state.step) / (0.5 * double(settings.steps)));
        model->resetUsage();
        auto losses = model->loss(batch, skipKeep);
        optimizer.zero_grad();
        losses.total.backward();
        torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
        optimizer.step();
        ++state.step;
        ++windowSteps;
        progress.loss += losses.total.item<double>();
        for (const auto& [name, value] : losses.parts)
            progress.parts[name] += value;
        usageSum += meanUsage(model);

        const bool due = secondsSince(lastCheckpoint) > 60.0 * settings.checkpointMinutes;
        if (due || state.step == settings.steps) {
            saveCheckpoint(checkpoint, *model, optimizer, state);
            lastCheckpoint = Clock::now();
        }
        if (due || state.step % reportEvery == 0 || state.step == settings.steps) report(due);
    }

    CodebookTrainingResult result;
    result.stepsDone = state.step;
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
