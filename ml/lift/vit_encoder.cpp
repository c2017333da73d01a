// SPDX-License-Identifier: MIT
#include "ml/lift/vit_encoder.h"

#include "ml/error.h"

#include <cmath>

namespace img2cad::ml {

VitBlockImpl::VitBlockImpl(const VitOptions& o) : m_heads(o.heads) {
    if (o.width % o.heads != 0) throw Error("ViT: the width must be a multiple of the heads");
    m_norm1 =
        register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
    m_norm2 =
        register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
    m_query = register_module("query", LoraLinear(o.width, o.width, o.lora));
    m_key = register_module("key", torch::nn::Linear(o.width, o.width));
    m_value = register_module("value", LoraLinear(o.width, o.width, o.lora));
    m_output = register_module("output", torch::nn::Linear(o.width, o.width));
    m_mlp = register_module("mlp",
                            torch::nn::Sequential(torch::nn::Linear(o.width, 4 * o.width),
                                                  torch::nn::GELU(), torch::nn::Dropout(o.dropout),
                                                  torch::nn::Linear(4 * o.width, o.width)));
}

torch::Tensor VitBlockImpl::forward(const torch::Tensor& tokens) {
    const std::int64_t b = tokens.size(0), t = tokens.size(1), w = tokens.size(2);
    const std::int64_t d = w / m_heads;
    const torch::Tensor x = m_norm1->forward(tokens);
    const auto split = [&](const torch::Tensor& y) {
        return y.view({b, t, m_heads, d}).transpose(1, 2); // [B, H, T, d]
    };
    const torch::Tensor q = split(m_query->forward(x));
    const torch::Tensor k = split(m_key->forward(x));
    const torch::Tensor v = split(m_value->forward(x));
    const torch::Tensor attention =
        torch::softmax(torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(d)), -1);
    const torch::Tensor mixed = torch::matmul(attention, v).transpose(1, 2).reshape({b, t, w});
    const torch::Tensor h = tokens + m_output->forward(mixed);
    return h + m_mlp->forward(m_norm2->forward(h));
}

std::vector<torch::Tensor> VitBlockImpl::adapterParameters() const {
    std::vector<torch::Tensor> result = m_query->adapterParameters();
    for (const torch::Tensor& p : m_value->adapterParameters())
        result.push_back(p);
    return result;
}

VitEncoderImpl::VitEncoderImpl(const VitOptions& o) : m_options(o) {
    if (o.imageSize % o.patchSize != 0)
        throw Error("ViT: the image size must be a multiple of the patch size");
    const std::int64_t patches = (o.imageSize / o.patchSize) * (o.imageSize / o.patchSize);
    m_patches = register_module(
        "patches",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(3, o.width, o.patchSize).stride(o.patchSize)));
    m_classToken = register_parameter("class_token", torch::randn({1, 1, o.width}) * 0.02);
    m_positions = register_parameter("positions", torch::randn({1, 1 + patches, o.width}) * 0.02);
    m_blocks = register_module("blocks", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < o.layers; ++i)
        m_blocks->push_back(VitBlock(o));
    m_norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
}

torch::Tensor VitEncoderImpl::forward(const torch::Tensor& images) {
    if (images.dim() != 4 || images.size(1) != 3 || images.size(2) != m_options.imageSize ||
        images.size(3) != m_options.imageSize)
        throw Error("ViT: expected images of shape [batch, 3, " +
                    std::to_string(m_options.imageSize) + ", " +
                    std::to_string(m_options.imageSize) + "]");
    torch::Tensor tokens = m_patches->forward(images).flatten(2).transpose(1, 2); // [B, P, W]
    tokens = torch::cat({m_classToken.expand({images.size(0), 1, m_options.width}), tokens}, 1) +
             m_positions;
    for (const auto& block : *m_blocks)
        tokens = block->as<VitBlockImpl>()->forward(tokens);
    return m_norm->forward(tokens);
}

std::vector<torch::Tensor> VitEncoderImpl::adapterParameters() const {
    std::vector<torch::Tensor> result;
    for (const auto& block : *m_blocks)
        for (const torch::Tensor& p : block->as<VitBlockImpl>()->adapterParameters())
            result.push_back(p);
    return result;
}

} // namespace img2cad::ml
