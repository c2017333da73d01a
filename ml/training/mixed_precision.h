// SPDX-License-Identifier: MIT
#pragma once
// Mixed-precision training (issue 8): while a scope lives, LibTorch's autocast runs the matrix
// products of the forward pass in bfloat16 on the training device (CUDA, or CPU), keeping
// reductions and losses in float32. bfloat16 has float32's exponent range, so gradients need no
// loss scaling (LibTorch 1.13's C++ API has no GradScaler; float16 would need one). The
// backward pass runs outside the scope, through the casts autocast recorded.

#include <torch/torch.h>

namespace img2cad::ml {

class MixedPrecisionScope {
public:
    /// Enables bfloat16 autocast on `device` when `enabled`; does nothing otherwise.
    MixedPrecisionScope(const torch::Device& device, bool enabled);
    ~MixedPrecisionScope();
    MixedPrecisionScope(const MixedPrecisionScope&) = delete;
    MixedPrecisionScope& operator=(const MixedPrecisionScope&) = delete;

private:
    bool m_enabled = false, m_cuda = false, m_wasEnabled = false;
    at::ScalarType m_previousType = at::kFloat;
};

} // namespace img2cad::ml
