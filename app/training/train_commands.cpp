// SPDX-License-Identifier: MIT
#include "train_commands.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace img2cad::app {
namespace {

std::atomic<bool> g_stopRequested{false};

extern "C" void requestStop(int) {
    g_stopRequested.store(true);
}

std::string duration(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s / 60 % 60);
    else
        std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
    return text;
}

void printProgress(const ml::TrainingProgress& p) {
    std::ostringstream line;
    line.precision(4);
    line << "step " << p.step << "/" << p.steps << "  loss " << p.loss;
    if (!p.parts.empty()) {
        line << " (";
        bool first = true;
        for (const auto& [name, value] : p.parts) {
            line << (first ? "" : " ") << name << " " << value;
            first = false;
        }
        line << ")";
    }
    line.precision(3);
    for (const auto& [name, value] : p.metrics)
        line << "  " << name << " " << value;
    line << "  " << p.samplesPerSecond << " samples/s  ETA " << duration(p.etaSeconds)
         << (p.checkpointed ? "  [checkpoint]" : "") << (p.resumed ? "  [resumed]" : "");
    std::cerr << line.str() << std::endl;
}

/// A run stopped by Ctrl-C or SIGTERM: where, and how to go on. Returns the exit status.
int reportStopped(std::int64_t stepsDone) {
    std::cerr << "stopped at step " << stepsDone
              << " with a checkpoint; run the same command to resume\n";
    return 130;
}

} // namespace

int runTrainCodebook(const ml::CodebookTrainingSettings& settings) {
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const ml::CodebookTrainingResult result =
        ml::trainCodebook(settings, printProgress, &g_stopRequested);
    if (!result.finished) return reportStopped(result.stepsDone);
    const ml::CodebookMetrics& v = result.validation;
    std::cout << "codebook (" << ml::variantName(settings.model.variant) << ") written to "
              << settings.out.string() << "\n  validation: " << v.programs
              << " programs, row accuracy " << 100.0 * v.rowAccuracy << "%, decoded "
              << 100.0 * v.decodedRatio << "%, mean code usage " << 100.0 * v.meanUsage << "%\n";
    return 0;
}

int runTrainLift(const ml::LiftTrainingSettings& settings) {
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const ml::LiftTrainingResult result = ml::trainLift(settings, printProgress, &g_stopRequested);
    if (!result.finished) return reportStopped(result.stepsDone);
    std::cout << (settings.lora ? "LoRA adapters" : "lifting network") << " written to "
              << settings.out.string() << "\n  validation: " << result.validation.views
              << " views, Chamfer distance x10^2 mean " << result.validation.meanChamfer
              << ", median " << result.validation.medianChamfer << "\n";
    return 0;
}

int runTrainAlign(const ml::AlignTrainingSettings& settings) {
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const ml::AlignTrainingResult result =
        ml::trainAlign(settings, printProgress, &g_stopRequested);
    if (!result.finished) return reportStopped(result.stepsDone);
    std::cout << "aligner written to " << settings.out.string()
              << "\n  validation: " << result.validation.parts << " parts, retrieval top-1 "
              << 100.0 * result.validation.top1 << "%, top-5 " << 100.0 * result.validation.top5
              << "%\n";
    return 0;
}

int runTrainRefine(const ml::RefineTrainingSettings& settings) {
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const ml::RefineTrainingResult result =
        ml::trainRefine(settings, printProgress, &g_stopRequested);
    if (!result.finished) return reportStopped(result.stepsDone);
    std::cout << "refinement network written to " << settings.out.string()
              << "\n  validation: " << result.validation.parts << " parts, importance AUC "
              << result.validation.auc << "\n";
    return 0;
}

int runTrainDiffusion(const ml::DiffusionTrainingSettings& settings) {
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const ml::DiffusionTrainingResult result =
        ml::trainDiffusion(settings, printProgress, &g_stopRequested);
    if (!result.finished) return reportStopped(result.stepsDone);
    std::cout << "denoiser written to " << settings.out.string()
              << "\n  validation: " << result.validation.sequences << " sequences, loss "
              << result.validation.loss << ", masked-token accuracy at t = T/2 "
              << 100.0 * result.validation.maskedAccuracy << "%\n";
    return 0;
}

} // namespace img2cad::app
