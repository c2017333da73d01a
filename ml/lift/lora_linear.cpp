// SPDX-License-Identifier: MIT
#include "ml/lift/lora_linear.h"

#include "ml/error.h"

#include <cmath>

namespace img2cad::ml {

LoraLinearImpl::LoraLinearImpl(std::int64_t in, std::int64_t out, const LoraOptions& lora)
    : m_scale(lora.alpha / double(std::max<std::int64_t>(1, lora.rank))) {
    if (lora.rank <= 0) throw Error("a LoRA adapter needs a positive rank");
    m_base = register_module("base", torch::nn::Linear(in, out));
    // Kaiming-uniform A as in the LoRA paper's reference; B zero so training starts at W.
    const double bound = 1.0 / std::sqrt(double(in));
    m_a = register_parameter("lora_a", torch::empty({lora.rank, in}).uniform_(-bound, bound));
    m_b = register_parameter("lora_b", torch::zeros({out, lora.rank}));
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
    return m_base->forward(x) + m_scale * torch::matmul(torch::matmul(x, m_a.t()), m_b.t());
}

} // namespace img2cad::ml
