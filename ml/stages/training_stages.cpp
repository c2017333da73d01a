// SPDX-License-Identifier: MIT
#include "ml/stages/training_stages.h"

#include "ml/align/align_trainer.h"
#include "ml/codebook/codebook_trainer.h"
#include "ml/diffusion/diffusion_trainer.h"
#include "ml/error.h"
#include "ml/lift/lift_trainer.h"
#include "ml/refine/refine_trainer.h"
#include "ml/retrieval/part_library.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <type_traits>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMixedPrecisionHelp =
    "bfloat16 forward passes (autocast) on the training device; weights stay float32";

/// The whole of `text` as a number, or an error naming the option.
template <typename T> T parseNumber(const std::string& flag, const std::string& text) {
    std::istringstream in(text);
    T value{};
    in >> value;
    if (text.empty() || in.fail() || !(in >> std::ws).eof() ||
        (std::is_unsigned_v<T> && text.find('-') != std::string::npos))
        throw Error(flag + " wants a number, not '" + text + "'");
    return value;
}

std::string percent(double share) {
    std::ostringstream text;
    text << 100.0 * share << "%";
    return text.str();
}

} // namespace

TrainingStage::TrainingStage(std::string name, std::string description)
    : m_name(std::move(name)), m_description(std::move(description)) {}

template <typename T>
void TrainingStage::bind(const std::string& flag, T& field, const std::string& help,
                         bool required) {
    StageOption option{flag, help, StageOption::Kind::Text, required};
    Binding binding;
    if constexpr (std::is_same_v<T, bool>) {
        option.kind = StageOption::Kind::Flag;
        binding.get = [&field] { return std::string(field ? "true" : "false"); };
        binding.set = [&field, flag](const std::string& text) {
            if (text == "true" || text == "1" || text.empty())
                field = true;
            else if (text == "false" || text == "0")
                field = false;
            else
                throw Error(flag + " is a switch: true or false, not '" + text + "'");
        };
    } else if constexpr (std::is_arithmetic_v<T>) {
        option.kind = std::is_integral_v<T> ? StageOption::Kind::Integer : StageOption::Kind::Real;
        binding.get = [&field] {
            std::ostringstream text;
            text << field;
            return text.str();
        };
        binding.set = [&field, flag](const std::string& text) {
            field = parseNumber<T>(flag, text);
        };
    } else if constexpr (std::is_same_v<T, fs::path>) {
        option.kind = StageOption::Kind::Folder;
        binding.get = [&field] { return field.string(); };
        binding.set = [&field](const std::string& text) { field = text; };
    } else {
        static_assert(std::is_same_v<T, std::string>, "options are numbers, text or folders");
        binding.get = [&field] { return field; };
        binding.set = [&field](const std::string& text) { field = text; };
    }
    m_options.push_back(std::move(option));
    m_bindings.push_back(std::move(binding));
}

std::string TrainingStage::value(const std::string& flag) const {
    for (std::size_t i = 0; i < m_options.size(); ++i)
        if (m_options[i].flag == flag) return m_bindings[i].get();
    throw Error("train " + m_name + " has no option " + flag);
}

void TrainingStage::set(const std::string& flag, const std::string& text) {
    for (std::size_t i = 0; i < m_options.size(); ++i)
        if (m_options[i].flag == flag) return m_bindings[i].set(text);
    throw Error("train " + m_name + " has no option " + flag);
}

void TrainingStage::checkRequired() const {
    std::string missing;
    for (std::size_t i = 0; i < m_options.size(); ++i)
        if (m_options[i].required && m_bindings[i].get().empty())
            missing += (missing.empty() ? "" : ", ") + m_options[i].flag;
    if (!missing.empty()) throw Error("train " + m_name + " needs " + missing);
}

namespace {

class CodebookStage : public TrainingStage {
public:
    CodebookStage()
        : TrainingStage("codebook",
                        "Train the hierarchical CAD codebook (or an ablation variant)") {
        auto& s = m_settings;
        bind("--data", s.data, "Dataset folder", true);
        bind("--out", s.out, "Model folder (new, or this run's)", true);
        bind("--variant", m_variant, "hierarchical, flat (Model 1), disentangled (Model 2)");
        bind("--steps", s.steps);
        bind("--batch", s.batchSize, "Programs per step");
        bind("--lr", s.learningRate);
        bind("--warmup", s.warmupSteps);
        bind("--width", s.model.width);
        bind("--heads", s.model.heads);
        bind("--layers", s.model.layers);
        bind("--codes", s.model.codes, "Codes per codebook");
        bind("--depth", s.model.depth, "Residual codes per row");
        bind("--length-bins", s.model.lengthBins,
             "CC chord lengths also classified into this many bins; 0 = regression alone");
        bind("--length-bin-weight", s.model.lengthBinWeight);
        bind("--code-dim", s.model.codeDim, "Code vector dimension; 0 = the model width");
        bind("--dropout", s.model.dropout);
        bind("--length-log-offset", s.model.lengthLogOffset,
             "CC chord lengths modelled as log(l + offset); 0 = as they are");
        bind("--trajectory-weight", s.model.trajectoryWeight,
             "Weight of the loss on where each curve ends along its loop; 0 = off (the paper)");
        bind("--checkpoint-minutes", s.checkpointMinutes);
        bind("--seed", s.seed);
        bind("--device", s.device, "cpu or cuda");
        bind("--mixed-precision", s.mixedPrecision, kMixedPrecisionHelp);
    }
    fs::path outFolder() const override { return m_settings.out; }
    StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                       const std::atomic<bool>* stop) override {
        checkRequired();
        CodebookTrainingSettings settings = m_settings;
        settings.model.variant = parseVariant(m_variant);
        const CodebookTrainingResult r = trainCodebook(settings, onProgress, stop);
        const CodebookMetrics& v = r.validation;
        return {r.stepsDone, r.finished,
                "codebook (" + std::string(variantName(settings.model.variant)) + ") written to " +
                    settings.out.string() + "\n  validation: " + std::to_string(v.programs) +
                    " programs, row accuracy " + percent(v.rowAccuracy) + ", decoded " +
                    percent(v.decodedRatio) + ", mean code usage " + percent(v.meanUsage) +
                    ", mean code perplexity " + std::to_string(int(std::lround(v.meanPerplexity)))};
    }

private:
    CodebookTrainingSettings m_settings;
    std::string m_variant = "hierarchical";
};

class LiftStage : public TrainingStage {
public:
    LiftStage()
        : TrainingStage("lift",
                        "Train the image-to-point-cloud lifting network (or its LoRA adapters)") {
        auto& s = m_settings;
        bind("--data", s.data, "Dataset folder with rendered views", true);
        bind("--out", s.out, "Model folder (new, or this run's)", true);
        bind("--lora", s.lora, "Train only the Q/V adapters of --base");
        bind("--base", s.base, "Base lifting model folder (with --lora)");
        bind("--steps", s.steps);
        bind("--batch", s.batchSize, "Views per step");
        bind("--lr", s.learningRate);
        bind("--warmup", s.warmupSteps);
        bind("--image-size", s.model.vit.imageSize);
        bind("--patch-size", s.model.vit.patchSize);
        bind("--width", s.model.vit.width);
        bind("--heads", s.model.vit.heads);
        bind("--layers", s.model.vit.layers);
        bind("--lora-rank", s.model.vit.lora.rank);
        bind("--queries", s.model.queries);
        bind("--points-per-query", s.model.pointsPerQuery);
        bind("--checkpoint-minutes", s.checkpointMinutes);
        bind("--seed", s.seed);
        bind("--device", s.device, "cpu or cuda");
        bind("--mixed-precision", s.mixedPrecision, kMixedPrecisionHelp);
    }
    fs::path outFolder() const override { return m_settings.out; }
    StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                       const std::atomic<bool>* stop) override {
        checkRequired();
        const LiftTrainingResult r = trainLift(m_settings, onProgress, stop);
        std::ostringstream summary;
        summary << (m_settings.lora ? "LoRA adapters" : "lifting network") << " written to "
                << m_settings.out.string() << "\n  validation: " << r.validation.views
                << " views, Chamfer distance x10^2 mean " << r.validation.meanChamfer << ", median "
                << r.validation.medianChamfer;
        return {r.stepsDone, r.finished, summary.str()};
    }

private:
    LiftTrainingSettings m_settings;
};

class AlignStage : public TrainingStage {
public:
    AlignStage()
        : TrainingStage("align",
                        "Train the contrastive aligner of point clouds and CAD token sequences") {
        auto& s = m_settings;
        bind("--data", s.data, "Dataset folder (programs and points)", true);
        bind("--codebook", s.codebook, "Trained codebook folder", true);
        bind("--out", s.out, "Model folder (new, or this run's)", true);
        bind("--steps", s.steps);
        bind("--batch", s.batchSize, "Pairs per step");
        bind("--points", s.points, "Bootstrap points per cloud and step");
        bind("--lr", s.learningRate);
        bind("--warmup", s.warmupSteps);
        bind("--embedding", s.model.embedding);
        bind("--width", s.model.width);
        bind("--heads", s.model.heads);
        bind("--layers", s.model.layers);
        bind("--max-tokens", s.model.maxTokens);
        bind("--checkpoint-minutes", s.checkpointMinutes);
        bind("--seed", s.seed);
        bind("--device", s.device, "cpu or cuda");
        bind("--mixed-precision", s.mixedPrecision, kMixedPrecisionHelp);
    }
    fs::path outFolder() const override { return m_settings.out; }
    StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                       const std::atomic<bool>* stop) override {
        checkRequired();
        const AlignTrainingResult r = trainAlign(m_settings, onProgress, stop);
        return {r.stepsDone, r.finished,
                "aligner written to " + m_settings.out.string() + "\n  validation: " +
                    std::to_string(r.validation.parts) + " parts, retrieval top-1 " +
                    percent(r.validation.top1) + ", top-5 " + percent(r.validation.top5)};
    }

private:
    AlignTrainingSettings m_settings;
};

class RefineStage : public TrainingStage {
public:
    RefineStage()
        : TrainingStage("refine", "Train the UA-DGCNN that scores the coarse cloud's points by "
                                  "edge importance") {
        auto& s = m_settings;
        bind("--data", s.data, "Dataset folder (programs and points)", true);
        bind("--out", s.out, "Model folder (new, or this run's)", true);
        bind("--steps", s.steps);
        bind("--batch", s.batchSize, "Clouds per step");
        bind("--points", s.points, "Points per cloud and step");
        bind("--lr", s.learningRate);
        bind("--warmup", s.warmupSteps);
        bind("--neighbours", s.model.neighbours);
        bind("--width", s.model.featureWidth);
        bind("--global-width", s.model.globalWidth);
        bind("--jitter", s.jitter, "Training noise (unit-cube frame)");
        bind("--sigma", s.sigma, "Edge-saliency width (unit-cube frame)");
        bind("--max-parts", s.maxParts, "Training parts to label; 0 = all");
        bind("--checkpoint-minutes", s.checkpointMinutes);
        bind("--seed", s.seed);
        bind("--device", s.device, "cpu or cuda");
        bind("--mixed-precision", s.mixedPrecision, kMixedPrecisionHelp);
    }
    fs::path outFolder() const override { return m_settings.out; }
    StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                       const std::atomic<bool>* stop) override {
        checkRequired();
        const RefineTrainingResult r = trainRefine(m_settings, onProgress, stop);
        std::ostringstream summary;
        summary << "refinement network written to " << m_settings.out.string()
                << "\n  validation: " << r.validation.parts << " parts, importance AUC "
                << r.validation.auc;
        return {r.stepsDone, r.finished, summary.str()};
    }

private:
    RefineTrainingSettings m_settings;
};

class DiffusionStage : public TrainingStage {
public:
    DiffusionStage()
        : TrainingStage("diffusion", "Train the conditional VQ-Diffusion model over CAD tokens") {
        auto& s = m_settings;
        bind("--data", s.data, "Dataset folder (programs and points)", true);
        bind("--codebook", s.codebook, "Trained codebook folder", true);
        bind("--align", s.align, "Trained aligner folder (its z_P is the condition)");
        bind("--lift", s.lift,
             "Instead of --align, ablation Model 3: a trained lifter folder whose image "
             "features of each view are the condition (needs a dataset with views)");
        bind("--out", s.out, "Model folder (new, or this run's)", true);
        bind("--init", s.init,
             "A trained denoiser to continue or fine-tune: its weights and architecture (the "
             "width, layer and condition options are then its own); it must speak --codebook's "
             "tokens");
        bind("--steps", s.steps);
        bind("--batch", s.batchSize);
        bind("--lr", s.learningRate);
        bind("--warmup", s.warmupSteps);
        bind("--width", s.model.width);
        bind("--heads", s.model.heads);
        bind("--layers", s.model.layers);
        bind("--max-tokens", s.model.maxTokens);
        bind("--diffusion-steps", s.model.diffusionSteps);
        bind("--condition-dropout", s.model.conditionDropout);
        bind("--plain-condition", m_plainCondition,
             "Condition tokens as the linear map gives them, not layer-normalised: the shipped "
             "denoiser's recipe (it predates conditionNorm), for ablations against it");
        bind("--checkpoint-minutes", s.checkpointMinutes);
        bind("--seed", s.seed);
        bind("--device", s.device, "cpu or cuda");
        bind("--mixed-precision", s.mixedPrecision, kMixedPrecisionHelp);
    }
    fs::path outFolder() const override { return m_settings.out; }
    StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                       const std::atomic<bool>* stop) override {
        checkRequired();
        m_settings.model.conditionNorm = !m_plainCondition;
        const DiffusionTrainingResult r = trainDiffusion(m_settings, onProgress, stop);
        std::ostringstream summary;
        summary << "denoiser written to " << m_settings.out.string()
                << "\n  validation: " << r.validation.sequences << " sequences, loss "
                << r.validation.loss << ", masked-token accuracy at t = T/2 "
                << percent(r.validation.maskedAccuracy) << " (with another part's condition "
                << percent(r.validation.maskedAccuracyOtherCondition) << ")";
        return {r.stepsDone, r.finished, summary.str()};
    }

private:
    DiffusionTrainingSettings m_settings;
    bool m_plainCondition = false; ///< a switch can only turn on: conditionNorm's inverse
};

/// Not trained but built (a few minutes): the part library of ml/retrieval/part_library.h.
class LibraryStage : public TrainingStage {
public:
    LibraryStage()
        : TrainingStage("library", "Index the training parts (their aligner embedding and "
                                   "tokens) for the reconstructor to start samples from") {
        auto& s = m_settings;
        bind("--data", s.data, "Dataset folder: its training split is indexed", true);
        bind("--codebook", s.codebook, "The model's codebook folder", true);
        bind("--align", s.align, "The model's aligner folder", true);
        bind("--out", s.out, "Library folder (written anew)", true);
    }
    fs::path outFolder() const override { return m_settings.out; }
    StageRunResult run(const std::function<void(const TrainingProgress&)>& onProgress,
                       const std::atomic<bool>* stop) override {
        checkRequired();
        const auto started = std::chrono::steady_clock::now();
        const auto progress = [&](std::int64_t done, std::int64_t total) {
            if (!onProgress) return;
            TrainingProgress p; // steps are the dataset's parts read; there is no loss
            p.step = done;
            p.steps = total;
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            p.samplesPerSecond = seconds > 0.0 ? double(done) / seconds : 0.0;
            p.etaSeconds =
                p.samplesPerSecond > 0.0 ? double(total - done) / p.samplesPerSecond : 0.0;
            onProgress(p);
        };
        const PartLibraryResult r = buildPartLibrary(m_settings, progress, stop);
        const bool finished = !(stop && stop->load());
        return {r.parts, finished,
                finished ? "part library written to " + m_settings.out.string() + ": " +
                               std::to_string(r.parts) + " training parts (" +
                               std::to_string(r.skipped) + " the codebook cannot encode)"
                         : "stopped: no library written (building it again starts over)"};
    }

private:
    PartLibrarySettings m_settings;
};

} // namespace

std::vector<std::string> trainingStageNames() {
    return {"codebook", "lift", "align", "refine", "diffusion", "library"};
}

std::unique_ptr<TrainingStage> makeTrainingStage(const std::string& name) {
    if (name == "codebook") return std::make_unique<CodebookStage>();
    if (name == "lift") return std::make_unique<LiftStage>();
    if (name == "align") return std::make_unique<AlignStage>();
    if (name == "refine") return std::make_unique<RefineStage>();
    if (name == "diffusion") return std::make_unique<DiffusionStage>();
    if (name == "library") return std::make_unique<LibraryStage>();
    throw Error("no training stage '" + name +
                "' (expected codebook, lift, align, refine, diffusion or library)");
}

} // namespace img2cad::ml
