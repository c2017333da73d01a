// SPDX-License-Identifier: MIT
#include "ml/diffusion/diffusion_trainer.h"

#include "cad/program_json.h"
#include "ml/align/align_trainer.h"
#include "ml/codebook/cad_tokens.h"
#include "ml/codebook/codebook_store.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/lift/lift_data.h"
#include "ml/lift/lift_trainer.h"
#include "ml/point_tensor.h"
#include "ml/training/checkpoint.h"
#include "ml/training/model_folder.h"

#include <algorithm>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

constexpr const char* kWeights = "denoiser.pt";
constexpr const char* kCheckpointFile = "checkpoint.pt";

struct Pairs {
    torch::Tensor trainTokens, trainConditions, valTokens, valConditions;
    std::int64_t skipped = 0;          ///< no program, no points, or not encodable
    std::int64_t tooLong = 0;          ///< longer than the denoiser's maxTokens (END included)
    std::vector<std::int64_t> lengths; ///< token count (END included) of every encodable program
};

/// Quantiles of the dataset's sequence lengths: what --max-tokens should cover.
nlohmann::json lengthSummary(std::vector<std::int64_t> lengths) {
    if (lengths.empty()) return nullptr;
    std::sort(lengths.begin(), lengths.end());
    const auto at = [&](double q) { return lengths[std::size_t(q * double(lengths.size() - 1))]; };
    return {{"median", at(0.5)}, {"p95", at(0.95)}, {"p99", at(0.99)}, {"max", lengths.back()}};
}

/// Turns a part into its conditions: the aligner's z_P of its points (one per part), or the
/// lifter's image features of each rendered view (Model 3).
struct ConditionEncoder {
    ContrastiveAligner aligner{nullptr};
    std::int64_t alignPoints = 0, alignEmbedding = 0; ///< |P_ref| and |z_P| it was trained for
    LiftingNetwork lifter{nullptr};

    DiffusionCondition kind() const {
        return lifter.is_empty() ? DiffusionCondition::Points : DiffusionCondition::Image;
    }
    std::int64_t size() const {
        return lifter.is_empty() ? alignEmbedding : lifter->options().vit.width;
    }
    /// What inputs() reads of a sample: the views only for the image condition.
    SampleFields fields() const {
        return lifter.is_empty() ? SampleFields::WithoutViews : SampleFields::All;
    }
    /// The encoder's inputs for one sample: drawn point sets or view images; none when the
    /// sample lacks them.
    std::vector<torch::Tensor> inputs(const Sample& sample, at::Generator& generator) const {
        std::vector<torch::Tensor> result;
        if (!lifter.is_empty()) {
            for (std::size_t v = 0; v < sample.views.size(); ++v) {
                try {
                    result.push_back(
                        liftExample(sample, v, int(lifter->options().vit.imageSize), 1, generator)
                            .image);
                } catch (const Error&) {
                    // a view in which the part is not seen (empty mask) says nothing
                }
            }
            return result;
        }
        const auto n = std::int64_t(sample.points.positions.size());
        if (n == 0) return result;
        const torch::Tensor all = pointsTensor(sample.points.positions);
        const torch::Tensor pick =
            n >= alignPoints ? torch::randperm(n, generator, torch::kLong).narrow(0, 0, alignPoints)
                             : torch::randint(n, {alignPoints}, generator, torch::kLong);
        result.push_back(all.index_select(0, pick));
        return result;
    }
    /// Conditions [N, size()] of stacked inputs, in chunks: unit z_P, or image features.
    torch::Tensor encode(const std::vector<torch::Tensor>& inputs) {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> conditions;
        for (std::size_t first = 0; first < inputs.size(); first += 64) {
            const auto last = std::min(inputs.size(), first + 64);
            const torch::Tensor batch = torch::stack(std::vector<torch::Tensor>(
                inputs.begin() + long(first), inputs.begin() + long(last)));
            conditions.push_back(lifter.is_empty()
                                     ? torch::nn::functional::normalize(
                                           aligner->points()->forward(batch),
                                           torch::nn::functional::NormalizeFuncOptions().dim(1))
                                     : lifter->imageFeatures(batch));
        }
        return torch::cat(conditions);
    }
};

/// The encoder of the condition `settings` names (--align or --lift).
ConditionEncoder conditionEncoder(const DiffusionTrainingSettings& settings) {
    if (settings.align.empty() == settings.lift.empty())
        throw Error("the denoiser is conditioned on an aligner (--align) or, for ablation "
                    "Model 3, on a lifter's image features (--lift): give one of them");
    ConditionEncoder encoder;
    if (!settings.align.empty()) {
        encoder.aligner = loadAligner(settings.align);
        const nlohmann::json manifest = readModelManifest(settings.align, "align");
        encoder.alignPoints = manifest.at("training").at("points");
        encoder.alignEmbedding = manifest.at("options").at("embedding");
    } else {
        encoder.lifter = loadLifter(settings.lift);
        encoder.lifter->eval();
    }
    return encoder;
}

/// Tokenises the dataset's parts and encodes their conditions (minutes for thousands); returns
/// early, with nothing, when `stop` is set.
Pairs loadPairs(const DiffusionTrainingSettings& settings, CadCodebook& codebook,
                ConditionEncoder& encoder, const DenoiserOptions& model,
                const std::atomic<bool>* stop) {
    const std::int64_t end = tokenVocabulary(codebook).endToken();
    std::vector<torch::Tensor> tokens[2], inputs[2];
    Pairs pairs;
    at::Generator generator = at::detail::createCPUGenerator(settings.seed + 1);
    const auto addPair = [&](const Sample& sample) {
        if (stop && stop->load()) return false;
        if (sample.split == Split::Test) return true;
        if (sample.programJson.empty()) {
            ++pairs.skipped;
            return true;
        }
        std::vector<std::int64_t> program;
        try {
            program = programTokens(codebook,
                                    makeCodebookExample(cad::programFromJson(sample.programJson)));
        } catch (const std::exception&) {
            ++pairs.skipped; // not encodable
            return true;
        }
        pairs.lengths.push_back(std::int64_t(program.size()));
        if (std::int64_t(program.size()) > model.maxTokens) {
            ++pairs.tooLong;
            return true;
        }
        std::vector<torch::Tensor> conditionInputs = encoder.inputs(sample, generator);
        if (conditionInputs.empty()) {
            ++pairs.skipped; // no points, or no views to read
            return true;
        }
        const int split = sample.split == Split::Train ? 0 : 1;
        const torch::Tensor row =
            torch::tensor(toFixedLength(std::move(program), end, model.maxTokens));
        for (torch::Tensor& input : conditionInputs) {
            tokens[split].push_back(row);
            inputs[split].push_back(std::move(input));
        }
        return true;
    };
    forEachSample(settings.data, addPair, encoder.fields());
    if (stop && stop->load()) return pairs;
    if (tokens[0].size() < 2)
        throw Error("'" + settings.data.string() + "' has fewer than two trainable program/" +
                    (encoder.kind() == DiffusionCondition::Image ? "view" : "point") +
                    " pairs for the denoiser");
    pairs.trainTokens = torch::stack(tokens[0]);
    pairs.trainConditions = encoder.encode(inputs[0]);
    if (!tokens[1].empty()) {
        pairs.valTokens = torch::stack(tokens[1]);
        pairs.valConditions = encoder.encode(inputs[1]);
    }
    return pairs;
}

DiffusionMetrics measure(CadDenoiser& model, const torch::Tensor& tokens,
                         const torch::Tensor& conditions, const torch::Device& device) {
    DiffusionMetrics metrics;
    if (!tokens.defined() || tokens.size(0) == 0) return metrics;
    model->eval();
    torch::NoGradGuard noGrad;
    // Its own seeds: measuring must not move training's random stream.
    at::Generator global = at::detail::getDefaultCPUGenerator(); // shares the default's state
    const torch::Tensor state = global.get_state();
    torch::manual_seed(23);
    double loss = 0.0, right = 0.0, rightOther = 0.0, masked = 0.0;
    // Another part's condition: the next one in the validation set (rolled by one).
    const torch::Tensor otherConditions = conditions.roll(1, 0);
    for (std::int64_t first = 0; first < tokens.size(0); first += 64) {
        const std::int64_t count = std::min<std::int64_t>(64, tokens.size(0) - first);
        const torch::Tensor x0 = tokens.narrow(0, first, count).to(device);
        const torch::Tensor c = conditions.narrow(0, first, count).to(device);
        const torch::Tensor other = otherConditions.narrow(0, first, count).to(device);
        loss += model->loss(x0, c).total.item<double>() * double(count);
        const torch::Tensor t = torch::full({count}, model->schedule().steps / 2, torch::kLong);
        const torch::Tensor xt = corrupt(x0.cpu(), t, model->maskToken(), model->schedule());
        // Only the sequence itself counts (up to its first END): the END filling after it is
        // easy and would swamp the measure.
        const torch::Tensor isEnd = x0.eq(model->endToken()).to(torch::kLong);
        const torch::Tensor inSequence = (isEnd.cumsum(1) - isEnd).eq(0);
        const torch::Tensor isMasked = xt.eq(model->maskToken()).to(device) & inSequence;
        const auto rightWith = [&](const torch::Tensor& condition) {
            const torch::Tensor predicted =
                model->forward(xt.to(device), t.to(device), condition).argmax(-1);
            return (predicted.eq(x0) & isMasked).sum().item<double>();
        };
        right += rightWith(c);
        rightOther += rightWith(other);
        masked += isMasked.sum().item<double>();
    }
    global.set_state(state);
    model->train();
    metrics.sequences = tokens.size(0);
    metrics.loss = loss / double(tokens.size(0));
    metrics.maskedAccuracy = masked > 0.0 ? right / masked : 0.0;
    metrics.maskedAccuracyOtherCondition = masked > 0.0 ? rightOther / masked : 0.0;
    return metrics;
}

nlohmann::json optionsJson(const DenoiserOptions& o) {
    return {{"vocabulary", o.vocabulary},
            {"max_tokens", o.maxTokens},
            {"condition_dim", o.conditionDim},
            {"condition_tokens", o.conditionTokens},
            {"width", o.width},
            {"heads", o.heads},
            {"layers", o.layers},
            {"dropout", o.dropout},
            {"condition_dropout", o.conditionDropout},
            {"condition_norm", o.conditionNorm},
            {"auxiliary_weight", o.auxiliaryWeight},
            {"diffusion_steps", o.diffusionSteps}};
}

DenoiserOptions optionsFromJson(const nlohmann::json& j) {
    try {
        DenoiserOptions o;
        o.vocabulary = j.at("vocabulary");
        o.maxTokens = j.at("max_tokens");
        o.conditionDim = j.at("condition_dim");
        o.conditionTokens = j.at("condition_tokens");
        o.width = j.at("width");
        o.heads = j.at("heads");
        o.layers = j.at("layers");
        o.dropout = j.at("dropout");
        o.conditionDropout = j.at("condition_dropout");
        o.conditionNorm = j.value("condition_norm", false); // absent: a model from before it
        o.auxiliaryWeight = j.at("auxiliary_weight");
        o.diffusionSteps = j.at("diffusion_steps");
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("malformed denoiser options: ") + e.what());
    }
}

/// The architecture of the trained denoiser in `folder`, which a run starts from: it must
/// have as many tokens and read a condition of the same kind and size as `wanted`.
DenoiserOptions startingOptions(const fs::path& folder, const DenoiserOptions& wanted,
                                DiffusionCondition condition) {
    const DenoiserOptions found =
        optionsFromJson(readModelManifest(folder, "diffusion").at("options"));
    const auto refuse = [&](const std::string& why) {
        throw Error("cannot start from the denoiser '" + folder.string() + "': " + why);
    };
    if (diffusionCondition(folder) != condition)
        refuse(condition == DiffusionCondition::Image ? "it reads z_P, not image features"
                                                      : "it reads image features, not z_P");
    if (found.vocabulary != wanted.vocabulary)
        refuse("it speaks " + std::to_string(found.vocabulary) + " tokens, the codebook " +
               std::to_string(wanted.vocabulary));
    if (found.conditionDim != wanted.conditionDim)
        refuse("it reads conditions of " + std::to_string(found.conditionDim) +
               " values, this run gives " + std::to_string(wanted.conditionDim));
    return found;
}

} // namespace

DiffusionCondition diffusionCondition(const fs::path& folder) {
    const nlohmann::json manifest = readModelManifest(folder, "diffusion");
    const std::string condition = manifest.value("condition", "points");
    if (condition == "points") return DiffusionCondition::Points;
    if (condition == "image") return DiffusionCondition::Image;
    throw Error("the denoiser '" + folder.string() + "' reads an unknown condition '" + condition +
                "'");
}

CadDenoiser loadDenoiser(const fs::path& folder, const torch::Device& device) {
    const nlohmann::json manifest = readModelManifest(folder, "diffusion");
    CadDenoiser model(optionsFromJson(manifest.at("options")));
    loadWeights(folder / kWeights, *model);
    model->to(device);
    model->eval();
    return model;
}

DiffusionMetrics measureDenoiser(const DiffusionTrainingSettings& settings) {
    CadCodebook codebook = loadCodebook(settings.codebook);
    ConditionEncoder encoder = conditionEncoder(settings);
    CadDenoiser model = loadDenoiser(settings.out);
    if (model->options().conditionDim != encoder.size())
        throw Error("the denoiser reads conditions of " +
                    std::to_string(model->options().conditionDim) + " values, the " +
                    (encoder.kind() == DiffusionCondition::Image ? "lifter" : "aligner") +
                    " gives " + std::to_string(encoder.size()));
    const Pairs pairs = loadPairs(settings, codebook, encoder, model->options(), nullptr);
    return measure(model, pairs.valTokens, pairs.valConditions, torch::kCPU);
}

DiffusionTrainingResult
trainDiffusion(const DiffusionTrainingSettings& settings,
               const std::function<void(const TrainingProgress&)>& onProgress,
               const std::atomic<bool>* stop, std::int64_t reportEvery) {
    if (settings.steps <= 0 || settings.batchSize <= 0 || !(settings.learningRate > 0.0))
        throw Error("--steps, --batch and --lr must be positive");
    const torch::Device device = trainingDevice(settings.device);
    CadCodebook codebook = loadCodebook(settings.codebook);
    ConditionEncoder encoder = conditionEncoder(settings);
    const bool image = encoder.kind() == DiffusionCondition::Image;
    DenoiserOptions options = settings.model;
    options.vocabulary = tokenVocabulary(codebook).size();
    options.conditionDim = encoder.size();
    if (!settings.init.empty()) options = startingOptions(settings.init, options, encoder.kind());
    const auto fsPath = [](const fs::path& p) {
        return fs::absolute(p).lexically_normal().string();
    };
    // The condition's source, under the key the reconstructor reads it by.
    const char* sourceKey = image ? "lift" : "align";
    const std::string source = fsPath(image ? settings.lift : settings.align);
    nlohmann::json identity = {{"data", fsPath(settings.data)},
                               {"codebook", fsPath(settings.codebook)},
                               {sourceKey, source},
                               {"model", optionsJson(options)},
                               {"steps", settings.steps},
                               {"batch_size", settings.batchSize},
                               {"learning_rate", settings.learningRate},
                               {"weight_decay", settings.weightDecay},
                               {"warmup_steps", settings.warmupSteps},
                               {"seed", settings.seed}};
    if (!settings.init.empty()) identity["init"] = fsPath(settings.init);
    prepareRunFolder(settings.out, identity);
    const Pairs pairs = loadPairs(settings, codebook, encoder, options, stop);
    if (stop && stop->load()) return {};

    torch::manual_seed(settings.seed);
    CadDenoiser model(options);
    // A checkpoint of this run, when there is one, replaces these weights as it resumes.
    if (!settings.init.empty()) loadWeights(settings.init / kWeights, *model);
    model->to(device);
    torch::optim::AdamW optimizer(
        model->parameters(),
        torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));
    TrainingLoopSettings loop = warmupCosineLoop(
        settings.steps, settings.learningRate, settings.warmupSteps, settings.checkpointMinutes,
        settings.out / kCheckpointFile, reportEvery, device);
    loop.mixedPrecision = settings.mixedPrecision;
    const std::int64_t trainCount = pairs.trainTokens.size(0);
    const std::int64_t batchSize = std::min(settings.batchSize, trainCount);
    const auto step = [&](std::int64_t) {
        const torch::Tensor picks =
            torch::randperm(trainCount, torch::kLong).narrow(0, 0, batchSize);
        const auto losses = model->loss(pairs.trainTokens.index_select(0, picks).to(device),
                                        pairs.trainConditions.index_select(0, picks).to(device));
        StepOutcome outcome{losses.total, {}, {}, batchSize};
        outcome.parts["vlb"] = losses.vlb.item<double>();
        outcome.parts["aux"] = losses.auxiliary.item<double>();
        return outcome;
    };
    const TrainingLoopResult ran = runTrainingLoop(*model, optimizer, loop, step, onProgress, stop);
    DiffusionTrainingResult result{ran.stepsDone, ran.finished, {}};
    if (!ran.finished) return result;
    result.validation = measure(model, pairs.valTokens, pairs.valConditions, device);
    nlohmann::json training = identity;
    training["device"] = settings.device;
    training["train_pairs"] = trainCount;
    training["val_pairs"] = result.validation.sequences;
    training["skipped"] = pairs.skipped;
    training["too_long"] = pairs.tooLong;
    training["sequence_length"] = lengthSummary(pairs.lengths);
    model->to(torch::kCPU);
    saveWeights(settings.out / kWeights, *model);
    writeModelManifest(settings.out, {{"stage", "diffusion"},
                                      {"weights", kWeights},
                                      {"codebook", fsPath(settings.codebook)},
                                      {"condition", image ? "image" : "points"},
                                      {sourceKey, source},
                                      {"options", optionsJson(options)},
                                      {"training", training},
                                      {"metrics",
                                       {{"validation",
                                         {{"sequences", result.validation.sequences},
                                          {"loss", result.validation.loss},
                                          {"masked_accuracy", result.validation.maskedAccuracy},
                                          {"masked_accuracy_other_condition",
                                           result.validation.maskedAccuracyOtherCondition}}}}}});
    return result;
}

} // namespace img2cad::ml
