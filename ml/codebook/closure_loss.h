// SPDX-License-Identifier: MIT
#pragma once
// The loop-closure regulariser of eq. 4 for the Curve-Cluster VQ-VAE, differentiable: walking
// each loop's curves with their relative features (chord length, turn, residual offsets) must
// come back to the start. The same walk as `closureResidual` in cad_encoding.h, on batches.

#include <torch/torch.h>

namespace img2cad::ml {

/// predicted: [B, L, >= 5] continuous CC features in the column order of CcColumn (length,
/// turn, curvature, offset x, offset y); target: [B, L, kCcDim] ground-truth rows, whose one-hot
/// type says where loops end (EOS) and which curves are arcs; padding: [B, L], true on padding.
/// Returns the mean over loops of ||sum of the loop's displacements||^2.
torch::Tensor closureLoss(const torch::Tensor& predicted, const torch::Tensor& target,
                          const torch::Tensor& padding);

} // namespace img2cad::ml
