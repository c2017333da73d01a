// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq reconstruct` (a photo or a point cloud / mesh / part file -> K ranked CAD
// candidates) and `img2cadseq generate` (unconditional samples), both through ml::Reconstructor.
// Each candidate is written as STEP, STL and program JSON (an invalid one as its program only,
// when it decoded), with report.json: the options, per-stage seconds and every candidate's
// rank, validity, Chamfer distance or reason.

#include "ml/reconstruct/reconstructor.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace img2cad::app {

struct ReconstructRequest {
    std::string input;  ///< photo (.jpg, .png, ...) or anything readPartFile reads
    std::string model;  ///< model folder (codebook/, ...); empty: modelOrDefault
    std::string output; ///< folder, created when missing; empty: "<input name>-candidates"
    std::int64_t candidates = 8;
    std::int64_t steps = 20; ///< reverse diffusion steps
    double guidance = 1.0;
    double truncation = 1.0;
    std::uint64_t seed = 0;
    double photoPartSize = 100.0; ///< mm, longest side of a photo's candidates
    int fitCompiles = ml::ReconstructionOptions{}.fitCompiles;
    std::int64_t fitCandidates = ml::ReconstructionOptions{}.fitCandidates;
    bool fitPhotos = ml::ReconstructionOptions{}.fitPhotos;
    bool turnCandidates = ml::ReconstructionOptions{}.turnCandidates;
    std::int64_t samplesPerCandidate = ml::ReconstructionOptions{}.samplesPerCandidate;
    std::int64_t retrievedParts = ml::ReconstructionOptions{}.retrievedParts;
    std::int64_t retrievedStep = ml::ReconstructionOptions{}.retrievedStep;
    std::int64_t samplesPerRetrieved = ml::ReconstructionOptions{}.samplesPerRetrieved;
    std::string device = "cpu";
};
int runReconstruct(const ReconstructRequest& request);

/// The model folder a command uses: `given` (-m) when set, else $IMG2CAD_MODEL, else the
/// default model shipped with the program. Throws ml::Error when there is none.
std::filesystem::path modelOrDefault(const std::string& given);

struct GenerateRequest {
    std::string model; ///< empty: modelOrDefault
    std::string output;
    std::int64_t count = 100;
    std::int64_t steps = 20;
    double truncation = 1.0;
    std::uint64_t seed = 0;
    double partSize = 100.0;
    std::string device = "cpu";
};
int runGenerate(const GenerateRequest& request);

} // namespace img2cad::app
