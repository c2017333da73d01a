// SPDX-License-Identifier: MIT
#include "ml/nn/transformer_stack.h"

#include "ml/error.h"

#include <cmath>
#include <limits>

namespace img2cad::ml {

SelfAttentionImpl::SelfAttentionImpl(std::int64_t width, std::int64_t heads, double dropout)
    : m_heads(heads), m_dropout(dropout) {
    if (width % heads != 0) throw Error("attention: the width must be a multiple of the heads");
    // The initialisation of torch::nn::MultiheadAttention: Xavier-uniform packed projection,
    // zero biases.
    m_inProjWeight = register_parameter(
        "in_proj_weight", torch::nn::init::xavier_uniform_(torch::empty({3 * width, width})));
    m_inProjBias = register_parameter("in_proj_bias", torch::zeros({3 * width}));
    m_outProj = register_module("out_proj", torch::nn::Linear(width, width));
    torch::nn::init::zeros_(m_outProj->bias);
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& bias) {
    const std::int64_t b = x.size(0), l = x.size(1), w = x.size(2), d = w / m_heads;
    const auto heads = [&](const torch::Tensor& t) { // [B, L, W] -> [B * H, L, d]
        return t.reshape({b, l, m_heads, d}).transpose(1, 2).reshape({b * m_heads, l, d});
    };
    const std::vector<torch::Tensor> qkv =
        torch::nn::functional::linear(x, m_inProjWeight, m_inProjBias).chunk(3, -1);
    const torch::Tensor q = heads(qkv[0]) * (1.0 / std::sqrt(double(d)));
    const torch::Tensor k = heads(qkv[1]), v = heads(qkv[2]);
    torch::Tensor scores;
    if (bias.defined()) {
        const torch::Tensor expanded =
            bias.unsqueeze(1).expand({b, m_heads, bias.size(1), l}).reshape({b * m_heads, -1, l});
        scores = torch::baddbmm(expanded, q, k.transpose(1, 2));
    } else {
        scores = torch::bmm(q, k.transpose(1, 2));
    }
    torch::Tensor weights = torch::softmax(scores, -1);
    if (is_training() && m_dropout > 0.0) weights = torch::dropout(weights, m_dropout, true);
    const torch::Tensor mixed =
        torch::bmm(weights, v).reshape({b, m_heads, l, d}).transpose(1, 2).reshape({b, l, w});
    return m_outProj->forward(mixed);
}

TransformerLayerImpl::TransformerLayerImpl(const TransformerStackOptions& o) {
    m_attention = register_module("self_attn", SelfAttention(o.width, o.heads, o.dropout));
    m_linear1 = register_module("linear1", torch::nn::Linear(o.width, o.feedForward));
    m_dropout = register_module("dropout", torch::nn::Dropout(o.dropout));
    m_linear2 = register_module("linear2", torch::nn::Linear(o.feedForward, o.width));
    m_norm1 =
        register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
    m_norm2 =
        register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
    m_dropout1 = register_module("dropout1", torch::nn::Dropout(o.dropout));
    m_dropout2 = register_module("dropout2", torch::nn::Dropout(o.dropout));
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& bias) {
    const torch::Tensor h =
        m_norm1->forward(x + m_dropout1->forward(m_attention->forward(x, bias)));
    const torch::Tensor f =
        m_linear2->forward(m_dropout->forward(torch::gelu(m_linear1->forward(h))));
    return m_norm2->forward(h + m_dropout2->forward(f));
}

TransformerStackImpl::TransformerStackImpl(const TransformerStackOptions& o) {
    m_layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < o.layers; ++i)
        m_layers->push_back(TransformerLayer(o));
}

torch::Tensor TransformerStackImpl::forward(const torch::Tensor& x, const torch::Tensor& padding,
                                            bool causal) {
    const std::int64_t b = x.size(0), l = x.size(1);
    constexpr float kMinusInfinity = -std::numeric_limits<float>::infinity();
    torch::Tensor bias;
    if (padding.defined())
        bias = torch::zeros({b, 1, l}, x.options())
                   .masked_fill(padding.view({b, 1, l}), kMinusInfinity);
    if (causal) {
        const torch::Tensor future = torch::full({l, l}, kMinusInfinity, x.options()).triu(1);
        bias = bias.defined() ? bias + future.unsqueeze(0) : future.unsqueeze(0).expand({b, l, l});
    }
    torch::Tensor h = x;
    for (const auto& layer : *m_layers)
        h = layer->as<TransformerLayerImpl>()->forward(h, bias);
    return h;
}

} // namespace img2cad::ml
