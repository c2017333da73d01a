// SPDX-License-Identifier: MIT
#include "generation_eval.h"

#include "reconstruct_commands.h"

#include "cad/atomic_file.h"
#include "cad/metrics/generation_metrics.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "ml/codebook/cad_encoding.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/reconstruct/reconstructor.h"
#include "ml/training/training_loop.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>

namespace img2cad::app {
namespace {

namespace fs = std::filesystem;

/// HNC-CAD's duplicate test: the program's flat rows (canonical order, in the part's unit
/// frame, so scale and position do not matter) with every value quantised to 8 bits over
/// [-1, 1], hashed with FNV-1a. None for a program the encoding refuses.
std::optional<std::uint64_t> programKey(const cad::Program& program) {
    try {
        const ml::FlatProgram flat = ml::encodeFlat(program);
        std::uint64_t hash = 1469598103934665603ull;
        for (const ml::FlatRow& row : flat.rows)
            for (double v : row) {
                hash ^= std::uint64_t(std::int64_t(std::lround(std::clamp(v, -1.0, 1.0) * 127.0)));
                hash *= 1099511628211ull;
            }
        return hash;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

struct Shapes {
    std::vector<cad::Cloud> clouds; ///< unit-cube surface points
    std::vector<std::uint64_t> keys;
};

/// The dataset's reference clouds (the test split's) and its training programs' keys and clouds.
struct DatasetShapes {
    std::vector<cad::Cloud> references;
    Shapes training;
};

DatasetShapes readDataset(const fs::path& data, ml::Split referenceSplit, std::size_t points) {
    DatasetShapes shapes;
    ml::forEachSample(
        data,
        [&](const ml::Sample& sample) {
            if (sample.points.empty()) return true;
            // Dataset clouds are uniform draws in the part's unit cube: a prefix is a subsample.
            cad::Cloud cloud(sample.points.positions.begin(),
                             sample.points.positions.begin() +
                                 long(std::min(points, sample.points.size())));
            if (sample.split == referenceSplit) {
                shapes.references.push_back(std::move(cloud));
            } else if (sample.split == ml::Split::Train && !sample.programJson.empty()) {
                if (const auto key = programKey(cad::programFromJson(sample.programJson))) {
                    shapes.training.keys.push_back(*key);
                    shapes.training.clouds.push_back(std::move(cloud));
                }
            }
            return true;
        },
        ml::SampleFields::WithoutViews);
    return shapes;
}

struct Measures {
    double mmd = 0.0, coverage = 0.0, jsd = 0.0, novelty = 0.0, uniqueness = 0.0;
};

/// The protocol's draws over one set of generated shapes, averaged.
Measures measure(const Shapes& generated, const DatasetShapes& data,
                 const GenerationEvalRequest& request) {
    std::cerr << "CD matrix " << generated.clouds.size() << " x " << data.references.size()
              << " ..." << std::endl;
    const std::vector<double> matrix = cad::chamferMatrix(generated.clouds, data.references);
    std::mt19937_64 random(request.seed + 17);
    std::vector<std::size_t> order(data.references.size());
    Measures m;
    for (std::int64_t d = 0; d < request.draws; ++d) {
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::shuffle(order.begin(), order.end(), random);
        order.resize(std::min(order.size(), std::size_t(request.drawSize)));
        std::vector<cad::Cloud> drawn;
        for (std::size_t r : order)
            drawn.push_back(data.references[r]);
        const cad::Fidelity f =
            cad::fidelity(matrix, generated.clouds.size(), data.references.size(), order);
        m.mmd += f.mmd / double(request.draws);
        m.coverage += f.coverage / double(request.draws);
        m.jsd += cad::occupancyJsd(generated.clouds, drawn) / double(request.draws);
        order.resize(data.references.size());
    }
    const cad::Diversity diversity = cad::diversity(generated.keys, data.training.keys);
    m.novelty = diversity.novelty;
    m.uniqueness = diversity.uniqueness;
    return m;
}

nlohmann::ordered_json toJson(const Measures& m) {
    return {{"mmd", m.mmd},
            {"coverage", m.coverage},
            {"jsd", m.jsd},
            {"novelty", m.novelty},
            {"uniqueness", m.uniqueness}};
}

} // namespace

int runGenerationEval(const GenerationEvalRequest& request) {
    if (request.samples < 1 || request.draws < 1 || request.drawSize < 1 || request.steps < 1 ||
        request.points < 16)
        throw ml::Error("-n, --draws, --draw-size and --steps must be positive and --points at "
                        "least 16");
    const auto points = std::size_t(request.points);
    std::cerr << "reading the dataset ..." << std::endl;
    const ml::Split split = ml::splitNamed(request.split);
    if (split == ml::Split::Train)
        throw ml::Error("the references must be held out: --split val or test");
    const DatasetShapes data = readDataset(request.data, split, points);
    if (data.references.empty())
        throw ml::Error(std::string("the dataset has no ") + ml::splitName(split) +
                        " split to compare the samples with");
    if (data.training.keys.empty())
        throw ml::Error("the dataset has no training programs to measure novelty against");

    const fs::path model = modelOrDefault(request.model);
    ml::Reconstructor reconstructor(model, ml::trainingDevice(request.device));
    ml::ReconstructionOptions options;
    options.sampling.steps = request.steps;
    options.sampling.endTail = request.endTail;
    options.photoPartSize = 1.0;
    Shapes generated;
    std::int64_t attempted = 0, invalid = 0, unkeyed = 0;
    // Sample until enough compile; a model that almost never does is stopped at 20x.
    const std::int64_t limit = 20 * request.samples;
    while (std::int64_t(generated.clouds.size()) < request.samples && attempted < limit) {
        const std::int64_t batch = std::min<std::int64_t>(
            256,
            std::max<std::int64_t>(64, request.samples - std::int64_t(generated.clouds.size())));
        options.sampling.seed = request.seed + std::uint64_t(attempted);
        const std::vector<ml::Candidate> candidates = reconstructor.generate(batch, options);
        attempted += batch;
        for (const ml::Candidate& c : candidates) {
            if (!c.valid()) {
                ++invalid;
                continue;
            }
            if (std::int64_t(generated.clouds.size()) >= request.samples) continue;
            // A program the flat encoding refuses cannot be compared: a key of its own makes it
            // count as novel and unique (and the table says how many there were).
            const std::optional<std::uint64_t> key = programKey(c.program);
            generated.keys.push_back(key ? *key : ~std::uint64_t(unkeyed++));
            generated.clouds.push_back(
                cad::inOwnUnitCube(cad::samplePoints(cad::tessellate(c.shape), points, 5))
                    .positions);
        }
        std::cerr << "\r" << generated.clouds.size() << "/" << request.samples << " valid of "
                  << attempted << " sampled   " << std::flush;
    }
    std::cerr << "\n";
    if (generated.clouds.empty()) throw ml::Error("no sample compiled: nothing to measure");

    const Measures ours = measure(generated, data, request);
    // The training distribution itself, as many parts as samples (the first ones: the split
    // is random), for scale.
    Shapes training;
    const std::size_t count = std::min(generated.clouds.size(), data.training.clouds.size());
    training.clouds.assign(data.training.clouds.begin(),
                           data.training.clouds.begin() + long(count));
    training.keys.assign(data.training.keys.begin(), data.training.keys.begin() + long(count));
    const Measures reference = measure(training, data, request);

    const double ir = double(invalid) / double(attempted);
    std::printf("\n%zu valid samples (%lld sampled, %lld steps), %lld draws of %zu test parts; "
                "CD x 10^2 (appendix A, not squared) on %zu points per shape in its unit cube, "
                "JSD x 10^2 on a 28^3 grid\n\n",
                generated.clouds.size(), (long long)attempted, (long long)request.steps,
                (long long)request.draws,
                std::min(data.references.size(), std::size_t(request.drawSize)), points);
    std::printf("| shapes | COV %% | MMD | JSD | IR %% | Novelty %% | Uniqueness %% "
                "|\n|---|---|---|---|---|---|---|\n");
    std::printf("| ours, unconditional samples | %.1f | %.2f | %.2f | %.1f | %.1f | %.1f |\n",
                100 * ours.coverage, 100 * ours.mmd, 100 * ours.jsd, 100 * ir, 100 * ours.novelty,
                100 * ours.uniqueness);
    std::printf("| training parts (the distribution learnt) | %.1f | %.2f | %.2f | - | %.1f | "
                "%.1f |\n",
                100 * reference.coverage, 100 * reference.mmd, 100 * reference.jsd,
                100 * reference.novelty, 100 * reference.uniqueness);
    if (unkeyed > 0)
        std::printf("\n%lld samples had no flat encoding and count as novel and unique\n",
                    (long long)unkeyed);

    if (!request.output.empty()) {
        const nlohmann::ordered_json report = {{"data", fs::absolute(request.data).string()},
                                               {"model", fs::absolute(model).string()},
                                               {"samples", generated.clouds.size()},
                                               {"sampled", attempted},
                                               {"invalid_ratio", ir},
                                               {"steps", request.steps},
                                               {"end_tail", request.endTail},
                                               {"seed", request.seed},
                                               {"draws", request.draws},
                                               {"draw_size", request.drawSize},
                                               {"points", request.points},
                                               {"ours", toJson(ours)},
                                               {"training_parts", toJson(reference)}};
        cad::writeFileAtomically(request.output, report.dump(1) + "\n");
    }
    return 0;
}

} // namespace img2cad::app
