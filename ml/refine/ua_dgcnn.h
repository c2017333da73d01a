// SPDX-License-Identifier: MIT
#pragma once
// The uncertainty-aware DGCNN of the paper's section 3.2: four EdgeConv layers (Wang et al.,
// "Dynamic Graph CNN", 2019) over the coarse cloud, each rebuilding its k-nearest-neighbour
// graph in the previous layer's feature space, their outputs concatenated with a global max
// feature and mapped to a per-point importance s_i in [0, 1] (sharp edges and corners high).
// "Uncertainty-aware" in our reading: the head also predicts a per-point log-variance, and the
// importance loss is weighted by it (Kendall & Gal 2017), so points the network cannot judge
// (noise in P_raw) pull less on training; the variance is reported with the importance.

#include <torch/torch.h>

namespace img2cad::ml {

struct DgcnnOptions {
    std::int64_t neighbours = 16; ///< k of the k-NN graphs
    std::int64_t featureWidth = 64;
    std::int64_t globalWidth = 256;
};

class UaDgcnnImpl : public torch::nn::Module {
public:
    explicit UaDgcnnImpl(const DgcnnOptions& options = {});

    struct Output {
        torch::Tensor importance;  ///< [B, N] in [0, 1]
        torch::Tensor logVariance; ///< [B, N]
    };
    /// points: [B, N, 3] in the normalised frame.
    Output forward(const torch::Tensor& points);

    /// Heteroscedastic binary cross-entropy against target importances in [0, 1].
    static torch::Tensor loss(const Output& output, const torch::Tensor& target);

private:
    torch::Tensor edgeConv(const torch::Tensor& features, std::size_t layer);

    DgcnnOptions m_options;
    std::vector<torch::nn::Sequential> m_edgeLayers;
    torch::nn::Sequential m_global{nullptr};
    torch::nn::Sequential m_head{nullptr};
};
TORCH_MODULE(UaDgcnn);

/// Indices of the k nearest neighbours of every point (itself included): [B, N, k].
torch::Tensor nearestNeighbours(const torch::Tensor& features, std::int64_t k);

} // namespace img2cad::ml
