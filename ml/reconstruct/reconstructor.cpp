// SPDX-License-Identifier: MIT
#include "ml/reconstruct/reconstructor.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/extent_repair.h"
#include "cad/metrics/chamfer.h"
#include "cad/normalization.h"
#include "cad/program_fit.h"
#include "cad/sampling.h"
#include "cad/shape_map.h"
#include "cad/sketch_repair.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/align/align_trainer.h"
#include "ml/codebook/cad_tokens.h"
#include "ml/codebook/codebook_store.h"
#include "ml/diffusion/diffusion_trainer.h"
#include "ml/lift/lift_data.h"
#include "ml/lift/lift_trainer.h"
#include "ml/mixed_precision.h"
#include "ml/point_tensor.h"
#include "ml/refine/refine_trainer.h"
#include "ml/refine/resampling.h"
#include "ml/retrieval/part_library.h"
#include "ml/training/model_folder.h"
#include "ml/vision/photo_preprocess.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <thread>

namespace img2cad::ml {
namespace fs = std::filesystem;

std::string Candidate::provenance() const {
    return std::string(repaired ? " (repaired)" : "") + (turned ? " (turned)" : "") +
           (fitted ? " (fitted)" : "") + (retrieved ? " (retrieved)" : "");
}

const char* stageName(ReconstructionStage stage) {
    switch (stage) {
    case ReconstructionStage::Preprocess:
        return "preprocess";
    case ReconstructionStage::Lift:
        return "lift";
    case ReconstructionStage::Refine:
        return "refine";
    case ReconstructionStage::Encode:
        return "encode";
    case ReconstructionStage::Diffuse:
        return "diffuse";
    case ReconstructionStage::Decode:
        return "decode";
    case ReconstructionStage::Compile:
        return "compile";
    case ReconstructionStage::Turn:
        return "turn";
    case ReconstructionStage::Fit:
        return "fit";
    }
    return "?";
}

struct Reconstructor::Models {
    torch::Device device = torch::kCPU;
    CadCodebook codebook{nullptr};
    ContrastiveAligner aligner{nullptr};
    UaDgcnn refiner{nullptr};
    CadDenoiser denoiser{nullptr};
    LiftingNetwork lifter{nullptr};     ///< null when the model reads no photos
    std::optional<PartLibrary> library; ///< when the model has a library/ stage
    std::int64_t alignPoints = 0;       ///< |P_ref|: the cloud size the aligner was trained on
    /// z_P, or (ablation Model 3) the lifter's image features: then the aligner is unused and
    /// P_ref only ranks the candidates.
    DiffusionCondition condition = DiffusionCondition::Points;
};

namespace {

/// The map from the output frame into the models' unit-cube frame (cad::Normalization:
/// p_unit = (p_out - center) * scale), and the codebook's reading of the same map.
using OutputFrame = cad::Normalization;

Normalisation codebookFrame(const OutputFrame& frame) {
    return {frame.center, 1.0 / frame.scale};
}

/// A frame centred on the origin whose unit cube is `side` mm wide (photos, unconditional).
OutputFrame frameOfSide(double side) {
    return {{0.0, 0.0, 0.0}, 1.0 / side};
}

/// Runs `load` on a stage folder and prefixes any error with the stage, so a user knows which
/// of the model's parts to replace.
template <typename Load> auto loadStage(const fs::path& folder, const char* stage, Load&& load) {
    if (!fs::is_directory(folder))
        throw Error("the model has no " + std::string(stage) + " stage (expected the folder '" +
                    folder.string() + "')");
    try {
        return load(folder);
    } catch (const std::exception& e) {
        throw Error("the model's " + std::string(stage) + " stage cannot be loaded: " + e.what());
    }
}

class Stopwatch {
public:
    double lap() {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - m_last).count();
        m_last = now;
        return seconds;
    }

private:
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

void checkCancel(const std::atomic<bool>* cancel) {
    if (cancel && cancel->load()) throw Cancelled();
}

std::vector<cad::Vec3f> tensorPoints(const torch::Tensor& points) {
    const torch::Tensor cpu = points.to(torch::kCPU).to(torch::kFloat).contiguous();
    const auto* first = reinterpret_cast<const cad::Vec3f*>(cpu.data_ptr<float>());
    return {first, first + cpu.size(0)};
}

/// Unit-frame points [N, 3] as a cloud in the output frame.
cad::PointCloud outputCloud(const torch::Tensor& unit, const OutputFrame& frame) {
    cad::PointCloud cloud;
    cloud.positions = tensorPoints(unit);
    return frame.invert(std::move(cloud));
}

/// Where candidates are compared with P_ref for ranking: in the models' unit-cube frame (a point
/// cloud's scale and position are real), or each in its own unit cube (a photo fixes neither:
/// on 40 held-out photos the top-ranked candidate's median CD x10^2 to the truth was 14.5
/// ranked in the models' frame, 10.6 ranked this way, 11.4 against P_raw instead of P_ref).
enum class RankingFrame { Model, OwnUnitCube };

/// Compiles a candidate's program and checks its solid: the shape, or null with the reason.
cad::Shape compileChecked(Candidate& candidate) {
    const cad::Shape shape = cad::compile(candidate.program);
    candidate.report = cad::analyse(shape);
    if (!candidate.report.valid) {
        candidate.error = "the solid is invalid: " + candidate.report.invalidReason;
        return {};
    }
    if (candidate.report.solids == 0 || !(candidate.report.volume > 0.0)) {
        candidate.error = "the program makes no solid of positive volume";
        return {};
    }
    return shape;
}

/// A compiled candidate's CD to `reference`, in `ranking`'s frame.
double rankingDistance(const cad::Shape& shape, const OutputFrame& frame,
                       const std::vector<cad::Vec3f>& reference, RankingFrame ranking,
                       std::int64_t points, std::uint64_t seed) {
    cad::PointCloud surface = cad::samplePoints(cad::tessellate(shape), std::size_t(points), seed);
    return cad::chamferDistance(ranking == RankingFrame::OwnUnitCube
                                    ? cad::inOwnUnitCube(std::move(surface)).positions
                                    : frame.apply(surface).positions,
                                reference);
}

/// Runs `work(i)` for i in [0, count) on `threads` workers (0 = one per core), calling
/// `progress(stage, share done)` as items finish; stops early when `cancel` becomes true.
template <typename Work>
void inParallel(std::size_t count, int threads, ReconstructionStage stage,
                const ReconstructionProgress& progress, const std::atomic<bool>* cancel,
                Work&& work) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t workerCount =
        std::min<std::size_t>(count, threads > 0 ? unsigned(threads) : cores);
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex progressMutex;
    const auto loop = [&] {
        for (std::size_t i; (i = next++) < count;) {
            if (cancel && cancel->load()) return;
            work(i);
            const std::size_t finished = ++done;
            if (progress) {
                const std::lock_guard<std::mutex> lock(progressMutex);
                progress(stage, double(finished) / double(count));
            }
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < workerCount; ++t)
        workers.emplace_back(loop);
    loop();
    for (std::thread& worker : workers)
        worker.join();
    checkCancel(cancel);
}

/// Compiles one decoded candidate, checks its solid, fits it to the output frame and measures
/// its CD to `reference` (in `ranking`'s frame). Runs on worker threads: touches nothing shared.
void compileCandidate(Candidate& candidate, const OutputFrame& frame,
                      const std::vector<cad::Vec3f>& reference, RankingFrame ranking,
                      std::int64_t points, std::uint64_t seed) {
    try {
        // The tokens fix a part's shape well but its size and place only roughly (the decoded
        // box drifts from the unit cube); the output frame fixes both: a cloud's box, or the
        // part size asked for. So the program is moved and scaled, uniformly, until its box
        // has the frame's centre and longest side, and compiled again. From held-out clouds
        // this took the best of 8's median CD x10^2 from 13.4 to the figure in
        // docs/results.md; ranking in a photo's own unit cube it changes nothing.
        // The first compile only finds the decoded box, so it skips what the kept solid needs
        // (face merge, validity check, analysis): a program that fails, or whose solid is
        // broken, fails the checked compile that follows.
        cad::CompileOptions boxOnly;
        boxOnly.unifyFaces = false;
        boxOnly.checkValidity = false;
        const cad::BoundingBox decoded = cad::boundingBox(cad::compile(candidate.program, boxOnly));
        candidate.program = frame.invert(
            cad::Normalization::toUnitCube(decoded).apply(std::move(candidate.program)));
        const cad::Shape shape = compileChecked(candidate);
        if (shape.isNull()) return;
        candidate.shape = shape;
        if (!reference.empty())
            candidate.chamfer = rankingDistance(shape, frame, reference, ranking, points, seed);
    } catch (const std::exception& e) {
        candidate.shape = {};
        candidate.error = std::string("does not compile: ") + e.what();
    }
}

/// Compiles every decoded candidate on `options.compileThreads` workers (0 = one per core).
void compileAll(std::vector<Candidate>& candidates, const OutputFrame& frame,
                const std::vector<cad::Vec3f>& reference, RankingFrame ranking,
                const ReconstructionOptions& options, const ReconstructionProgress& progress,
                const std::atomic<bool>* cancel) {
    inParallel(candidates.size(), options.compileThreads, ReconstructionStage::Compile, progress,
               cancel, [&](std::size_t i) {
                   if (candidates[i].decoded)
                       compileCandidate(candidates[i], frame, reference, ranking,
                                        options.rankingPoints, options.sampling.seed + i);
               });
}

/// `candidate` with `program` in its place, compiled, checked and measured again against
/// `reference` for the ranking; none when the new solid does not check valid.
std::optional<Candidate> withProgram(const Candidate& candidate, cad::Program program,
                                     const OutputFrame& frame,
                                     const std::vector<cad::Vec3f>& reference, RankingFrame ranking,
                                     const ReconstructionOptions& options, std::uint64_t seed) {
    Candidate changed = candidate;
    changed.program = std::move(program);
    changed.shape = compileChecked(changed);
    if (changed.shape.isNull()) return std::nullopt;
    if (!reference.empty())
        changed.chamfer =
            rankingDistance(changed.shape, frame, reference, ranking, options.rankingPoints, seed);
    return changed;
}

/// Fits a valid candidate's numbers to `target` (cad/program_fit.h) and keeps the fit when it
/// compiles to a valid solid nearer `target`; otherwise the candidate stays as it was. Its CD to
/// `reference` is measured again for the ranking.
void fitCandidate(Candidate& candidate, const OutputFrame& frame,
                  const std::vector<cad::Vec3f>& target, const std::vector<cad::Vec3f>& reference,
                  RankingFrame ranking, const ReconstructionOptions& options, std::uint64_t seed) {
    try {
        cad::ProgramFitOptions fitOptions;
        fitOptions.compiles = options.fitCompiles;
        fitOptions.tryTurns = false; // turning is the reconstructor's own step (turnCandidates)
        // In the models' frame, where the clouds are (a photo's candidate is in its own unit
        // cube there, as its clouds).
        const cad::ProgramFit fit =
            cad::fitToCloud(frame.apply(candidate.program), target, fitOptions);
        if (!fit.improved()) return;
        std::optional<Candidate> fitted = withProgram(candidate, frame.invert(fit.program), frame,
                                                      reference, ranking, options, seed);
        if (!fitted) return;
        fitted->fitted = true;
        candidate = std::move(*fitted);
    } catch (const std::exception&) {
        // a fit that fails leaves the candidate as it compiled
    }
}

/// Valid candidates by rising CD (ties keep sampling order), then the others.
void rank(std::vector<Candidate>& candidates) {
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                         if (a.valid() != b.valid()) return a.valid();
                         return a.valid() && a.chamfer < b.chamfer;
                     });
}

/// Turns a valid candidate by the axis-aligned rotation that brings it nearest `target`, when one
/// does (cad::turnedToCloud), and measures it again: a candidate that lies on its side would
/// otherwise rank too low to be shown first or fitted.
void turnCandidate(Candidate& candidate, const OutputFrame& frame,
                   const std::vector<cad::Vec3f>& target, const std::vector<cad::Vec3f>& reference,
                   RankingFrame ranking, const ReconstructionOptions& options, std::uint64_t seed) {
    if (!candidate.valid()) return;
    try {
        const std::size_t points = cad::ProgramFitOptions{}.surfacePoints; // as the fit's trials
        const cad::PointCloud surface =
            frame.apply(cad::samplePoints(cad::tessellate(candidate.shape), points, seed));
        // Matched by the points' box: matching by the solid's exact box was tried and made one
        // held-out part's fit run out of memory (docs/results.md, "Turns from photos").
        const std::optional<cad::ProgramTurn> turn =
            cad::turnedToCloud(frame.apply(candidate.program), surface.positions, target);
        if (!turn) return;
        // The turned program compiles to the candidate's solid turned, scaled and moved as a
        // whole (in the output frame: p -> scale * R p + t, t where the origin goes), so the
        // solid is mapped rather than compiled again: the turn stage took about half as long.
        const auto inOutputFrame = [&](cad::Vec3 p) {
            return frame.invert(turn->apply(frame.apply(p)));
        };
        Candidate moved = candidate;
        moved.program = frame.invert(turn->program);
        moved.shape = cad::mapped(candidate.shape, turn->rotation, turn->match.scale,
                                  inOutputFrame({0.0, 0.0, 0.0}));
        moved.report = cad::analyse(moved.shape);
        if (!reference.empty())
            moved.chamfer = rankingDistance(moved.shape, frame, reference, ranking,
                                            options.rankingPoints, seed);
        moved.turned = true;
        candidate = std::move(moved);
    } catch (const std::exception&) {
        // a turn that fails leaves the candidate as it compiled
    }
}

/// Turns every valid candidate (turnCandidate) on the compile workers and ranks them again, so
/// that the ranking and the fit start from the best turned ones. On the real STEP parts' clouds
/// this took the fitted best of 8 from 5.76 to 5.40 (-0.76 +- 0.19 per part; -0.35 +- 0.16
/// against turning only the fitted candidates, inside the fit); from held-out photos, not
/// fitted, the best of 8 from 8.09 to 7.06 (docs/results.md, "Turns").
void turnAll(std::vector<Candidate>& candidates, const OutputFrame& frame,
             const std::vector<cad::Vec3f>& target, const std::vector<cad::Vec3f>& reference,
             RankingFrame ranking, const ReconstructionOptions& options,
             const ReconstructionProgress& progress, const std::atomic<bool>* cancel) {
    inParallel(candidates.size(), options.compileThreads, ReconstructionStage::Turn, progress,
               cancel, [&](std::size_t i) {
                   turnCandidate(candidates[i], frame, target, reference, ranking, options,
                                 options.sampling.seed + i);
               });
    rank(candidates);
}

/// Fits the first `options.fitCandidates` valid candidates (0 = all) on the compile workers.
void fitBest(std::vector<Candidate>& candidates, const OutputFrame& frame,
             const std::vector<cad::Vec3f>& target, const std::vector<cad::Vec3f>& reference,
             RankingFrame ranking, const ReconstructionOptions& options,
             const ReconstructionProgress& progress, const std::atomic<bool>* cancel) {
    std::size_t count = std::size_t(std::count_if(candidates.begin(), candidates.end(),
                                                  [](const Candidate& c) { return c.valid(); }));
    if (options.fitCandidates > 0) count = std::min(count, std::size_t(options.fitCandidates));
    inParallel(count, options.compileThreads, ReconstructionStage::Fit, progress, cancel,
               [&](std::size_t i) {
                   fitCandidate(candidates[i], frame, target, reference, ranking, options,
                                options.sampling.seed + i);
               });
}

} // namespace

Reconstructor::Reconstructor(const fs::path& folder, const torch::Device& device)
    : m_models(std::make_unique<Models>()) {
    if (!fs::is_directory(folder)) throw Error("'" + folder.string() + "' is not a model folder");
    Models& m = *m_models;
    m.device = device;
    m.codebook = loadStage(folder / "codebook", "codebook",
                           [&](const fs::path& f) { return loadCodebook(f, device); });
    m.aligner = loadStage(folder / "align", "alignment",
                          [&](const fs::path& f) { return loadAligner(f, device); });
    // The aligner's cloud size and embedding, read once (json errors name the stage too).
    const auto [alignPoints, embedding] =
        loadStage(folder / "align", "alignment", [](const fs::path& f) {
            const nlohmann::json manifest = readModelManifest(f, "align");
            return std::pair{manifest.at("training").at("points").get<std::int64_t>(),
                             manifest.at("options").at("embedding").get<std::int64_t>()};
        });
    m.alignPoints = alignPoints;
    m.refiner = loadStage(folder / "refine", "refinement",
                          [&](const fs::path& f) { return loadRefiner(f, device); });
    m.denoiser = loadStage(folder / "diffusion", "diffusion",
                           [&](const fs::path& f) { return loadDenoiser(f, device); });
    m.condition = loadStage(folder / "diffusion", "diffusion",
                            [](const fs::path& f) { return diffusionCondition(f); });
    if (fs::exists(folder / "lift"))
        m.lifter = loadStage(folder / "lift", "lifting",
                             [&](const fs::path& f) { return loadLifter(f, device); });
    if (fs::exists(folder / "library")) {
        m.library = loadStage(folder / "library", "library", [&](const fs::path& f) {
            return loadPartLibrary(f, folder / "codebook", folder / "align");
        });
        m.library->embeddings = m.library->embeddings.to(device);
    }

    // The stages must speak the same tokens and embedding, or the samples mean nothing.
    const std::int64_t vocabulary = tokenVocabulary(m.codebook).size();
    if (m.denoiser->options().vocabulary != vocabulary)
        throw Error("the model's diffusion stage speaks " +
                    std::to_string(m.denoiser->options().vocabulary) +
                    " tokens but its codebook has " + std::to_string(vocabulary) +
                    ": they were not trained together");
    const bool image = m.condition == DiffusionCondition::Image;
    if (image && m.lifter.is_empty())
        throw Error("the model's diffusion stage reads image features, and the model has no "
                    "lifting stage (lift/) to extract them");
    const std::int64_t conditionSize = image ? m.lifter->options().vit.width : embedding;
    if (m.denoiser->options().conditionDim != conditionSize)
        throw Error("the model's diffusion stage reads conditions of size " +
                    std::to_string(m.denoiser->options().conditionDim) + " but its " +
                    (image ? "lifter's image features have " : "aligner embeds into ") +
                    std::to_string(conditionSize) + ": they were not trained together");
}

Reconstructor::~Reconstructor() = default;
Reconstructor::Reconstructor(Reconstructor&&) noexcept = default;
Reconstructor& Reconstructor::operator=(Reconstructor&&) noexcept = default;

bool Reconstructor::readsPhotos() const {
    return !m_models->lifter.is_empty();
}

namespace {

/// Everything after P_raw: importance, resampling, z_P, diffusion, decoding, compiling,
/// ranking. `raw` is P_raw in the unit frame [N, 3]; `imageCondition`, when defined, is the
/// condition in place of z_P (ablation Model 3).
Reconstruction reconstruct(Reconstructor::Models& m, const torch::Tensor& raw,
                           const torch::Tensor& imageCondition, const OutputFrame& frame,
                           RankingFrame ranking, const ReconstructionOptions& options,
                           const ReconstructionProgress& progress, const std::atomic<bool>* cancel,
                           Reconstruction result, Stopwatch& clock);

/// A usable cloud's unit-cube frame, the frame its candidates come back in.
OutputFrame cloudFrame(const cad::PointCloud& cloud) {
    constexpr std::size_t kMinPoints = 16;
    if (cloud.size() < kMinPoints)
        throw Error("a point cloud needs at least " + std::to_string(kMinPoints) +
                    " points to reconstruct (it has " + std::to_string(cloud.size()) + ")");
    for (const cad::Vec3f& p : cloud.positions)
        if (!p.isFinite()) throw Error("the point cloud holds a point that is not finite");
    const cad::BoundingBox box = cloud.bounds();
    if (!(box.largestSide() > 0.0))
        throw Error("the point cloud spans no volume (all points coincide)");
    return cad::Normalization::toUnitCube(box);
}

} // namespace

Reconstruction Reconstructor::fromPointCloud(const cad::PointCloud& cloud,
                                             const ReconstructionOptions& options,
                                             const ReconstructionProgress& progress,
                                             const std::atomic<bool>* cancel) {
    if (m_models->condition == DiffusionCondition::Image)
        throw Error("this model's diffusion stage reads image features (ablation Model 3): it "
                    "reconstructs from photos only");
    Stopwatch clock;
    const OutputFrame frame = cloudFrame(cloud);

    // P_raw: a seeded uniform draw, so that big scans cost what the model was trained for.
    torch::Tensor raw = pointsTensor(frame.apply(cloud).positions);
    if (raw.size(0) > options.rawPoints) {
        at::Generator generator = at::detail::createCPUGenerator(options.sampling.seed);
        raw = raw.index_select(
            0,
            torch::randperm(raw.size(0), generator, torch::kLong).narrow(0, 0, options.rawPoints));
    }
    Reconstruction result;
    result.seconds[ReconstructionStage::Preprocess] = clock.lap();
    ReconstructionOptions cloudOptions = options;
    cloudOptions.samplesPerCandidate = options.samplesPerCandidateFor(false);
    return reconstruct(*m_models, raw, {}, frame, RankingFrame::Model, cloudOptions, progress,
                       cancel, std::move(result), clock);
}

Reconstruction Reconstructor::fromPhoto(const fs::path& photo, const ReconstructionOptions& options,
                                        const ReconstructionProgress& progress,
                                        const std::atomic<bool>* cancel) {
    return fromPhoto(
        [&](const PreprocessOptions& preprocess) { return preprocessPhoto(photo, preprocess); },
        options, progress, cancel);
}

Reconstruction Reconstructor::fromPhoto(const cad::Image& photo,
                                        const ReconstructionOptions& options,
                                        const ReconstructionProgress& progress,
                                        const std::atomic<bool>* cancel) {
    return fromPhoto(
        [&](const PreprocessOptions& preprocess) { return preprocessPhoto(photo, preprocess); },
        options, progress, cancel);
}

Reconstruction Reconstructor::fromPhoto(
    const std::function<PreprocessedPhoto(const PreprocessOptions&)>& preprocessed,
    const ReconstructionOptions& options, const ReconstructionProgress& progress,
    const std::atomic<bool>* cancel) {
    if (!readsPhotos())
        throw Error("this model reads point clouds only: it has no lifting stage (lift/) to "
                    "turn a photo into points");
    Stopwatch clock;
    Models& m = *m_models;
    if (progress) progress(ReconstructionStage::Preprocess, 0.0);
    PreprocessOptions preprocess;
    preprocess.outputSize = int(m.lifter->options().vit.imageSize);
    preprocess.hints = options.photoHints;
    PreprocessedPhoto input = preprocessed(preprocess);
    Reconstruction result;
    result.photo = std::move(input.photo);
    result.photoMask = std::move(input.photoMask);
    result.seconds[ReconstructionStage::Preprocess] = clock.lap();
    checkCancel(cancel);

    if (progress) progress(ReconstructionStage::Lift, 0.0);
    torch::Tensor raw, imageCondition;
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor image = imageTensor(input.input).unsqueeze(0).to(m.device);
        raw = m.lifter->forward(image)[0];
        if (m.condition == DiffusionCondition::Image)
            imageCondition = m.lifter->imageFeatures(image)[0];
    }
    result.seconds[ReconstructionStage::Lift] = clock.lap();
    checkCancel(cancel);
    const OutputFrame frame = frameOfSide(options.photoPartSize);
    ReconstructionOptions photoOptions = options;
    photoOptions.fitCompiles = options.fitCompilesFor(true);
    photoOptions.samplesPerCandidate = options.samplesPerCandidateFor(true);
    return reconstruct(m, raw.to(torch::kCPU), imageCondition, frame, RankingFrame::OwnUnitCube,
                       photoOptions, progress, cancel, std::move(result), clock);
}

namespace {

/// K sequences for one condition, sampled `chunk` at a time (0: one at a time on the CPU, all
/// at once on CUDA); chunk c uses the seed + c, so a result depends on the chunk size but is
/// repeatable for it.
torch::Tensor sampleInChunks(CadDenoiser& denoiser, const torch::Tensor& condition,
                             std::int64_t count, const SamplingOptions& sampling,
                             std::int64_t chunk) {
    if (chunk <= 0) chunk = denoiser->parameters().front().is_cuda() ? count : 1;
    if (chunk >= count) return denoiser->sample(condition, count, sampling);
    std::vector<torch::Tensor> parts;
    for (std::int64_t first = 0; first < count; first += chunk) {
        SamplingOptions options = sampling;
        options.seed += std::uint64_t(first / chunk);
        parts.push_back(denoiser->sample(condition, std::min(chunk, count - first), options));
    }
    return torch::cat(parts);
}

/// The sampling options with the codebook's token layout when the grammar is constrained.
SamplingOptions samplingFor(CadCodebook& codebook, const ReconstructionOptions& options) {
    SamplingOptions sampling = options.sampling;
    if (options.constrainTokens) {
        const TokenVocabulary v = tokenVocabulary(codebook);
        sampling.layout = {v.codes, v.codesPerRow, v.levels};
    }
    return sampling;
}

/// The library's parts nearest `condition` (z_P), as token rows [R, L] at the denoiser's length:
/// each as it is, or re-noised and denoised under the condition (ReconstructionOptions::
/// retrievedParts). Undefined when there are none to add.
torch::Tensor retrievedSamples(Reconstructor::Models& m, const torch::Tensor& condition,
                               const SamplingOptions& sampling,
                               const ReconstructionOptions& options) {
    const std::int64_t count = options.retrievedPartsResolved(); // the same for clouds and photos
    if (!m.library || count <= 0) return {};
    const std::int64_t end = m.denoiser->endToken(), length = m.denoiser->options().maxTokens;
    std::vector<torch::Tensor> rows;
    std::uint64_t seed = sampling.seed + 1000; // apart from the plain samples' chunk seeds
    for (std::int64_t part : m.library->nearest(condition, count)) {
        const torch::Tensor libraryRow = m.library->tokens[part].contiguous();
        torch::Tensor start;
        try {
            start = torch::tensor(
                toFixedLength({libraryRow.data_ptr<std::int64_t>(),
                               libraryRow.data_ptr<std::int64_t>() + libraryRow.numel()},
                              end, length),
                torch::kLong);
        } catch (const Error&) {
            continue; // longer than the denoiser samples: no start for it
        }
        if (options.retrievedStep == 0) {
            rows.push_back(start.unsqueeze(0));
            continue;
        }
        SamplingOptions edit = sampling;
        edit.seed = seed++;
        rows.push_back(m.denoiser
                           ->resample(condition, start, options.retrievedStep,
                                      options.samplesPerRetrieved, edit)
                           .to(torch::kCPU));
    }
    return rows.empty() ? torch::Tensor() : torch::cat(rows);
}

/// The decoded programs of sampled token rows [K, L], in `frame`.
std::vector<Candidate> decodeSamples(Reconstructor::Models& m, const torch::Tensor& samples,
                                     const OutputFrame& frame, bool repair) {
    const std::int64_t end = tokenVocabulary(m.codebook).endToken();
    const torch::Tensor cpu = samples.to(torch::kCPU).contiguous();
    std::vector<Candidate> candidates(std::size_t(cpu.size(0)));
    for (std::int64_t k = 0; k < cpu.size(0); ++k) {
        Candidate& c = candidates[std::size_t(k)];
        const std::int64_t* row = cpu[k].data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < cpu.size(1); ++i) {
            c.tokens.push_back(row[i]);
            if (row[i] == end) break;
        }
        const std::string name = "candidate-" + std::to_string(k + 1);
        try {
            c.program = programFromTokens(m.codebook, c.tokens, codebookFrame(frame), name);
            c.decoded = true;
        } catch (const std::exception& e) {
            c.error = std::string("the tokens do not decode: ") + e.what();
        }
        if (!repair) continue;
        if (!c.decoded) {
            try {
                c.program = programFromTokens(m.codebook, c.tokens, codebookFrame(frame), name,
                                              DecodeMode::Repair);
                c.decoded = c.repaired = true;
                c.error.clear();
            } catch (const std::exception&) {
                continue; // keep the strict decoder's reason
            }
        }
        // Sampled loops mostly fail by crossing themselves (docs/results.md): mend them here,
        // and thin extents decoded with their ends swapped.
        cad::SketchRepairs repairs;
        c.program = cad::repairSketches(std::move(c.program), &repairs);
        int reorderedExtents = 0;
        c.program = cad::orderExtents(std::move(c.program), &reorderedExtents);
        c.repaired = c.repaired || repairs.any() || reorderedExtents > 0;
    }
    return candidates;
}

Reconstruction reconstruct(Reconstructor::Models& m, const torch::Tensor& raw,
                           const torch::Tensor& imageCondition, const OutputFrame& frame,
                           RankingFrame ranking, const ReconstructionOptions& options,
                           const ReconstructionProgress& progress, const std::atomic<bool>* cancel,
                           Reconstruction result, Stopwatch& clock) {
    if (options.candidates < 1 || options.candidates > 256)
        throw Error("the number of candidates must be between 1 and 256");
    if (options.samplesPerCandidate < 1 || options.samplesPerCandidate > 64)
        throw Error("samples per candidate must be between 1 and 64 (or 0: automatic)");
    if (options.retrievedParts < -1 || options.retrievedParts > 64 ||
        options.samplesPerRetrieved < 1 || options.samplesPerRetrieved > 64)
        throw Error("retrieved parts must be between 0 and 64 (or -1: automatic), each sampled "
                    "between 1 and 64 times");
    if (options.retrievedStep < 0 || options.retrievedStep > m.denoiser->schedule().steps)
        throw Error("the step retrieved parts are re-noised to must be between 0 and " +
                    std::to_string(m.denoiser->schedule().steps));
    torch::NoGradGuard noGrad;

    if (progress) progress(ReconstructionStage::Refine, 0.0);
    const torch::Tensor importance = m.refiner->forward(raw.unsqueeze(0).to(m.device))
                                         .importance[0]
                                         .to(torch::kCPU)
                                         .contiguous();
    ResamplingOptions resampling;
    resampling.count = std::min(m.alignPoints, raw.size(0));
    resampling.beta = options.importanceBeta;
    resampling.lambda = options.importanceLambda;
    at::Generator generator = at::detail::createCPUGenerator(options.sampling.seed + 1);
    const torch::Tensor refined =
        raw.index_select(0, heuristicResample(importance, resampling, generator));
    result.raw = outputCloud(raw, frame);
    result.importance.assign(importance.data_ptr<float>(),
                             importance.data_ptr<float>() + importance.numel());
    result.refined = outputCloud(refined, frame);
    result.seconds[ReconstructionStage::Refine] = clock.lap();
    checkCancel(cancel);

    if (progress) progress(ReconstructionStage::Encode, 0.0);
    const torch::Tensor condition =
        imageCondition.defined()
            ? imageCondition
            : torch::nn::functional::normalize(
                  m.aligner->points()->forward(refined.unsqueeze(0).to(m.device)),
                  torch::nn::functional::NormalizeFuncOptions().dim(1))[0];
    result.seconds[ReconstructionStage::Encode] = clock.lap();
    checkCancel(cancel);

    if (progress) progress(ReconstructionStage::Diffuse, 0.0);
    const std::int64_t sampledCount = options.candidates * options.samplesPerCandidate;
    const torch::Tensor samples = [&] {
        const MixedPrecisionScope precision(m.device, options.mixedPrecision);
        const SamplingOptions sampling = samplingFor(m.codebook, options);
        const torch::Tensor sampled =
            sampleInChunks(m.denoiser, condition, sampledCount, sampling, options.samplingChunk);
        // A model conditioned on image features has no z_P to look its library up by.
        const torch::Tensor retrieved = imageCondition.defined()
                                            ? torch::Tensor()
                                            : retrievedSamples(m, condition, sampling, options);
        return retrieved.defined() ? torch::cat({sampled.cpu(), retrieved}) : sampled;
    }();
    result.seconds[ReconstructionStage::Diffuse] = clock.lap();
    checkCancel(cancel);

    if (progress) progress(ReconstructionStage::Decode, 0.0);
    result.candidates = decodeSamples(m, samples, frame, options.repairPrograms);
    for (std::size_t i = std::size_t(sampledCount); i < result.candidates.size(); ++i)
        result.candidates[i].retrieved = true;
    result.seconds[ReconstructionStage::Decode] = clock.lap();
    checkCancel(cancel);

    cad::PointCloud reference;
    reference.positions = tensorPoints(refined);
    const std::vector<cad::Vec3f> referencePoints =
        ranking == RankingFrame::OwnUnitCube ? cad::inOwnUnitCube(std::move(reference)).positions
                                             : std::move(reference.positions);
    compileAll(result.candidates, frame, referencePoints, ranking, options, progress, cancel);
    rank(result.candidates);
    result.seconds[ReconstructionStage::Compile] = clock.lap();
    const auto keepBest = [&] { // ReconstructionOptions::samplesPerCandidate
        if (std::int64_t(result.candidates.size()) > options.candidates)
            result.candidates.resize(std::size_t(options.candidates));
    };
    if (!options.turnCandidates) {
        keepBest();
        if (options.fitCompiles <= 0) return result;
    }
    // The turn's and the fit's target is P_raw, the whole cloud at even density: P_ref is drawn
    // towards edges by the importance (eq. 6), which would pull flat faces off their place.
    cad::PointCloud target;
    target.positions = tensorPoints(raw);
    if (ranking == RankingFrame::OwnUnitCube) target = cad::inOwnUnitCube(std::move(target));
    if (options.turnCandidates) {
        if (progress) progress(ReconstructionStage::Turn, 0.0);
        turnAll(result.candidates, frame, target.positions, referencePoints, ranking, options,
                progress, cancel);
        keepBest();
        result.seconds[ReconstructionStage::Turn] = clock.lap();
    }
    if (options.fitCompiles > 0) {
        if (progress) progress(ReconstructionStage::Fit, 0.0);
        fitBest(result.candidates, frame, target.positions, referencePoints, ranking, options,
                progress, cancel);
        rank(result.candidates);
        result.seconds[ReconstructionStage::Fit] = clock.lap();
    }
    return result;
}

} // namespace

Candidate Reconstructor::throughCodebook(const cad::Program& program, const cad::PointCloud& cloud,
                                         const ReconstructionOptions& options) {
    Models& m = *m_models;
    const OutputFrame frame = cloudFrame(cloud);
    std::vector<std::int64_t> tokens;
    try {
        tokens = programTokens(m.codebook, makeCodebookExample(program));
    } catch (const std::exception& e) {
        throw Error(std::string("the codebook cannot encode the program: ") + e.what());
    }
    std::vector<Candidate> candidates =
        decodeSamples(m, torch::tensor(tokens).unsqueeze(0), frame, options.repairPrograms);
    compileAll(candidates, frame, {}, RankingFrame::Model, options, {}, nullptr);
    // The ceiling of decoding, turning and fitting: turned and fitted to the cloud as candidates
    // are.
    const std::vector<cad::Vec3f> target = frame.apply(cloud).positions;
    if (options.turnCandidates)
        turnCandidate(candidates.front(), frame, target, {}, RankingFrame::Model, options,
                      options.sampling.seed);
    if (options.fitCompiles > 0 && candidates.front().valid())
        fitCandidate(candidates.front(), frame, target, {}, RankingFrame::Model, options,
                     options.sampling.seed);
    return std::move(candidates.front());
}

std::vector<Candidate> Reconstructor::generate(std::int64_t count,
                                               const ReconstructionOptions& options,
                                               const ReconstructionProgress& progress,
                                               const std::atomic<bool>* cancel) {
    if (count < 1 || count > 100000) throw Error("generate between 1 and 100,000 parts");
    Models& m = *m_models;
    const OutputFrame frame = frameOfSide(options.photoPartSize);
    std::vector<Candidate> all;
    // Batches keep memory bounded; each batch its own seed, so the whole run is repeatable.
    constexpr std::int64_t kBatch = 64;
    for (std::int64_t first = 0; first < count; first += kBatch) {
        checkCancel(cancel);
        SamplingOptions sampling = samplingFor(m.codebook, options);
        sampling.seed += std::uint64_t(first);
        torch::Tensor samples;
        {
            torch::NoGradGuard noGrad;
            const MixedPrecisionScope precision(m.device, options.mixedPrecision);
            samples = sampleInChunks(m.denoiser, {}, std::min(kBatch, count - first), sampling,
                                     options.samplingChunk);
        }
        std::vector<Candidate> batch = decodeSamples(m, samples, frame, options.repairPrograms);
        compileAll(batch, frame, {}, RankingFrame::Model, options, {}, cancel);
        for (Candidate& c : batch)
            all.push_back(std::move(c));
        if (progress) progress(ReconstructionStage::Compile, double(all.size()) / double(count));
    }
    return all;
}

} // namespace img2cad::ml
