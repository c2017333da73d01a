// SPDX-License-Identifier: MIT
#pragma once
// A linear layer with a low-rank adapter (LoRA, Hu et al. 2021): y = W x + b + (alpha / r) B A x,
// with A (r x in) random and B (out x r) zero at the start, so an adapter begins as the
// identity change. The lifting network puts adapters on the attention Query and Value
// projections (the paper's PEFT on Q and V): users fine-tune A and B on their captures while W
// and b stay frozen, and the adapters are saved apart from the base (small files).

#include <torch/torch.h>

namespace img2cad::ml {

struct LoraOptions {
    std::int64_t rank = 8;
    double alpha = 16.0;
};

class LoraLinearImpl : public torch::nn::Module {
public:
    LoraLinearImpl(std::int64_t in, std::int64_t out, const LoraOptions& lora);
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::Linear base() const { return m_base; }
    /// The adapter's parameters (A and B).
    std::vector<torch::Tensor> adapterParameters() const { return {m_a, m_b}; }

private:
    torch::nn::Linear m_base{nullptr};
    torch::Tensor m_a, m_b;
    double m_scale;
};

TORCH_MODULE(LoraLinear);

} // namespace img2cad::ml
