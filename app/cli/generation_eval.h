// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq eval-generation`: appendix A.3's measures of a model's unconditional samples
// (cad/metrics/generation_metrics.h) with BrepGen's protocol as the paper states it: sample
// until `samples` compile (3,000), draw `drawSize` references (1,000) from the dataset's test
// split (`split`) `draws` times (10), average MMD, COV and JSD over the draws; IR over every
// sample; Novelty against the training split's programs, Uniqueness within the samples. Beside it,
// the same measures for as many training parts as samples: what a model that reproduces its
// training distribution exactly would score (its Novelty is 0 by construction).

#include "ml/diffusion/cad_denoiser.h"

#include <cstdint>
#include <string>

namespace img2cad::app {

struct GenerationEvalRequest {
    std::string data;            ///< dataset: references (test split) and training programs
    std::string model;           ///< empty: modelOrDefault (reconstruct_commands.h)
    std::string output;          ///< report JSON; empty: none
    std::string split = "test";  ///< where the references come from (test or val)
    std::int64_t samples = 3000; ///< valid samples to measure
    std::int64_t draws = 10;
    std::int64_t drawSize = 1000;
    std::int64_t steps = 20;
    std::int64_t endTail = ml::SamplingOptions{}.endTail; ///< positions kept after END in the cut
    std::uint64_t seed = 0;
    /// Surface points per shape: the peers use 2,000 on a GPU; the exact 3,000 x 1,000 CD
    /// matrix at 512 takes minutes on 2 cores.
    std::int64_t points = 512;
    std::string device = "cpu";
};
int runGenerationEval(const GenerationEvalRequest& request);

} // namespace img2cad::app
