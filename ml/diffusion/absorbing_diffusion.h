// SPDX-License-Identifier: MIT
#pragma once
// The forward process and the reverse step of absorbing-state discrete diffusion over CAD token
// sequences (paper section 3.3, eq. 8; VQ-Diffusion with the [MASK] state only). Linear schedule
// over T steps: at step t in 1..T every token of x_0 has been replaced by [MASK] with
// probability t / T, independently; a masked token stays masked.
//
// Our reading where the paper is brief: VQ-Diffusion's image configuration also replaces tokens
// uniformly (beta > 0); the paper names the absorbing transition only, so beta = 0. Then the
// posterior is simple and exact: from step t to an earlier step s, a masked token is revealed
// with probability (t - s) / t, as the token x_0 the network predicts; revealed tokens stay. And
// eq. 9's L_vlb term for step t is, per masked token, (1 / t) times the cross-entropy of the true
// token under p_theta(x_0 | x_t, c) (the KL between the two posteriors), which is what
// `vlbWeight` gives the loss.

#include <torch/torch.h>

namespace img2cad::ml {

struct DiffusionSchedule {
    std::int64_t steps = 100; ///< T

    /// gamma-bar_t = t / T: the share of tokens masked at step t (0 <= t <= T).
    double maskProbability(std::int64_t t) const;
    /// Per masked token, the probability of being revealed going from step t to step s < t.
    double revealProbability(std::int64_t t, std::int64_t s) const;
    /// The weight of the cross-entropy of a masked token in the VLB term of step t: 1 / t.
    static double vlbWeight(std::int64_t t);
    /// The steps a sampler visits from T down to 0 with `count` reverse steps (count = T: every
    /// step; fewer: evenly spaced, the fast sampler). Starts with T, ends with 0.
    std::vector<std::int64_t> samplingSteps(std::int64_t count) const;
};

/// x_t from x_0 ([B, L] int64) at steps t ([B] int64 in 1..T): each token independently
/// replaced by `maskToken` with probability t / T.
torch::Tensor corrupt(const torch::Tensor& x0, const torch::Tensor& t, std::int64_t maskToken,
                      const DiffusionSchedule& schedule,
                      c10::optional<at::Generator> generator = c10::nullopt);

} // namespace img2cad::ml
