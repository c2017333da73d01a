// SPDX-License-Identifier: MIT
#pragma once
// Losses on the walk along each loop for the Curve-Cluster VQ-VAE, differentiable: the
// loop-closure regulariser of eq. 4 (walking a loop's curves with their relative features —
// chord length, turn, residual offsets — must come back to the start; the same walk as
// `closureResidual` in cad_encoding.h, on batches), and a trajectory loss of our own (below).

#include <torch/torch.h>

namespace img2cad::ml {

/// predicted: [B, L, >= 5] continuous CC features in the column order of CcColumn (length,
/// turn, curvature, offset x, offset y); target: [B, L, kCcDim] ground-truth rows, whose one-hot
/// type says where loops end (EOS) and which curves are arcs; padding: [B, L], true on padding.
/// Returns the mean over loops of ||sum of the loop's displacements||^2.
torch::Tensor closureLoss(const torch::Tensor& predicted, const torch::Tensor& target,
                          const torch::Tensor& padding);

/// The mean over curves of the squared distance between where the predicted walk and the
/// true walk put each curve's end point (loop-local, from the loop's start). In the Frenet
/// encoding a turn error rotates every later curve of its loop, so the per-row MSE under-weights
/// exactly the errors that make long loops (gears, knurls) cross themselves; this loss weighs
/// each error by the drift it causes. Arguments as closureLoss.
torch::Tensor trajectoryLoss(const torch::Tensor& predicted, const torch::Tensor& target,
                             const torch::Tensor& padding);

/// Per sequence, the sum over curves of the squared error of each curve's displacement in its
/// loop's frame (start to end, after the walk's turns), relative to the true curve's chord plus
/// `floor`: [B]. What makes a loop cross itself is a curve misplaced by more than the clearance
/// to its neighbours, and that clearance scales with the features (a gear's tooth flank is a
/// few hundredths of the part), so errors count relative to each curve's size here.
torch::Tensor relativeDisplacementErrors(const torch::Tensor& predicted,
                                         const torch::Tensor& target, const torch::Tensor& padding,
                                         double floor);

} // namespace img2cad::ml
