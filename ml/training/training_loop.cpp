// SPDX-License-Identifier: MIT
#include "ml/training/training_loop.h"

#include "cad/atomic_file.h"
#include "cad/text_file.h"
#include "ml/error.h"
#include "ml/mixed_precision.h"
#include "ml/training/distributed.h"

#include <algorithm>
#include <chrono>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void setLearningRate(torch::optim::Optimizer& optimizer, double rate) {
    for (auto& group : optimizer.param_groups())
        group.options().set_lr(rate);
}

} // namespace

TrainingLoopResult runTrainingLoop(torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                                   const TrainingLoopSettings& settings,
                                   const std::function<StepOutcome(std::int64_t step)>& step,
                                   const std::function<void(const TrainingProgress&)>& onProgress,
                                   const std::atomic<bool>* stop) {
    TrainingState state;
    const bool resumed = fs::exists(settings.checkpoint);
    if (resumed) state = loadCheckpoint(settings.checkpoint, model, optimizer, settings.device);
    if (state.step > settings.steps)
        throw Error("the run in '" + settings.checkpoint.parent_path().string() + "' is at step " +
                    std::to_string(state.step) + ": --steps can end it there or later, not at " +
                    std::to_string(settings.steps));
    DistributedGroup* group = processGroup();
    if (group) {
        group->requireSame(state.step, "the step to start from (their checkpoints)");
        // Same seed, same draws so far: give each rank its own batches from here on. A resumed
        // rank's generator already is its own (restored from its checkpoint).
        if (!resumed)
            torch::manual_seed(std::uint64_t(torch::randint(1LL << 40, {1}).item<std::int64_t>()) +
                               std::uint64_t(group->rank()));
        group->broadcastState(model);
    }

    TrainingProgress window;
    window.steps = settings.steps;
    window.resumed = resumed;
    std::int64_t windowSteps = 0, windowSamples = 0;
    auto windowStart = Clock::now();
    auto lastCheckpoint = Clock::now();
    const auto report = [&](bool checkpointed) {
        const double seconds = std::max(1e-9, secondsSince(windowStart));
        const double count = double(std::max<std::int64_t>(1, windowSteps));
        window.step = state.step;
        if (group) { // the group's mean loss and its throughput
            window.loss = group->sum(window.loss) / double(group->size());
            windowSamples = std::int64_t(group->sum(double(windowSamples)));
        }
        window.loss /= count;
        for (auto& [name, value] : window.parts)
            value /= count;
        for (auto& [name, value] : window.metrics)
            value /= count;
        window.samplesPerSecond = double(windowSamples) / seconds;
        window.etaSeconds = windowSteps ? double(settings.steps - state.step) * seconds / count : 0;
        window.checkpointed = checkpointed;
        if (onProgress) onProgress(window);
        window = TrainingProgress{};
        window.steps = settings.steps;
        windowSteps = windowSamples = 0;
        windowStart = Clock::now();
    };

    while (state.step < settings.steps) {
        bool stopRequested = stop && stop->load();
        if (group) stopRequested = group->any(stopRequested); // every rank stops at this step
        if (stopRequested) {
            saveCheckpoint(settings.checkpoint, model, optimizer, state);
            // Only a window with steps has a mean loss: an empty one would report 0.
            if (windowSteps > 0) report(true);
            return {state.step, false};
        }
        setLearningRate(optimizer, settings.schedule.rateAt(state.step));
        const StepOutcome outcome = [&] {
            const MixedPrecisionScope precision(settings.device, settings.mixedPrecision);
            return step(state.step);
        }();
        optimizer.zero_grad();
        outcome.loss.backward();
        if (group) group->averageGradients(model);
        if (settings.clipNorm > 0.0)
            torch::nn::utils::clip_grad_norm_(model.parameters(), settings.clipNorm);
        optimizer.step();
        if (group) group->broadcastBuffers(model);
        ++state.step;
        ++windowSteps;
        windowSamples += outcome.samples;
        window.loss += outcome.loss.item<double>();
        for (const auto& [name, value] : outcome.parts)
            window.parts[name] += value;
        for (const auto& [name, value] : outcome.metrics)
            window.metrics[name] += value;

        bool due = secondsSince(lastCheckpoint) > 60.0 * settings.checkpointMinutes;
        if (group) due = group->any(due); // the ranks' checkpoints hold the same step
        if (due || state.step == settings.steps) {
            saveCheckpoint(settings.checkpoint, model, optimizer, state);
            lastCheckpoint = Clock::now();
        }
        if (due || state.step % settings.reportEvery == 0 || state.step == settings.steps)
            report(due);
    }
    return {state.step, true};
}

TrainingLoopSettings warmupCosineLoop(std::int64_t steps, double learningRate,
                                      std::int64_t warmupSteps, double checkpointMinutes,
                                      const std::filesystem::path& checkpoint,
                                      std::int64_t reportEvery, const torch::Device& device) {
    TrainingLoopSettings loop;
    loop.steps = steps;
    loop.schedule = {learningRate, std::min(warmupSteps, steps), steps, 0.01};
    loop.checkpointMinutes = checkpointMinutes;
    loop.checkpoint = checkpoint;
    loop.reportEvery = reportEvery;
    loop.device = device;
    return loop;
}

torch::Device trainingDevice(const std::string& name) {
    if (name == "cpu") return torch::kCPU;
    if (name == "cuda") {
        if (!torch::cuda::is_available())
            throw Error("--device cuda: no CUDA device is available to this LibTorch build");
        return torch::kCUDA;
    }
    throw Error("unknown device '" + name + "' (expected cpu or cuda)");
}

void prepareRunFolder(const fs::path& folder, const nlohmann::json& identity) {
    constexpr const char* kRecord = "training.json";
    if (fs::exists(folder) && !fs::is_directory(folder))
        throw Error("'" + folder.string() + "' exists and is not a folder");
    fs::create_directories(folder);
    const fs::path record = folder / kRecord;
    if (fs::exists(record)) {
        nlohmann::json previous;
        try {
            previous = nlohmann::json::parse(cad::readTextFile(record));
        } catch (const std::exception& e) {
            throw Error("'" + record.string() + "' is unreadable: " + e.what());
        }
        // The number of steps is not part of a run's identity: the same run may end sooner
        // (finishing a paused run at its step writes its model) or go on longer.
        std::string differences;
        for (const auto& [key, value] : identity.items())
            if (key != "steps" && (!previous.contains(key) || previous[key] != value))
                differences += (differences.empty() ? "" : ", ") + key;
        if (differences.empty()) return;
        throw Error("'" + folder.string() + "' holds another training run (it differs in " +
                    differences + "); choose another --out or remove it");
    }
    if (!fs::is_empty(folder))
        throw Error("'" + folder.string() + "' is not empty and holds no training run of ours");
    cad::writeFileAtomically(record, identity.dump(1) + "\n");
}

} // namespace img2cad::ml
