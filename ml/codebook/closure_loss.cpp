// SPDX-License-Identifier: MIT
#include "ml/codebook/closure_loss.h"

#include "ml/codebook/cad_encoding.h"

namespace img2cad::ml {
namespace {

/// Per-row sums of `values` over the rows before each row's loop: the loop-local cumulative sum
/// is the global one minus this. loopId: [B, L] (int64), values: [B, L].
torch::Tensor beforeLoop(const torch::Tensor& values, const torch::Tensor& loopId) {
    const torch::Tensor perLoop = torch::zeros_like(values).scatter_add(1, loopId, values);
    const torch::Tensor exclusive = perLoop.cumsum(1) - perLoop;
    return exclusive.gather(1, loopId);
}

} // namespace

torch::Tensor closureLoss(const torch::Tensor& predicted, const torch::Tensor& target,
                          const torch::Tensor& padding) {
    const torch::Tensor valid = padding.logical_not().to(predicted.dtype());
    const torch::Tensor isEos = target.select(2, kCcTypeEos).gt(0.5) & padding.logical_not();
    const torch::Tensor isArc = target.select(2, kCcTypeArcCircle).gt(0.5).to(predicted.dtype());
    const torch::Tensor curve = valid * isEos.logical_not().to(predicted.dtype());
    // A row belongs to the loop its next EOS closes.
    const torch::Tensor loopId = isEos.to(torch::kLong).cumsum(1) - isEos.to(torch::kLong);

    const torch::Tensor localX = predicted.select(2, kCcLength) + predicted.select(2, kCcOffsetX);
    const torch::Tensor localY = predicted.select(2, kCcOffsetY);
    const torch::Tensor turn = predicted.select(2, kCcTurn) * curve;
    // After an arc the heading also turns by the arc's sweep: twice the chord's angle. atan2
    // has no gradient at (0, 0) (EOS and padding rows, circles whose chord is empty), and a
    // masked NaN still poisons the backward pass, so those rows see (1, 0) instead.
    const torch::Tensor degenerate = (localX.abs() + localY.abs()).lt(1e-12) | curve.eq(0);
    const torch::Tensor safeX = torch::where(degenerate, torch::ones_like(localX), localX);
    const torch::Tensor safeY = torch::where(degenerate, torch::zeros_like(localY), localY);
    const torch::Tensor arcSweep = 2.0 * torch::atan2(safeY, safeX) * isArc * curve;
    // Heading of row i: its loop's turns up to and including i, arc sweeps before i.
    const torch::Tensor turnsSoFar = turn.cumsum(1) - beforeLoop(turn, loopId);
    const torch::Tensor sweepsBefore =
        (arcSweep.cumsum(1) - arcSweep) - beforeLoop(arcSweep, loopId);
    const torch::Tensor heading = turnsSoFar + sweepsBefore;

    const torch::Tensor dx = (torch::cos(heading) * localX - torch::sin(heading) * localY) * curve;
    const torch::Tensor dy = (torch::sin(heading) * localX + torch::cos(heading) * localY) * curve;
    const torch::Tensor sumX = torch::zeros_like(dx).scatter_add(1, loopId, dx);
    const torch::Tensor sumY = torch::zeros_like(dy).scatter_add(1, loopId, dy);
    const torch::Tensor hasCurves = torch::zeros_like(curve).scatter_add(1, loopId, curve).gt(0);
    const torch::Tensor squared = (sumX.pow(2) + sumY.pow(2)) * hasCurves.to(predicted.dtype());
    return squared.sum() / hasCurves.sum().clamp_min(1).to(predicted.dtype());
}

} // namespace img2cad::ml
