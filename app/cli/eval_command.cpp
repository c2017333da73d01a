// SPDX-License-Identifier: MIT
#include "eval_command.h"

#include "reconstruct_commands.h"
#include "retrieval_index.h"

#include "cad/atomic_file.h"
#include "cad/compiler.h"
#include "cad/metrics/chamfer.h"
#include "cad/metrics/primitive_metrics.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/reconstruct/reconstructor.h"
#include "ml/training/training_loop.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace img2cad::app {
namespace {

namespace fs = std::filesystem;

/// The split to measure; empty for "all" (imported real parts, which no model trained on).
std::optional<ml::Split> parseSplit(const std::string& name) {
    if (name == "all") return std::nullopt;
    try {
        return ml::splitNamed(name);
    } catch (const ml::Error&) {
        throw ml::Error("--split must be train, val, test or all, not '" + name + "'");
    }
}

/// Up to `count` points of a cloud from `first` on, with their labels. Dataset clouds are
/// sampled uniformly at random, so any run of them is a uniform subsample, and two disjoint
/// runs are independent samples of the same surface.
cad::PointCloud slice(const cad::PointCloud& cloud, std::size_t first, std::size_t count) {
    const auto begin = long(std::min(first, cloud.size()));
    const auto end = long(std::min(first + count, cloud.size()));
    const auto part = [&](const auto& values) {
        using Values = std::decay_t<decltype(values)>;
        return values.empty() ? Values() : Values(values.begin() + begin, values.begin() + end);
    };
    return {part(cloud.positions), part(cloud.normals), part(cloud.faceIndices),
            part(cloud.primitives)};
}

std::vector<cad::Vec3f> firstPoints(const cad::PointCloud& cloud, std::size_t count) {
    return slice(cloud, 0, count).positions;
}

/// `count` points spread evenly over a cloud whose order means something (the lifter emits
/// its points query by query, so a prefix would be a few patches of the part).
std::vector<cad::Vec3f> spreadPoints(const std::vector<cad::Vec3f>& cloud, std::size_t count) {
    const std::size_t n = cloud.size();
    if (n <= count) return cloud;
    std::vector<cad::Vec3f> points(count);
    for (std::size_t i = 0; i < count; ++i)
        points[i] = cloud[i * n / count];
    return points;
}

nlohmann::ordered_json orNull(double value) {
    return std::isnan(value) ? nlohmann::ordered_json() : nlohmann::ordered_json(value);
}

double median(std::vector<double> values) {
    if (values.empty()) return std::nan("");
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

double mean(const std::vector<double>& values) {
    if (values.empty()) return std::nan("");
    double sum = 0.0;
    for (double v : values)
        sum += v;
    return sum / double(values.size());
}

/// The unit-cube surface points of a program (its own box), for the retrieved parts.
std::vector<cad::Vec3f> unitCubeSurface(const cad::Program& program, std::size_t points,
                                        std::uint64_t seed) {
    const cad::TriangleMesh mesh = cad::tessellate(cad::compile(program));
    const cad::Normalization n = cad::Normalization::toUnitCube(mesh.bounds());
    return cad::samplePoints(n.apply(mesh), points, seed).positions;
}

struct Row {
    std::string name;
    double cdMedian, cdMean, acc, comp, hanging, invalid, noValid;
    double segAcc = std::nan(""), precision = std::nan(""), recall = std::nan("");
};

/// A table cell: x 10^2 (or x 100 %), "-" where the method has no such number.
std::string cell(double value, int decimals = 2) {
    if (std::isnan(value)) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, 100.0 * value);
    return text;
}

void printTable(const std::vector<Row>& rows, std::int64_t parts, std::int64_t k) {
    std::printf("\n%lld held-out parts, K = %lld; CD x 10^2 in the unit-cube frame (lower is "
                "better)\n\n",
                (long long)parts, (long long)k);
    std::printf("| method | median CD | mean CD | Acc | Comp | HF %% | Seg Acc %% | primitive "
                "precision %% | recall %% | invalid %% | parts without a valid candidate %% "
                "|\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows)
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name.c_str(),
                    cell(r.cdMedian).c_str(), cell(r.cdMean).c_str(), cell(r.acc).c_str(),
                    cell(r.comp).c_str(), cell(r.hanging, 1).c_str(), cell(r.segAcc, 1).c_str(),
                    cell(r.precision, 1).c_str(), cell(r.recall, 1).c_str(),
                    cell(r.invalid, 1).c_str(), cell(r.noValid, 1).c_str());
}

} // namespace

int runEval(const EvalRequest& request) {
    const std::optional<ml::Split> split = parseSplit(request.split);
    if (request.count < 1 || request.candidates < 1 || request.steps < 1 || request.points < 16 ||
        !(request.guidance > 0.0))
        throw ml::Error(
            "--count, -k, --steps, --guidance must be positive and --points at least 16");
    const fs::path model = modelOrDefault(request.model);
    ml::Reconstructor reconstructor(model, ml::trainingDevice(request.device));
    ml::ReconstructionOptions options;
    options.candidates = request.candidates;
    options.sampling.steps = request.steps;
    options.sampling.seed = request.seed;
    options.sampling.guidance = request.guidance;
    options.constrainTokens = request.grammar;
    options.mixedPrecision = request.mixedPrecision;
    options.sampling.cutAfterEnd = !request.fullLength;
    options.sampling.endTail = request.endTail;
    options.fitCompiles = request.fitCompiles;
    options.fitCandidates = request.fitCandidates;
    options.fitPhotos = request.fitPhotos;
    options.turnCandidates = request.turnCandidates;
    options.samplesPerCandidate = request.samplesPerCandidate;
    options.retrievedParts = request.retrievedParts;
    options.retrievedStep = request.retrievedStep;
    options.samplesPerRetrieved = request.samplesPerRetrieved;
    // A photo has neither scale nor position: from one, every shape and cloud is compared in its
    // own unit cube (bounding box centred, longest side 1), the ground truth too — CAD-Recode's
    // protocol. From a cloud, candidates must also land where the cloud is, and are compared in
    // the cloud's frame.
    if (request.photos) options.photoPartSize = 1.0;

    std::unique_ptr<RetrievalIndex> index;
    if (request.retrieval) {
        std::cerr << "loading the retrieval index (training split) ..." << std::endl;
        index = std::make_unique<RetrievalIndex>(
            request.retrievalData.empty() ? request.data : request.retrievalData, model / "align");
    }

    nlohmann::ordered_json perPart = nlohmann::ordered_json::array();
    std::vector<double> bestCd, topCd, acc, comp, hanging, retrievalCd, embeddingRetrievalCd,
        inputCd, rawCd, refinedCd;
    std::vector<double> segAcc, precision, recall; // of each part's best candidate
    // From clouds, each part's own program (where it has one) through the codebook: what a
    // perfect denoiser would return.
    std::vector<double> ownTokensCd;
    std::int64_t ownTokensTried = 0, ownTokensInvalid = 0;
    std::int64_t parts = 0, candidates = 0, invalid = 0, repaired = 0, fitted = 0, withoutValid = 0;
    double seconds = 0.0;
    const auto size = std::size_t(request.points);
    const auto evaluatePart = [&](const ml::Sample& sample) {
        if (split && sample.split != *split) return true;
        // A part without a program (an imported STEP file) is compared with its own surface
        // points: from a photo, all of them; from a cloud, the second half, while the first
        // half is the input (two independent uniform samples of the surface).
        const std::optional<cad::Program> truth =
            sample.programJson.empty() ? std::nullopt
                                       : std::optional(cad::programFromJson(sample.programJson));
        const bool halves = !truth && !request.photos;
        const cad::PointCloud input =
            halves ? slice(sample.points, 0, sample.points.size() / 2) : sample.points;
        if (request.photos && sample.views.empty())
            throw ml::Error("--photos reads each part's rendered views, and this dataset has "
                            "none: make it with 'dataset make --views N'");
        // The ground truth in the frame of the dataset's cloud (the sample's normalisation),
        // which is also the frame the candidates come back in.
        // Its points carry their faces and primitive types, for Seg Acc and Precision/Recall.
        cad::PointCloud truthCloud = halves ? slice(sample.points, sample.points.size() / 2, size)
                                            : slice(sample.points, 0, size);
        if (truth) {
            const cad::Normalization frame{
                {sample.normalization[0], sample.normalization[1], sample.normalization[2]},
                sample.normalization[3]};
            truthCloud =
                cad::samplePoints(frame.apply(cad::tessellate(cad::compile(*truth))), size, 1);
            inputCd.push_back(cad::chamferDistance(sample.points.positions, truthCloud.positions));
        }
        const std::vector<cad::Vec3f>& gt = truthCloud.positions;

        const auto start = std::chrono::steady_clock::now();
        const ml::Reconstruction result =
            request.photos ? reconstructor.fromPhoto(sample.views.front().color, options)
                           : reconstructor.fromPointCloud(input, options);
        const double took =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        seconds += took;
        nlohmann::ordered_json entry = {
            {"index", sample.index}, {"source", sample.source}, {"seconds", took}};
        if (request.photos) {
            rawCd.push_back(cad::chamferDistance(cad::inOwnUnitCube(result.raw).positions, gt));
            refinedCd.push_back(
                cad::chamferDistance(cad::inOwnUnitCube(result.refined).positions, gt));
            entry["raw_cd"] = rawCd.back();
            entry["refined_cd"] = refinedCd.back();
        }
        double best = -1.0, bestAcc = 0.0, bestComp = 0.0;
        bool bestRetrieved = false; // the best started from a part of the model's library
        cad::PointCloud bestSurface;
        int valid = 0;
        nlohmann::ordered_json errors = nlohmann::ordered_json::array();
        // Each valid candidate's distances, in ranking order: to the truth, to the reference it
        // was ranked by (P_ref or the cloud) and, from a photo, to P_raw, so that other rankings
        // can be measured from one run.
        nlohmann::ordered_json ranked = nlohmann::ordered_json::array();
        const std::vector<cad::Vec3f> rawInOwnCube =
            request.photos ? cad::inOwnUnitCube(result.raw).positions : std::vector<cad::Vec3f>{};
        for (std::size_t c = 0; c < result.candidates.size(); ++c) {
            const ml::Candidate& candidate = result.candidates[c];
            ++candidates;
            repaired += candidate.repaired && candidate.valid(); // valid only thanks to it
            fitted += candidate.fitted;
            if (!candidate.valid()) {
                ++invalid;
                errors.push_back(candidate.error);
                continue;
            }
            ++valid;
            hanging.push_back(candidate.report.hangingFaceRatio);
            cad::PointCloud surface = cad::samplePoints(cad::tessellate(candidate.shape), size, 2);
            if (request.photos) surface = cad::inOwnUnitCube(std::move(surface));
            const double a = cad::meanNearestDistance(surface.positions, gt),
                         b = cad::meanNearestDistance(gt, surface.positions);
            const double cd = 0.5 * (a + b);
            nlohmann::ordered_json distances = {{"cd", cd},
                                                {"ranking_cd", candidate.chamfer},
                                                {"retrieved", candidate.retrieved},
                                                {"solids", candidate.report.solids}};
            if (request.photos)
                distances["raw_cd"] = cad::chamferDistance(surface.positions, rawInOwnCube);
            ranked.push_back(std::move(distances));
            if (c == 0) { // the model's own pick (CD to P_ref)
                topCd.push_back(cd);
                entry["top_cd"] = cd;
                entry["top_retrieved"] = candidate.retrieved;
            }
            if (best < 0.0 || cd < best)
                best = cd, bestAcc = a, bestComp = b, bestSurface = std::move(surface),
                bestRetrieved = candidate.retrieved;
        }
        entry["valid"] = valid;
        entry["candidates"] = std::move(ranked);
        if (!errors.empty()) entry["errors"] = errors; // why the others are invalid
        if (best >= 0.0) {
            bestCd.push_back(best);
            acc.push_back(bestAcc);
            comp.push_back(bestComp);
            entry["best_cd"] = best;
            entry["best_retrieved"] = bestRetrieved;
            if (truthCloud.primitives.size() == truthCloud.size()) {
                segAcc.push_back(cad::segmentationAccuracy(bestSurface, truthCloud));
                const cad::PrimitiveMatch match = cad::matchPrimitives(bestSurface, truthCloud);
                precision.push_back(match.precision);
                recall.push_back(match.recall);
                entry["seg_acc"] = segAcc.back();
                entry["primitive_precision"] = match.precision;
                entry["primitive_recall"] = match.recall;
            }
        } else {
            ++withoutValid;
        }
        if (truth && !request.photos) {
            ++ownTokensTried;
            try {
                const ml::Candidate own = reconstructor.throughCodebook(*truth, input, options);
                if (!own.valid()) throw ml::Error(own.error);
                ownTokensCd.push_back(cad::chamferDistance(
                    cad::samplePoints(cad::tessellate(own.shape), size, 2).positions, gt));
                entry["own_tokens_cd"] = ownTokensCd.back();
            } catch (const std::exception& e) {
                ++ownTokensInvalid;
                entry["own_tokens_error"] = e.what();
            }
        }
        if (index) {
            // By CD, the query is the cloud the model was given: the dataset's, or the
            // lifted P_raw; by z_P, the model's own condition's cloud P_ref.
            const std::vector<cad::Vec3f> query =
                request.photos ? spreadPoints(cad::inOwnUnitCube(result.raw).positions,
                                              RetrievalIndex::kCloudPoints)
                               : firstPoints(input, RetrievalIndex::kCloudPoints);
            const auto score = [&](std::size_t part, std::vector<double>& cds, const char* key) {
                try {
                    const double cd = cad::chamferDistance(
                        unitCubeSurface(cad::programFromJson(index->programJson(part)), size, 3),
                        gt);
                    cds.push_back(cd);
                    entry[key] = cd;
                } catch (const std::exception&) {
                    // a training program that no longer compiles: leave this part out
                }
            };
            score(index->nearestByCloud(query), retrievalCd, "retrieval_cd");
            score(index->nearestByEmbedding(result.refined.positions), embeddingRetrievalCd,
                  "zp_retrieval_cd");
        }
        perPart.push_back(entry);
        ++parts;
        std::cerr << "\r" << parts << "/" << request.count << " parts, median best-of-K CD "
                  << 100 * median(bestCd) << " x 10^-2   " << std::flush;
        return parts < request.count;
    };
    // From clouds the rendered views are never looked at: skip reading them.
    ml::forEachSample(request.data, evaluatePart,
                      request.photos ? ml::SampleFields::All : ml::SampleFields::WithoutViews);
    std::cerr << "\n";
    if (parts == 0) throw ml::Error("the dataset has no part in the " + request.split + " split");

    const double invalidRatio = double(invalid) / double(candidates);
    const double noValid = double(withoutValid) / double(parts);
    std::vector<Row> rows{{"ours, best of K", median(bestCd), mean(bestCd), mean(acc), mean(comp),
                           mean(hanging), invalidRatio, noValid, mean(segAcc), mean(precision),
                           mean(recall)},
                          {"ours, top-ranked (by CD to P_ref)", median(topCd), mean(topCd),
                           std::nan(""), std::nan(""), std::nan(""), std::nan(""), std::nan("")}};
    const double none = std::nan("");
    if (ownTokensTried > 0)
        rows.push_back({"the part's own program through the codebook (a perfect denoiser)",
                        median(ownTokensCd), mean(ownTokensCd), none, none, none,
                        double(ownTokensInvalid) / double(ownTokensTried), none});
    if (index) {
        rows.push_back({"retrieval (nearest training cloud by CD)", median(retrievalCd),
                        mean(retrievalCd), none, none, none, none, none});
        rows.push_back({"retrieval by z_P (nearest training part in the aligner's embedding)",
                        median(embeddingRetrievalCd), mean(embeddingRetrievalCd), none, none, none,
                        none, none});
    }
    printTable(rows, parts, request.candidates);
    const double strictInvalid = double(invalid + repaired) / double(candidates);
    std::printf("\nwithout repairs (strict decoding, sketches as sampled) the invalid ratio would "
                "be %.1f %%\n",
                100.0 * strictInvalid);
    if (!inputCd.empty())
        std::printf("\nreference: the dataset's own clouds vs. their programs, median CD x 10^2 "
                    "= %.2f (the sampling floor)\n",
                    100 * median(inputCd));
    std::printf("\n%.2f s per part\n", seconds / double(parts));
    if (request.photos)
        std::printf("\nlifting from the photo, CD x 10^2 to the ground truth: P_raw median %.2f "
                    "(mean %.2f), P_ref median %.2f (mean %.2f)\n",
                    100 * median(rawCd), 100 * mean(rawCd), 100 * median(refinedCd),
                    100 * mean(refinedCd));

    if (!request.output.empty()) {
        nlohmann::ordered_json summary = nlohmann::ordered_json::array();
        for (const Row& r : rows)
            summary.push_back({{"method", r.name},
                               {"median_cd", orNull(r.cdMedian)},
                               {"mean_cd", orNull(r.cdMean)},
                               {"acc", orNull(r.acc)},
                               {"comp", orNull(r.comp)},
                               {"hanging_face_ratio", orNull(r.hanging)},
                               {"seg_acc", orNull(r.segAcc)},
                               {"primitive_precision", orNull(r.precision)},
                               {"primitive_recall", orNull(r.recall)},
                               {"invalid_ratio", orNull(r.invalid)},
                               {"parts_without_valid", orNull(r.noValid)}});
        const nlohmann::ordered_json report = {
            {"data", fs::absolute(request.data).string()},
            {"model", fs::absolute(model).string()},
            {"split", request.split},
            {"parts", parts},
            {"candidates", request.candidates},
            {"steps", request.steps},
            {"seed", request.seed},
            {"guidance", request.guidance},
            {"grammar", request.grammar},
            {"cut_after_end", !request.fullLength},
            {"end_tail", request.endTail},
            {"turned", request.turnCandidates},
            {"samples_per_candidate", options.samplesPerCandidateFor(request.photos)},
            {"retrieved_parts", options.retrievedPartsResolved()},
            {"retrieved_step", options.retrievedStep},
            {"samples_per_retrieved", options.samplesPerRetrieved},
            {"fit_compiles", options.fitCompilesFor(request.photos)},
            {"fit_candidates", request.fitCandidates},
            {"fitted_ratio", double(fitted) / double(candidates)},
            {"input", request.photos ? "photo" : "cloud"},
            {"raw_median_cd", orNull(median(rawCd))},
            {"refined_median_cd", orNull(median(refinedCd))},
            {"points", request.points},
            {"sampling_floor_median_cd", orNull(median(inputCd))},
            {"strict_invalid_ratio", strictInvalid},
            {"seconds_per_part", seconds / double(parts)},
            {"summary", summary},
            {"per_part", perPart}};
        cad::writeFileAtomically(request.output, report.dump(1) + "\n");
    }
    return 0;
}

} // namespace img2cad::app
