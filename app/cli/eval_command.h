// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq eval`: the appendix A measures of a model on a dataset's held-out split,
// point-cloud conditioned (each part's dataset cloud in, K candidates out) or, with --photos,
// image-conditioned (each part's first render in, through mask, lifter and refinement, which
// are measured too), beside two retrieval baselines (retrieval_index.h). CD, Acc, Comp, HF, Seg
// Acc and primitive precision / recall (cad/metrics) of each part's best candidate. Prints
// Markdown tables and writes every number, per part too, to a JSON report. A model whose
// diffusion reads image features (ablation Model 3) is measured with --photos alike.

#include "ml/diffusion/cad_denoiser.h"
#include "ml/reconstruct/reconstructor.h"

#include <cstdint>
#include <string>

namespace img2cad::app {

struct EvalRequest {
    std::string data;   ///< dataset folder (shards + manifest)
    std::string model;  ///< model folder; empty: modelOrDefault (reconstruct_commands.h)
    std::string output; ///< report JSON path; empty: none
    /// Whose training split the retrieval baseline searches; empty: `data`'s (set it to the
    /// models' training set when `data` holds imported real parts).
    std::string retrievalData;
    std::string split = "test";
    std::int64_t count = 100; ///< first parts of the split
    std::int64_t candidates = 8;
    std::int64_t steps = 20;
    std::uint64_t seed = 0;
    double guidance = 1.0;      ///< classifier-free guidance scale (1 = none)
    std::int64_t points = 2000; ///< surface points per shape for CD (the paper: 10,000)
    bool retrieval = true;
    bool grammar = true; ///< constrained token draws (off: to measure what they do)
    bool photos = false; ///< image-conditioned: the first rendered view of each part
    std::string device = "cpu";
    bool mixedPrecision = false; ///< the denoiser's sampling in bfloat16
    bool fullLength = false;     ///< no cut after END (SamplingOptions::cutAfterEnd), to measure it
    std::int64_t endTail = ml::SamplingOptions{}.endTail; ///< positions kept after END in the cut
    int fitCompiles = ml::ReconstructionOptions{}.fitCompiles; ///< compiles per candidate's fit
    std::int64_t fitCandidates = ml::ReconstructionOptions{}.fitCandidates; ///< best ones fitted
    bool fitPhotos = ml::ReconstructionOptions{}.fitPhotos;                 ///< fit from photos too
    bool turnCandidates = ml::ReconstructionOptions{}.turnCandidates;       ///< turned toward P_raw
    /// K x this many sampled, the K nearest the input kept (0: automatic)
    std::int64_t samplesPerCandidate = ml::ReconstructionOptions{}.samplesPerCandidate;
    /// the model's library parts nearest z_P among the samples (-1: automatic), edited or not
    std::int64_t retrievedParts = ml::ReconstructionOptions{}.retrievedParts;
    std::int64_t retrievedStep = ml::ReconstructionOptions{}.retrievedStep;
    std::int64_t samplesPerRetrieved = ml::ReconstructionOptions{}.samplesPerRetrieved;
};
int runEval(const EvalRequest& request);

} // namespace img2cad::app
