// SPDX-License-Identifier: MIT
#pragma once
// Training the CAD codebook (`img2cadseq train codebook`): AdamW with warm-up and cosine decay
// (paper section 4.2), batches of programs drawn by the checkpointed random generator, the
// masked skip path annealed away over the first half, a checkpoint every few minutes and at the
// end, and resumption from the last checkpoint when the same command runs again. The finished
// model lands in the output folder as codebook.pt + model.json with its validation metrics.

#include "ml/codebook/cad_codebook.h"
#include "ml/training/training_loop.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace img2cad::ml {

struct CodebookTrainingSettings {
    std::filesystem::path data; ///< a dataset folder
    std::filesystem::path out;  ///< the model folder (new, or this run's to resume)
    CodebookOptions model;
    std::int64_t steps = 20000;
    std::int64_t batchSize = 64; ///< programs per step
    double learningRate = 1e-4;  ///< the paper's
    double weightDecay = 0.01;
    std::int64_t warmupSteps = 500;
    double skipKeepStart = 0.5; ///< share of sequences keeping the skip path at step 0
    double checkpointMinutes = 5.0;
    std::uint64_t seed = 0;
    std::string device = "cpu";            ///< "cpu" or "cuda"
    bool mixedPrecision = false;           ///< bfloat16 forward passes (ml/mixed_precision.h)
    std::int64_t validationPrograms = 200; ///< held-out programs measured at the end
};

struct CodebookMetrics {
    std::int64_t programs = 0;
    double rowAccuracy = 0.0;  ///< rows whose categorical fields all came back right
    double decodedRatio = 0.0; ///< programs whose codes decode to a program
    double meanUsage = 0.0;    ///< share of codes the evaluated programs use, over codebooks
    std::map<std::string, double> usage; ///< per codebook
    /// exp(entropy) of each codebook's code frequencies over the evaluated rows: the number of
    /// equally used codes that would carry as much information (usage counts a code used once
    /// the same as one used everywhere).
    double meanPerplexity = 0.0;
    std::map<std::string, double> perplexity; ///< per codebook
};

/// Measures a codebook on programs (decoding only; the benchmark also compiles and compares
/// shapes).
CodebookMetrics measureCodebook(CadCodebook& codebook,
                                const std::vector<CodebookExample>& examples);

/// Trains (or resumes) and writes the model; `onProgress` is called every `reportEvery` steps
/// and at checkpoints, with the code usage as the metric "code usage". Setting `stop` makes the
/// trainer checkpoint and return early (resume by running again). Throws ml::Error for bad
/// settings, data or folders.
struct CodebookTrainingResult {
    std::int64_t stepsDone = 0;
    bool finished = false;
    CodebookMetrics validation;
    double secondsSpent = 0.0;
};
CodebookTrainingResult trainCodebook(const CodebookTrainingSettings& settings,
                                     const std::function<void(const TrainingProgress&)>& onProgress,
                                     const std::atomic<bool>* stop = nullptr,
                                     std::int64_t reportEvery = 20);

} // namespace img2cad::ml
