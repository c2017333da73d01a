// SPDX-License-Identifier: MIT
// The photo-to-condition stage measured (issue 5): how well the trained UA-DGCNN ranks edge
// points (importance AUC) and how well the contrastive aligner finds a part's CAD sequence from
// its points (retrieval top-1 / top-5 among all parts of the set), on the held-out test split
// of a generated set and on real parts nobody here designed.
//
//   bench_condition --data DATASET --codebook DIR --align DIR --refine DIR
//                   [--parts 1000] [--sequences DIR] [--step DIR ...]
//                   [--lift DIR --real-data DATASET ...]
//
// Input clouds, without --lift: each part's surface points (the dataset's, or 2,048 sampled
// from the compiled program / STEP shape in its unit-cube frame) with the refinement trainer's
// jitter; each network sees a random subset of the size it was trained on. With --lift: what
// the app does with a photo — each part's first render is masked (GrabCut), lifted to P_raw,
// its importance predicted on all of P_raw and P_ref drawn by eq. 6 for the aligner; the truth
// importance is that of the lifted points (in their own unit cube) on the part's real edges.
// The real rows then come from datasets with renders (`--real-data`, as scripts/
// evaluate-model.sh imports them), a STEP part's shape from the `--step` folders by file name.
// STEP parts have no construction sequence, so they get the AUC only.

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/align/align_trainer.h"
#include "ml/codebook/cad_tokens.h"
#include "ml/codebook/codebook_store.h"
#include "ml/compute_threads.h"
#include "ml/dataset/shard_io.h"
#include "ml/lift/lift_data.h"
#include "ml/lift/lift_trainer.h"
#include "ml/reconstruct/reconstructor.h"
#include "ml/refine/refine_trainer.h"
#include "ml/refine/resampling.h"
#include "ml/training/model_folder.h"
#include "ml/vision/photo_preprocess.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPoints = 2048;

struct Part {
    std::string name;
    std::vector<cad::Vec3f> points;   ///< unit-cube frame
    torch::Tensor importance;         ///< ground truth [N]
    std::vector<std::int64_t> tokens; ///< empty: no construction sequence
};

/// A shape's points in its unit-cube frame with their ground-truth importance.
Part fromShape(const std::string& name, const cad::Shape& shape) {
    const cad::Normalization frame = cad::Normalization::toUnitCube(cad::analyse(shape).bbox);
    Part part{
        name, frame.apply(cad::samplePoints(cad::tessellate(shape), kPoints, 5)).positions, {}, {}};
    part.importance = ml::edgeImportance(
        shape, {frame.center.x, frame.center.y, frame.center.z, frame.scale}, part.points);
    return part;
}

/// What lifts parts from their renders (--lift): the lifter, and where STEP parts' shapes are.
struct Lifting {
    ml::LiftingNetwork lifter{nullptr};
    std::map<std::string, fs::path> stepFiles; ///< by file name
};

/// P_raw lifted from the sample's first render, as the Reconstructor lifts a photo.
std::vector<cad::Vec3f> liftedCloud(ml::LiftingNetwork& lifter, const ml::Sample& sample) {
    if (sample.views.empty()) throw std::runtime_error("the part has no render to lift");
    ml::PreprocessOptions options;
    options.outputSize = int(lifter->options().vit.imageSize);
    const ml::PreprocessedPhoto photo = ml::preprocessPhoto(sample.views.front().color, options);
    torch::NoGradGuard noGrad;
    const torch::Tensor raw =
        lifter->forward(ml::imageTensor(photo.input).unsqueeze(0))[0].contiguous();
    const auto* first = reinterpret_cast<const cad::Vec3f*>(raw.data_ptr<float>());
    return {first, first + raw.size(0)};
}

/// A dataset part: its own points, or (with a lifter) the cloud lifted from its render, whose
/// truth importance is measured in its own unit cube, the frame of the sample's truth, which a
/// cloud from a photo (no scale, no position) can only approximate.
Part datasetPart(const ml::Sample& sample, ml::CadCodebook& codebook, Lifting& lifting) {
    std::optional<cad::Program> program;
    cad::Shape shape;
    if (!sample.programJson.empty()) {
        program = cad::programFromJson(sample.programJson);
        shape = cad::compile(*program);
    } else {
        const auto file = lifting.stepFiles.find(sample.source);
        if (file == lifting.stepFiles.end())
            throw std::runtime_error("no STEP file named " + sample.source + " in --step");
        shape = cad::readStep(file->second);
    }
    Part part{sample.source + "#" + std::to_string(sample.index), sample.points.positions, {}, {}};
    std::vector<cad::Vec3f> truthFrame = part.points;
    if (!lifting.lifter.is_empty()) {
        cad::PointCloud lifted;
        lifted.positions = part.points = liftedCloud(lifting.lifter, sample);
        truthFrame = cad::inOwnUnitCube(lifted).positions;
    }
    part.importance = ml::edgeImportance(shape, sample.normalization, truthFrame);
    if (program) part.tokens = ml::programTokens(codebook, ml::makeCodebookExample(*program));
    return part;
}

/// Up to `limit` parts of a dataset's `split` (every split when none), in dataset order.
std::vector<Part> datasetParts(const fs::path& folder, std::optional<ml::Split> split,
                               std::size_t limit, ml::CadCodebook& codebook, Lifting& lifting) {
    std::vector<Part> parts;
    if (limit == 0) return parts;
    ml::forEachSample(folder, [&](const ml::Sample& sample) {
        if (split && sample.split != *split) return true;
        if (sample.programJson.empty() && lifting.lifter.is_empty()) return true;
        try {
            parts.push_back(datasetPart(sample, codebook, lifting));
            if (parts.size() % 100 == 0) std::cerr << "  " << parts.size() << " parts\n";
        } catch (const std::exception& e) {
            std::cerr << "  skipping part " << sample.index << " (" << sample.source
                      << "): " << e.what() << "\n";
        }
        return parts.size() < limit;
    });
    return parts;
}

std::vector<fs::path> filesIn(const fs::path& folder, const std::vector<std::string>& extensions) {
    std::vector<fs::path> files;
    if (!fs::is_directory(folder)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end())
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<Part> realSequences(const fs::path& folder, ml::CadCodebook& codebook) {
    std::vector<Part> parts;
    for (const fs::path& file : filesIn(folder, {".json"})) {
        try {
            const cad::Program program = cad::importSequenceFile(file).program;
            Part part = fromShape(file.filename().string(), cad::compile(program));
            part.tokens = ml::programTokens(codebook, ml::makeCodebookExample(program));
            parts.push_back(std::move(part));
        } catch (const std::exception& e) {
            std::cerr << "  skipping " << file.filename().string() << ": " << e.what() << "\n";
        }
    }
    return parts;
}

std::vector<Part> stepParts(const std::vector<fs::path>& folders) {
    std::vector<Part> parts;
    for (const fs::path& folder : folders)
        for (const fs::path& file : filesIn(folder, {".step", ".stp"})) {
            try {
                parts.push_back(fromShape(file.filename().string(), cad::readStep(file)));
            } catch (const std::exception& e) {
                std::cerr << "  skipping " << file.filename().string() << ": " << e.what() << "\n";
            }
        }
    return parts;
}

struct Row {
    std::string set;
    std::size_t parts = 0, retrievable = 0; ///< all parts; those with a sequence the aligner reads
    double auc = -1.0, top1 = -1.0, top5 = -1.0;
};

/// What the networks were trained on: cloud size and jitter of the refiner, subset size of the
/// aligner (a k-NN graph over more points than in training would see a denser world).
struct InputSettings {
    std::int64_t refinePoints = 1024, alignPoints = 1024;
    double jitter = 0.0;
    std::size_t maxTokens = 1024; ///< the aligner's longest sequence; longer parts get AUC only
    /// Lifted clouds go through the app's path: importance on all points, P_ref by eq. 6.
    bool lifted = false;
};

Row measure(const std::string& set, const std::vector<Part>& parts, ml::UaDgcnn& refiner,
            ml::ContrastiveAligner& aligner, const InputSettings& input) {
    Row row{set, parts.size()};
    for (const Part& part : parts)
        row.retrievable += !part.tokens.empty() && part.tokens.size() <= input.maxTokens;
    if (parts.empty()) return row;
    torch::NoGradGuard noGrad;
    at::Generator generator = at::detail::createCPUGenerator(11);
    std::vector<torch::Tensor> scores, positive, zPoints, zCad;
    const auto subset = [&](std::int64_t n, std::int64_t count) {
        return torch::randperm(n, generator, torch::kLong).narrow(0, 0, std::min(n, count));
    };
    const ml::ReconstructionOptions app; // the eq. 6 settings the app resamples with
    for (const Part& part : parts) {
        const auto n = std::int64_t(part.points.size());
        torch::Tensor cloud =
            torch::from_blob(const_cast<cad::Vec3f*>(part.points.data()), {n, 3}, torch::kFloat);
        torch::Tensor pick;
        if (input.lifted) {
            const torch::Tensor importance =
                refiner->forward(cloud.unsqueeze(0)).importance.reshape({-1});
            scores.push_back(importance);
            positive.push_back(part.importance.gt(0.5));
            pick = ml::heuristicResample(
                importance, {input.alignPoints, app.importanceBeta, app.importanceLambda},
                generator);
        } else {
            cloud = cloud + input.jitter * torch::randn({n, 3}, generator, torch::kFloat);
            const torch::Tensor refined = subset(n, input.refinePoints);
            scores.push_back(refiner->forward(cloud.index_select(0, refined).unsqueeze(0))
                                 .importance.reshape({-1}));
            positive.push_back(part.importance.index_select(0, refined).gt(0.5));
            pick = subset(n, input.alignPoints);
        }
        if (part.tokens.empty() || part.tokens.size() > input.maxTokens) continue;
        const torch::Tensor tokens = torch::tensor(part.tokens, torch::kLong).unsqueeze(0);
        const auto z = aligner->forward(cloud.index_select(0, pick).unsqueeze(0), tokens,
                                        torch::zeros_like(tokens, torch::kBool));
        zPoints.push_back(z.zPoints);
        zCad.push_back(z.zCad);
    }
    row.auc = ml::rocAuc(torch::cat(scores), torch::cat(positive));
    if (zPoints.size() >= 5) {
        row.top1 = ml::retrievalAccuracy(torch::cat(zPoints), torch::cat(zCad), 1);
        row.top5 = ml::retrievalAccuracy(torch::cat(zPoints), torch::cat(zCad), 5);
    }
    return row;
}

std::string percent(double value) {
    if (value < 0.0) return "—";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", 100.0 * value);
    return text;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Importance and retrieval benchmark of the photo-to-condition stage"};
    fs::path data, codebookFolder, alignFolder, refineFolder, liftFolder,
        sequences = fs::path(IMG2CAD_SOURCE_DIR) / ".." / "shared" / "data" / "sequences";
    std::vector<fs::path> stepFolders = {fs::path(IMG2CAD_SOURCE_DIR) / ".." / "shared" / "data" /
                                             "step",
                                         "/usr/share/opencascade/data/step"};
    std::vector<fs::path> realData;
    std::size_t limit = 1000;
    cli.add_option("--data", data, "Dataset folder (its test split)")->required();
    cli.add_option("--codebook", codebookFolder, "Trained codebook folder")->required();
    cli.add_option("--align", alignFolder, "Trained aligner folder")->required();
    cli.add_option("--refine", refineFolder, "Trained refinement folder")->required();
    cli.add_option("--lift", liftFolder, "Trained lifter: measure on clouds lifted from renders");
    cli.add_option("--real-data", realData,
                   "With --lift: datasets of real parts with renders (dataset import-*)");
    cli.add_option("--parts", limit, "Test-split parts to measure")->capture_default_str();
    cli.add_option("--sequences", sequences, "Real DeepCAD / Fusion 360 JSON folder");
    cli.add_option("--step", stepFolders, "Folders of real STEP parts");
    CLI11_PARSE(cli, argc, argv);
    ml::useMachineThreads();
    try {
        ml::CadCodebook codebook = ml::loadCodebook(codebookFolder);
        ml::ContrastiveAligner aligner = ml::loadAligner(alignFolder);
        ml::UaDgcnn refiner = ml::loadRefiner(refineFolder);
        const nlohmann::json align = ml::readModelManifest(alignFolder, "align");
        const nlohmann::json refine = ml::readModelManifest(refineFolder, "refine");
        Lifting lifting;
        if (!liftFolder.empty()) {
            lifting.lifter = ml::loadLifter(liftFolder, torch::kCPU);
            for (const fs::path& folder : stepFolders)
                for (const fs::path& file : filesIn(folder, {".step", ".stp"}))
                    lifting.stepFiles.emplace(file.filename().string(), file);
        }
        const InputSettings input{
            refine["training"]["points"], align["training"]["points"], refine["training"]["jitter"],
            align["options"]["max_tokens"].get<std::size_t>(), !liftFolder.empty()};

        std::vector<Row> rows;
        rows.push_back(measure("generated test split",
                               datasetParts(data, ml::Split::Test, limit, codebook, lifting),
                               refiner, aligner, input));
        if (liftFolder.empty()) {
            rows.push_back(measure("real sequences (shared/data)",
                                   realSequences(sequences, codebook), refiner, aligner, input));
            rows.push_back(measure("real STEP parts (shared/data, occt-misc)",
                                   stepParts(stepFolders), refiner, aligner, input));
        }
        for (const fs::path& folder : realData)
            rows.push_back(measure("renders of " + folder.filename().string(),
                                   datasetParts(folder, std::nullopt, limit, codebook, lifting),
                                   refiner, aligner, input));
        std::printf("| set | parts | importance AUC (edge points) | retrieval among | "
                    "retrieval top-1 | retrieval top-5 |\n|---|---|---|---|---|---|\n");
        for (const Row& r : rows)
            std::printf("| %s | %zu | %s | %zu | %s | %s |\n", r.set.c_str(), r.parts,
                        r.auc < 0 ? "—" : std::to_string(r.auc).substr(0, 5).c_str(), r.retrievable,
                        percent(r.top1).c_str(), percent(r.top5).c_str());
    } catch (const std::exception& e) {
        std::cerr << "bench_condition: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
