// SPDX-License-Identifier: MIT
#pragma once
// Heuristic-guided resampling (paper eq. 6): M of N points drawn without replacement with
//   p_i = lambda * softmax(beta * s)_i + (1 - lambda) / N,
// the Boltzmann saliency term keeping sharp features, the uniform coverage term keeping planar
// regions from emptying. lambda = 0 is the "standard random sampling" of ablation Model 4.

#include <torch/torch.h>

namespace img2cad::ml {

struct ResamplingOptions {
    std::int64_t count = 1024; ///< M
    double beta = 10.0;        ///< Boltzmann inverse temperature
    double lambda = 0.5;       ///< saliency vs coverage
};

/// The probabilities of eq. 6 for importances [N] (or [B, N]).
torch::Tensor resamplingProbabilities(const torch::Tensor& importance,
                                      const ResamplingOptions& options);

/// Indices of the M chosen points ([M], or [B, M]); `generator` makes it repeatable.
torch::Tensor heuristicResample(const torch::Tensor& importance, const ResamplingOptions& options,
                                c10::optional<at::Generator> generator = c10::nullopt);

} // namespace img2cad::ml
