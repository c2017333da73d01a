// SPDX-License-Identifier: MIT
#include "eval_command.h"

#include "reconstruct_commands.h"

#include "cad/atomic_file.h"
#include "cad/compiler.h"
#include "cad/metrics/chamfer.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "ml/dataset/manifest.h"
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
#include <limits>
#include <optional>

namespace img2cad::app {
namespace {

namespace fs = std::filesystem;

/// Points of the retrieval index per training part: enough to tell parts apart, few enough
/// that thousands of exact CDs per query stay under a second.
constexpr std::size_t kRetrievalPoints = 256;

/// The split to measure; empty for "all" (imported real parts, which no model trained on).
std::optional<ml::Split> parseSplit(const std::string& name) {
    if (name == "all") return std::nullopt;
    for (ml::Split s : {ml::Split::Train, ml::Split::Val, ml::Split::Test})
        if (name == ml::splitName(s)) return s;
    throw ml::Error("--split must be train, val, test or all, not '" + name + "'");
}

std::vector<cad::Vec3f> firstPoints(const cad::PointCloud& cloud, std::size_t count) {
    // Dataset clouds are sampled uniformly at random, so a prefix is a uniform subsample.
    const auto n = std::min(count, cloud.positions.size());
    return {cloud.positions.begin(), cloud.positions.begin() + long(n)};
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

struct TrainingPart {
    std::vector<cad::Vec3f> points; ///< kRetrievalPoints, unit-cube frame
    std::string programJson;
};

std::vector<TrainingPart> loadRetrievalIndex(const fs::path& data) {
    const ml::DatasetManifest manifest = ml::readManifest(data);
    std::vector<TrainingPart> index;
    for (std::int64_t s = 0; s < manifest.shardCount(); ++s) {
        const fs::path shard = data / manifest.shardFileName(s);
        if (!fs::exists(shard)) continue;
        for (std::size_t p = 0; p < ml::shardSampleCount(shard); ++p) {
            ml::Sample sample = ml::readShardSample(shard, p);
            if (sample.split != ml::Split::Train || sample.programJson.empty()) continue;
            index.push_back(
                {firstPoints(sample.points, kRetrievalPoints), std::move(sample.programJson)});
        }
    }
    return index;
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
    std::printf("| method | median CD | mean CD | Acc | Comp | HF %% | invalid %% | parts "
                "without a valid candidate %% |\n|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows)
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name.c_str(),
                    cell(r.cdMedian).c_str(), cell(r.cdMean).c_str(), cell(r.acc).c_str(),
                    cell(r.comp).c_str(), cell(r.hanging, 1).c_str(), cell(r.invalid, 1).c_str(),
                    cell(r.noValid, 1).c_str());
}

} // namespace

int runEval(const EvalRequest& request) {
    const std::optional<ml::Split> split = parseSplit(request.split);
    if (request.count < 1 || request.candidates < 1 || request.steps < 1 || request.points < 16)
        throw ml::Error("--count, -k, --steps must be positive and --points at least 16");
    const fs::path model = modelOrDefault(request.model);
    ml::Reconstructor reconstructor(model, ml::trainingDevice(request.device));
    ml::ReconstructionOptions options;
    options.candidates = request.candidates;
    options.sampling.steps = request.steps;
    options.sampling.seed = request.seed;
    options.constrainTokens = request.grammar;
    options.mixedPrecision = request.mixedPrecision;
    // A photo has neither scale nor position: from one, every shape and cloud is compared in its
    // own unit cube (bounding box centred, longest side 1), the ground truth too — CAD-Recode's
    // protocol. From a cloud, candidates must also land where the cloud is, and are compared in
    // the cloud's frame.
    if (request.photos) options.photoPartSize = 1.0;

    std::vector<TrainingPart> index;
    if (request.retrieval) {
        std::cerr << "loading the retrieval index (training split) ..." << std::endl;
        index = loadRetrievalIndex(request.retrievalData.empty() ? request.data
                                                                 : request.retrievalData);
        if (index.empty()) throw ml::Error("the dataset has no training parts to retrieve from");
    }

    const ml::DatasetManifest manifest = ml::readManifest(request.data);
    nlohmann::ordered_json perPart = nlohmann::ordered_json::array();
    std::vector<double> bestCd, topCd, acc, comp, hanging, retrievalCd, inputCd, rawCd, refinedCd;
    std::int64_t parts = 0, candidates = 0, invalid = 0, repaired = 0, withoutValid = 0;
    double seconds = 0.0;
    const auto size = std::size_t(request.points);
    for (std::int64_t s = 0; s < manifest.shardCount() && parts < request.count; ++s) {
        const fs::path shard = fs::path(request.data) / manifest.shardFileName(s);
        if (!fs::exists(shard)) continue;
        for (std::size_t p = 0; p < ml::shardSampleCount(shard) && parts < request.count; ++p) {
            const ml::Sample sample = ml::readShardSample(shard, p);
            if (split && sample.split != *split) continue;
            // A part without a program (an imported STEP file) is compared with its own surface
            // points, which only a photo-conditioned run does not also take as its input.
            const bool hasProgram = !sample.programJson.empty();
            if (!hasProgram && !request.photos) continue;
            if (request.photos && sample.views.empty())
                throw ml::Error("--photos reads each part's rendered views, and this dataset has "
                                "none: make it with 'dataset make --views N'");
            // The ground truth in the frame of the dataset's cloud (the sample's normalisation),
            // which is also the frame the candidates come back in.
            std::vector<cad::Vec3f> gt = firstPoints(sample.points, size);
            if (hasProgram) {
                const cad::Program truth = cad::programFromJson(sample.programJson);
                const cad::Normalization frame{
                    {sample.normalization[0], sample.normalization[1], sample.normalization[2]},
                    sample.normalization[3]};
                gt = cad::samplePoints(frame.apply(cad::tessellate(cad::compile(truth))), size, 1)
                         .positions;
                inputCd.push_back(cad::chamferDistance(sample.points.positions, gt));
            }

            const auto start = std::chrono::steady_clock::now();
            const ml::Reconstruction result =
                request.photos ? reconstructor.fromPhoto(sample.views.front().color, options)
                               : reconstructor.fromPointCloud(sample.points, options);
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
            int valid = 0;
            nlohmann::ordered_json errors = nlohmann::ordered_json::array();
            for (std::size_t c = 0; c < result.candidates.size(); ++c) {
                const ml::Candidate& candidate = result.candidates[c];
                ++candidates;
                repaired += candidate.repaired && candidate.valid(); // valid only thanks to it
                if (!candidate.valid()) {
                    ++invalid;
                    errors.push_back(candidate.error);
                    continue;
                }
                ++valid;
                hanging.push_back(candidate.report.hangingFaceRatio);
                cad::PointCloud sampled =
                    cad::samplePoints(cad::tessellate(candidate.shape), size, 2);
                const std::vector<cad::Vec3f> surface =
                    request.photos ? cad::inOwnUnitCube(std::move(sampled)).positions
                                   : std::move(sampled.positions);
                const double a = cad::meanNearestDistance(surface, gt),
                             b = cad::meanNearestDistance(gt, surface);
                const double cd = 0.5 * (a + b);
                if (c == 0) topCd.push_back(cd); // the model's own pick (CD to P_ref)
                if (best < 0.0 || cd < best) best = cd, bestAcc = a, bestComp = b;
            }
            entry["valid"] = valid;
            if (!errors.empty()) entry["errors"] = errors; // why the others are invalid
            if (best >= 0.0) {
                bestCd.push_back(best);
                acc.push_back(bestAcc);
                comp.push_back(bestComp);
                entry["best_cd"] = best;
            } else {
                ++withoutValid;
            }
            if (request.retrieval) {
                // The query is the cloud the model was given: the dataset's, or the lifted P_raw.
                const std::vector<cad::Vec3f> query =
                    request.photos
                        ? spreadPoints(cad::inOwnUnitCube(result.raw).positions, kRetrievalPoints)
                        : firstPoints(sample.points, kRetrievalPoints);
                std::size_t nearest = 0;
                double nearestCd = std::numeric_limits<double>::max();
                for (std::size_t i = 0; i < index.size(); ++i) {
                    const double cd = cad::chamferDistance(query, index[i].points);
                    if (cd < nearestCd) nearestCd = cd, nearest = i;
                }
                try {
                    const std::vector<cad::Vec3f> retrieved =
                        unitCubeSurface(cad::programFromJson(index[nearest].programJson), size, 3);
                    const double cd = cad::chamferDistance(retrieved, gt);
                    retrievalCd.push_back(cd);
                    entry["retrieval_cd"] = cd;
                } catch (const std::exception&) {
                    // a training program that no longer compiles: leave this part out of it
                }
            }
            perPart.push_back(entry);
            ++parts;
            std::cerr << "\r" << parts << "/" << request.count << " parts, median best-of-K CD "
                      << 100 * median(bestCd) << " x 10^-2   " << std::flush;
        }
    }
    std::cerr << "\n";
    if (parts == 0)
        throw ml::Error("no part of the " + request.split +
                        " split has a program to compare with (parts without one, imported STEP "
                        "files, are measured with --photos)");

    const double invalidRatio = double(invalid) / double(candidates);
    const double noValid = double(withoutValid) / double(parts);
    std::vector<Row> rows{{"ours, best of K", median(bestCd), mean(bestCd), mean(acc), mean(comp),
                           mean(hanging), invalidRatio, noValid},
                          {"ours, top-ranked (by CD to P_ref)", median(topCd), mean(topCd),
                           std::nan(""), std::nan(""), std::nan(""), std::nan(""), std::nan("")}};
    if (request.retrieval)
        rows.push_back({"retrieval (nearest training cloud)", median(retrievalCd),
                        mean(retrievalCd), std::nan(""), std::nan(""), std::nan(""), std::nan(""),
                        std::nan("")});
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
            {"grammar", request.grammar},
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
