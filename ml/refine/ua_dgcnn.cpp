// SPDX-License-Identifier: MIT
#include "ml/refine/ua_dgcnn.h"

#include "ml/error.h"

namespace img2cad::ml {
namespace {

torch::nn::Sequential edgeMlp(std::int64_t in, std::int64_t out) {
    return torch::nn::Sequential(
        torch::nn::Linear(2 * in, out), torch::nn::LayerNorm(torch::nn::LayerNormOptions({out})),
        torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
}

} // namespace

torch::Tensor nearestNeighbours(const torch::Tensor& features, std::int64_t k) {
    const torch::Tensor distances = torch::cdist(features, features); // [B, N, N]
    return std::get<1>(distances.topk(std::min<std::int64_t>(k, features.size(1)), -1, false));
}

UaDgcnnImpl::UaDgcnnImpl(const DgcnnOptions& o) : m_options(o) {
    const std::int64_t w = o.featureWidth;
    const std::int64_t widths[] = {3, w, w, w, 2 * w};
    for (std::size_t layer = 0; layer < 4; ++layer)
        m_edgeLayers.push_back(register_module("edge" + std::to_string(layer),
                                               edgeMlp(widths[layer], widths[layer + 1])));
    const std::int64_t concatenated = 5 * w;
    m_global = register_module(
        "global_feature",
        torch::nn::Sequential(
            torch::nn::Linear(concatenated, o.globalWidth),
            torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2))));
    m_head = register_module(
        "head", torch::nn::Sequential(
                    torch::nn::Linear(concatenated + o.globalWidth, 128),
                    torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
                    torch::nn::Linear(128, 2)));
}

torch::Tensor UaDgcnnImpl::edgeConv(const torch::Tensor& features, std::size_t layer) {
    const std::int64_t batch = features.size(0), n = features.size(1), c = features.size(2);
    const torch::Tensor neighbours = nearestNeighbours(features, m_options.neighbours);
    const std::int64_t k = neighbours.size(2);
    // Gather x_j for every edge (i, j): [B, N, k, C].
    const torch::Tensor flat = features.reshape({batch * n, c});
    const torch::Tensor offsets =
        (torch::arange(batch, neighbours.options()) * n).view({batch, 1, 1});
    const torch::Tensor xj =
        flat.index_select(0, (neighbours + offsets).reshape({-1})).view({batch, n, k, c});
    const torch::Tensor xi = features.unsqueeze(2).expand({batch, n, k, c});
    const torch::Tensor edges = torch::cat({xi, xj - xi}, 3);
    return std::get<0>(m_edgeLayers[layer]->forward(edges).max(2)); // [B, N, C']
}

UaDgcnnImpl::Output UaDgcnnImpl::forward(const torch::Tensor& points) {
    if (points.dim() != 3 || points.size(2) != 3)
        throw Error("UA-DGCNN: expected points of shape [batch, n, 3]");
    std::vector<torch::Tensor> layers;
    torch::Tensor h = points;
    for (std::size_t layer = 0; layer < m_edgeLayers.size(); ++layer) {
        h = edgeConv(h, layer);
        layers.push_back(h);
    }
    const torch::Tensor local = torch::cat(layers, 2);                         // [B, N, 5w]
    const torch::Tensor global = std::get<0>(m_global->forward(local).max(1)); // [B, G]
    const torch::Tensor both =
        torch::cat({local, global.unsqueeze(1).expand({-1, points.size(1), -1})}, 2);
    const torch::Tensor out = m_head->forward(both);
    return {torch::sigmoid(out.select(2, 0)), out.select(2, 1)};
}

torch::Tensor UaDgcnnImpl::loss(const Output& output, const torch::Tensor& target) {
    const torch::Tensor bce = torch::nn::functional::binary_cross_entropy(
        output.importance.clamp(1e-6, 1.0 - 1e-6), target,
        torch::nn::functional::BinaryCrossEntropyFuncOptions().reduction(torch::kNone));
    // exp(-s) * loss + s / 2: confident points weigh more, and claiming doubt has a price.
    return (torch::exp(-output.logVariance) * bce + 0.5 * output.logVariance).mean();
}

} // namespace img2cad::ml
