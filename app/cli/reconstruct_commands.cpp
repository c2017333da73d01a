// SPDX-License-Identifier: MIT
#include "reconstruct_commands.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/part_file.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "ml/error.h"
#include "ml/reconstruct/default_model.h"
#include "ml/reconstruct/reconstructor.h"
#include "ml/training/training_loop.h"
#include "ml/vision/photo_io.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace img2cad::app {
namespace {

namespace fs = std::filesystem;

/// "candidate-01", "sample-12", ...
std::string fileStem(const char* prefix, std::size_t index) {
    char stem[48];
    std::snprintf(stem, sizeof stem, "%s-%02zu", prefix, index + 1);
    return stem;
}

/// Writes one candidate's files into `folder`; returns its entry of report.json. A file that
/// cannot be written is reported in the entry and does not stop the others.
nlohmann::ordered_json writeCandidate(const ml::Candidate& candidate, const std::string& stem,
                                      std::size_t rank, const fs::path& folder) {
    nlohmann::ordered_json entry = {
        {"rank", rank + 1}, {"valid", candidate.valid()}, {"repaired", candidate.repaired}};
    std::vector<std::string> files;
    if (candidate.decoded) try {
            cad::PartFile part;
            part.kind = cad::FileKind::Program;
            part.name = stem;
            part.program = candidate.program;
            part.shape = candidate.shape;
            cad::writePartFile(part, folder / (stem + ".json"));
            files.push_back(stem + ".json");
            if (candidate.valid()) {
                for (const char* extension : {".step", ".stl"}) {
                    cad::writePartFile(part, folder / (stem + extension));
                    files.push_back(stem + extension);
                }
            }
        } catch (const cad::Error& e) {
            entry["write_error"] = e.what();
        }
    entry["files"] = files;
    if (candidate.valid()) {
        if (candidate.chamfer >= 0.0) entry["chamfer_x100"] = 100.0 * candidate.chamfer;
        entry["turned"] = candidate.turned;
        entry["fitted"] = candidate.fitted;
        entry["retrieved"] = candidate.retrieved;
        entry["volume_mm3"] = candidate.report.volume;
        entry["solids"] = candidate.report.solids;
        entry["faces"] = candidate.report.faces;
        entry["extrudes"] = candidate.program.extrudes.size();
    } else {
        entry["error"] = candidate.error;
    }
    entry["tokens"] = candidate.tokens.size();
    return entry;
}

ml::ReconstructionOptions options(std::int64_t candidates, std::int64_t steps, double guidance,
                                  double truncation, std::uint64_t seed, double partSize) {
    if (steps < 1) throw ml::Error("--steps must be at least 1");
    if (!(partSize > 0.0)) throw ml::Error("the part size must be positive");
    ml::ReconstructionOptions o;
    o.candidates = candidates;
    o.sampling = {steps, guidance, truncation, seed, {}};
    o.photoPartSize = partSize;
    return o;
}

/// One line per stage, rewritten in place on a terminal.
ml::ReconstructionProgress progressLine() {
    return [](ml::ReconstructionStage stage, double done) {
        std::cerr << "\r" << ml::stageName(stage) << " " << int(100.0 * done) << "%   "
                  << std::flush;
    };
}

void writeReport(const fs::path& folder, const nlohmann::ordered_json& report) {
    cad::writeFileAtomically(folder / "report.json", report.dump(1) + "\n");
}

} // namespace

fs::path modelOrDefault(const std::string& given) {
    if (!given.empty()) return given;
    if (const char* environment = std::getenv("IMG2CAD_MODEL"); environment && *environment)
        return environment;
    const fs::path shipped = ml::shippedModelFolder(ml::runningProgramFolder());
    if (shipped.empty())
        throw ml::Error("no model given (-m MODEL_DIR) and the default model is not installed "
                        "(share/img2cadseq/models/default beside the program, or assets/models/"
                        "default in the source tree)");
    return shipped;
}

int runReconstruct(const ReconstructRequest& request) {
    const fs::path input = request.input;
    const fs::path folder = request.output.empty() ? fs::path(input.stem().string() + "-candidates")
                                                   : fs::path(request.output);
    const fs::path model = modelOrDefault(request.model);
    ml::ReconstructionOptions o = options(request.candidates, request.steps, request.guidance,
                                          request.truncation, request.seed, request.photoPartSize);
    o.fitCompiles = request.fitCompiles;
    o.fitCandidates = request.fitCandidates;
    o.fitPhotos = request.fitPhotos;
    o.turnCandidates = request.turnCandidates;
    o.samplesPerCandidate = request.samplesPerCandidate;
    o.retrievedParts = request.retrievedParts;
    o.retrievedStep = request.retrievedStep;
    o.samplesPerRetrieved = request.samplesPerRetrieved;
    ml::Reconstructor reconstructor(model, ml::trainingDevice(request.device));
    const bool photo = ml::isPhotoExtension(input);
    ml::Reconstruction result;
    if (photo) {
        result = reconstructor.fromPhoto(input, o, progressLine());
    } else {
        cad::PartFile part = cad::readPartFile(input);
        cad::PointCloud cloud;
        if (part.cloud)
            cloud = *part.cloud;
        else if (part.mesh)
            cloud = cad::samplePoints(*part.mesh, 4096, request.seed);
        else
            cloud = cad::samplePoints(cad::tessellate(part.shape), 4096, request.seed);
        result = reconstructor.fromPointCloud(cloud, o, progressLine());
    }
    std::cerr << "\n";

    fs::create_directories(folder);
    nlohmann::ordered_json report = {{"input", fs::absolute(input).string()},
                                     {"input_kind", photo ? "photo" : "points"},
                                     {"model", fs::absolute(model).string()},
                                     {"candidates_requested", request.candidates},
                                     {"steps", request.steps},
                                     {"guidance", request.guidance},
                                     {"truncation", request.truncation},
                                     {"seed", request.seed},
                                     {"turned", o.turnCandidates},
                                     {"samples_per_candidate", o.samplesPerCandidateFor(photo)},
                                     {"retrieved_parts", o.retrievedPartsResolved()},
                                     {"retrieved_step", o.retrievedStep},
                                     {"fit_compiles", o.fitCompilesFor(photo)},
                                     {"fit_candidates", request.fitCandidates}};
    nlohmann::ordered_json seconds = nlohmann::ordered_json::object();
    for (const auto& [stage, s] : result.seconds)
        seconds[ml::stageName(stage)] = s;
    report["seconds"] = seconds;
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    std::size_t valid = 0;
    for (std::size_t rank = 0; rank < result.candidates.size(); ++rank) {
        const ml::Candidate& c = result.candidates[rank];
        const std::string stem = fileStem("candidate", rank);
        entries.push_back(writeCandidate(c, stem, rank, folder));
        valid += c.valid() ? 1 : 0;
        if (c.valid())
            std::cout << stem << ": valid, CD x10^2 " << 100.0 * c.chamfer << c.provenance()
                      << "\n";
        else
            std::cout << stem << ": " << c.error << "\n";
    }
    report["valid"] = valid;
    report["candidates"] = entries;
    writeReport(folder, report);
    std::cout << valid << " of " << result.candidates.size() << " candidates valid; wrote "
              << (folder / "report.json").string() << "\n";
    return valid > 0 ? 0 : 2;
}

int runGenerate(const GenerateRequest& request) {
    const fs::path folder = request.output;
    const fs::path model = modelOrDefault(request.model);
    const ml::ReconstructionOptions o =
        options(1, request.steps, 1.0, request.truncation, request.seed, request.partSize);
    ml::Reconstructor reconstructor(model, ml::trainingDevice(request.device));
    const std::vector<ml::Candidate> samples =
        reconstructor.generate(request.count, o, progressLine());
    std::cerr << "\n";
    fs::create_directories(folder);
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    std::size_t valid = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        entries.push_back(writeCandidate(samples[i], fileStem("sample", i), i, folder));
        valid += samples[i].valid() ? 1 : 0;
    }
    writeReport(folder, {{"model", fs::absolute(model).string()},
                         {"count", request.count},
                         {"steps", request.steps},
                         {"truncation", request.truncation},
                         {"seed", request.seed},
                         {"valid", valid},
                         {"samples", entries}});
    std::cout << valid << " of " << samples.size() << " samples valid; wrote "
              << (folder / "report.json").string() << "\n";
    return valid > 0 ? 0 : 2;
}

} // namespace img2cad::app
