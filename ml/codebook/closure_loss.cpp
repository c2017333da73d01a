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

/// Each curve's displacement in the loop's frame, walking the continuous features `values`
/// ([B, L, >= 5]) with the loop structure of `target`.
struct LoopWalk {
    torch::Tensor dx, dy; ///< [B, L], zero on EOS and padding rows
    torch::Tensor curve;  ///< [B, L], 1 on curve rows
    torch::Tensor loopId; ///< [B, L], int64: the loop each row belongs to
};

LoopWalk walkLoops(const torch::Tensor& values, const torch::Tensor& target,
                   const torch::Tensor& padding) {
    const torch::Tensor valid = padding.logical_not().to(values.dtype());
    const torch::Tensor isEos = target.select(2, kCcTypeEos).gt(0.5) & padding.logical_not();
    const torch::Tensor isArc = target.select(2, kCcTypeArcCircle).gt(0.5).to(values.dtype());
    LoopWalk walk;
    walk.curve = valid * isEos.logical_not().to(values.dtype());
    // A row belongs to the loop its next EOS closes.
    walk.loopId = isEos.to(torch::kLong).cumsum(1) - isEos.to(torch::kLong);

    const torch::Tensor localX = values.select(2, kCcLength) + values.select(2, kCcOffsetX);
    const torch::Tensor localY = values.select(2, kCcOffsetY);
    const torch::Tensor turn = values.select(2, kCcTurn) * walk.curve;
    // After an arc the heading also turns by the arc's sweep: twice the chord's angle. atan2
    // has no gradient at (0, 0) (EOS and padding rows, circles whose chord is empty), and a
    // masked NaN still poisons the backward pass, so those rows see (1, 0) instead.
    const torch::Tensor degenerate = (localX.abs() + localY.abs()).lt(1e-12) | walk.curve.eq(0);
    const torch::Tensor safeX = torch::where(degenerate, torch::ones_like(localX), localX);
    const torch::Tensor safeY = torch::where(degenerate, torch::zeros_like(localY), localY);
    const torch::Tensor arcSweep = 2.0 * torch::atan2(safeY, safeX) * isArc * walk.curve;
    // Heading of row i: its loop's turns up to and including i, arc sweeps before i.
    const torch::Tensor turnsSoFar = turn.cumsum(1) - beforeLoop(turn, walk.loopId);
    const torch::Tensor sweepsBefore =
        (arcSweep.cumsum(1) - arcSweep) - beforeLoop(arcSweep, walk.loopId);
    const torch::Tensor heading = turnsSoFar + sweepsBefore;
    walk.dx = (torch::cos(heading) * localX - torch::sin(heading) * localY) * walk.curve;
    walk.dy = (torch::sin(heading) * localX + torch::cos(heading) * localY) * walk.curve;
    return walk;
}

/// Loop-local running sums: each curve's end point relative to its loop's start.
torch::Tensor endPoints(const torch::Tensor& displacement, const torch::Tensor& loopId) {
    return displacement.cumsum(1) - beforeLoop(displacement, loopId);
}

} // namespace

torch::Tensor closureLoss(const torch::Tensor& predicted, const torch::Tensor& target,
                          const torch::Tensor& padding) {
    const LoopWalk walk = walkLoops(predicted, target, padding);
    const torch::Tensor sumX = torch::zeros_like(walk.dx).scatter_add(1, walk.loopId, walk.dx);
    const torch::Tensor sumY = torch::zeros_like(walk.dy).scatter_add(1, walk.loopId, walk.dy);
    const torch::Tensor hasCurves =
        torch::zeros_like(walk.curve).scatter_add(1, walk.loopId, walk.curve).gt(0);
    const torch::Tensor squared = (sumX.pow(2) + sumY.pow(2)) * hasCurves.to(predicted.dtype());
    return squared.sum() / hasCurves.sum().clamp_min(1).to(predicted.dtype());
}

torch::Tensor trajectoryLoss(const torch::Tensor& predicted, const torch::Tensor& target,
                             const torch::Tensor& padding) {
    const LoopWalk p = walkLoops(predicted, target, padding);
    const LoopWalk t = walkLoops(target.to(predicted.dtype()), target, padding);
    const torch::Tensor squared = (endPoints(p.dx, p.loopId) - endPoints(t.dx, t.loopId)).pow(2) +
                                  (endPoints(p.dy, p.loopId) - endPoints(t.dy, t.loopId)).pow(2);
    return (squared * p.curve).sum() / p.curve.sum().clamp_min(1.0);
}

torch::Tensor relativeDisplacementErrors(const torch::Tensor& predicted,
                                         const torch::Tensor& target, const torch::Tensor& padding,
                                         double floor) {
    const LoopWalk p = walkLoops(predicted, target, padding);
    const LoopWalk t = walkLoops(target.to(predicted.dtype()), target, padding);
    const torch::Tensor size = (t.dx.pow(2) + t.dy.pow(2)).sqrt() + floor;
    const torch::Tensor squared = ((p.dx - t.dx).pow(2) + (p.dy - t.dy).pow(2)) / size.pow(2);
    return (squared * p.curve).sum(1);
}

} // namespace img2cad::ml
