// SPDX-License-Identifier: MIT
#pragma once
// The image encoder of the lifting network: a ViT (Dosovitskiy et al. 2021) over 16 x 16
// patches with a class token and learnt positions, pre-norm blocks, and multi-head attention
// whose Query and Value projections carry LoRA adapters (Key and output stay plain, as in the
// paper's PEFT of Q and V).

#include "ml/lift/lora_linear.h"

#include <torch/torch.h>

namespace img2cad::ml {

struct VitOptions {
    std::int64_t imageSize = 224;
    std::int64_t patchSize = 16;
    std::int64_t width = 256;
    std::int64_t heads = 8;
    std::int64_t layers = 6;
    double dropout = 0.0;
    LoraOptions lora;
};

class VitBlockImpl : public torch::nn::Module {
public:
    explicit VitBlockImpl(const VitOptions& options);
    torch::Tensor forward(const torch::Tensor& tokens); ///< [B, T, width]
    std::vector<torch::Tensor> adapterParameters() const;

private:
    std::int64_t m_heads;
    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr};
    LoraLinear m_query{nullptr}, m_value{nullptr};
    torch::nn::Linear m_key{nullptr}, m_output{nullptr};
    torch::nn::Sequential m_mlp{nullptr};
};
TORCH_MODULE(VitBlock);

class VitEncoderImpl : public torch::nn::Module {
public:
    explicit VitEncoderImpl(const VitOptions& options);
    /// images: [B, 3, S, S] normalised; returns tokens [B, 1 + patches, width] (class first).
    torch::Tensor forward(const torch::Tensor& images);
    std::vector<torch::Tensor> adapterParameters() const;
    const VitOptions& options() const { return m_options; }

private:
    VitOptions m_options;
    torch::nn::Conv2d m_patches{nullptr};
    torch::Tensor m_classToken, m_positions;
    torch::nn::ModuleList m_blocks{nullptr};
    torch::nn::LayerNorm m_norm{nullptr};
};
TORCH_MODULE(VitEncoder);

} // namespace img2cad::ml
