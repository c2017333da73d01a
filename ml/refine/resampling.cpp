// SPDX-License-Identifier: MIT
#include "ml/refine/resampling.h"

#include "ml/error.h"

namespace img2cad::ml {

torch::Tensor resamplingProbabilities(const torch::Tensor& importance,
                                      const ResamplingOptions& options) {
    if (options.lambda < 0.0 || options.lambda > 1.0)
        throw Error("resampling: lambda must lie in [0, 1]");
    const std::int64_t n = importance.size(-1);
    const torch::Tensor saliency = torch::softmax(options.beta * importance.to(torch::kDouble), -1);
    return options.lambda * saliency + (1.0 - options.lambda) / double(n);
}

torch::Tensor heuristicResample(const torch::Tensor& importance, const ResamplingOptions& options,
                                c10::optional<at::Generator> generator) {
    if (importance.dim() < 1 || importance.dim() > 2)
        throw Error("resampling: expected importances of shape [n] or [batch, n]");
    if (options.count <= 0 || options.count > importance.size(-1))
        throw Error("resampling: cannot choose " + std::to_string(options.count) + " of " +
                    std::to_string(importance.size(-1)) + " points");
    return torch::multinomial(resamplingProbabilities(importance, options), options.count,
                              /*replacement*/ false, generator);
}

} // namespace img2cad::ml
