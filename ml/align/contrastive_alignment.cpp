// SPDX-License-Identifier: MIT
#include "ml/align/contrastive_alignment.h"

#include "ml/error.h"

#include <cmath>

namespace img2cad::ml {
namespace {

torch::nn::Sequential pointMlp(std::initializer_list<std::int64_t> widths) {
    torch::nn::Sequential mlp;
    const std::vector<std::int64_t> w(widths);
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
        mlp->push_back(torch::nn::Linear(w[i], w[i + 1]));
        mlp->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({w[i + 1]})));
        mlp->push_back(torch::nn::GELU());
    }
    return mlp;
}

} // namespace

PointEncoderImpl::PointEncoderImpl(std::int64_t embedding) {
    m_shared = register_module("shared", pointMlp({3, 64, 128, 256, 512}));
    m_head = register_module("head",
                             torch::nn::Sequential(torch::nn::Linear(1024, 512), torch::nn::GELU(),
                                                   torch::nn::Linear(512, embedding)));
}

torch::Tensor PointEncoderImpl::forward(const torch::Tensor& points) {
    if (points.dim() != 3 || points.size(2) != 3)
        throw Error("point encoder: expected points of shape [batch, n, 3]");
    const torch::Tensor features = m_shared->forward(points); // [B, N, 512]
    return m_head->forward(torch::cat({std::get<0>(features.max(1)), features.mean(1)}, 1));
}

CadSequenceEncoderImpl::CadSequenceEncoderImpl(const AlignmentOptions& o) : m_options(o) {
    if (o.vocabulary <= 0) throw Error("the CAD encoder needs the token vocabulary size");
    m_tokens = register_module("tokens", torch::nn::Embedding(o.vocabulary, o.width));
    m_positions = register_module("positions", torch::nn::Embedding(o.maxTokens, o.width));
    m_transformer = register_module(
        "transformer",
        TransformerStack(TransformerStackOptions{o.width, o.heads, o.layers, 4 * o.width, 0.1}));
    m_head = register_module("head", torch::nn::Linear(o.width, o.embedding));
}

torch::Tensor CadSequenceEncoderImpl::forward(const torch::Tensor& tokens,
                                              const torch::Tensor& padding) {
    const std::int64_t length = tokens.size(1);
    if (length > m_options.maxTokens)
        throw Error("CAD encoder: programs are limited to " + std::to_string(m_options.maxTokens) +
                    " tokens");
    const torch::Tensor positions =
        torch::arange(length, torch::TensorOptions().dtype(torch::kLong).device(tokens.device()));
    torch::Tensor h = m_tokens->forward(tokens) + m_positions->forward(positions).unsqueeze(0);
    h = m_transformer->forward(h, padding, /*causal*/ true);
    // Right padding: the last real token of each sequence has seen all of it.
    const torch::Tensor last = (padding.logical_not().sum(1) - 1).clamp_min(0);
    const torch::Tensor summary =
        h.gather(1, last.view({-1, 1, 1}).expand({-1, 1, h.size(2)})).squeeze(1);
    return m_head->forward(summary);
}

ContrastiveAlignerImpl::ContrastiveAlignerImpl(const AlignmentOptions& o) {
    m_points = register_module("points", PointEncoder(o.embedding));
    m_cad = register_module("cad", CadSequenceEncoder(o));
    m_logTemperature =
        register_parameter("log_temperature", torch::tensor(std::log(o.initialTemperature)));
}

ContrastiveAlignerImpl::Output ContrastiveAlignerImpl::forward(const torch::Tensor& points,
                                                               const torch::Tensor& tokens,
                                                               const torch::Tensor& padding) {
    namespace F = torch::nn::functional;
    return {F::normalize(m_points->forward(points), F::NormalizeFuncOptions().dim(1)),
            F::normalize(m_cad->forward(tokens, padding), F::NormalizeFuncOptions().dim(1))};
}

torch::Tensor ContrastiveAlignerImpl::loss(const Output& output) const {
    const std::int64_t batch = output.zPoints.size(0);
    const torch::Tensor all = torch::cat({output.zCad, output.zPoints}, 0); // [2B, D]
    // Clamped so that a runaway temperature cannot make the logits explode.
    const torch::Tensor temperature = m_logTemperature.exp().clamp(0.01, 1.0);
    torch::Tensor logits = all.matmul(all.t()) / temperature;
    logits = logits.masked_fill(
        torch::eye(2 * batch, torch::TensorOptions().dtype(torch::kBool).device(logits.device())),
        -std::numeric_limits<float>::infinity());
    // Row i (a program) has its partner at i + B (its cloud), and the other way round.
    const torch::Tensor partner =
        torch::cat({torch::arange(batch, 2 * batch), torch::arange(0, batch)}).to(logits.device());
    return torch::nn::functional::cross_entropy(logits, partner);
}

double ContrastiveAlignerImpl::temperature() const {
    return std::exp(m_logTemperature.item<double>());
}

double retrievalAccuracy(const torch::Tensor& queries, const torch::Tensor& keys, std::int64_t k) {
    namespace F = torch::nn::functional;
    const torch::Tensor similarity =
        F::normalize(queries, F::NormalizeFuncOptions().dim(1))
            .matmul(F::normalize(keys, F::NormalizeFuncOptions().dim(1)).t());
    const torch::Tensor top = std::get<1>(similarity.topk(std::min(k, keys.size(0)), 1));
    const torch::Tensor truth = torch::arange(queries.size(0), top.options()).unsqueeze(1);
    return top.eq(truth).any(1).to(torch::kDouble).mean().item<double>();
}

} // namespace img2cad::ml
