// SPDX-License-Identifier: MIT
#pragma once
// Mixed precision: while a scope lives, LibTorch's autocast runs the matrix products of forward
// passes in bfloat16 on the device (CUDA, or CPU), keeping reductions and losses in float32.
// Training (issue 8): bfloat16 has float32's exponent range, so gradients need no loss scaling
// (LibTorch 1.13's C++ API has no GradScaler; float16 would need one), and the backward pass
// runs outside the scope, through the casts autocast recorded. Sampling (issue 6): the
// denoiser's passes, on CPUs with bfloat16 units (AMX, AVX512-BF16) or CUDA.

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
