// SPDX-License-Identifier: MIT
#pragma once
// Encoding by decoding: a search over a sequence's codes for the ones the decoder turns back
// into the original best.
//
// A VQ-VAE encodes by taking, per row and residual depth, the code nearest to the encoder's
// output. That minimises a distance in the code space, not the error of what the decoder makes
// of the codes, and in the Curve-Cluster level the two differ where it matters: a small turn
// error early in a 40-curve loop rotates the rest of the loop, so a gear decoded from its
// nearest codes crosses itself although every row is close (docs/codebook.md). When the
// original is known — encoding a training program, or measuring the codebook — we can afford
// to ask the decoder: row by row, the few codes nearest the encoder's output are tried in every
// residual column, each candidate sequence is decoded, and the one whose decoded rows cost least
// against the original is kept (coordinate descent; a pass over every row, repeated while it
// still helps). In the Curve-Cluster level the cost also counts the curves that cross in the
// sketch the candidate decodes to, which is what the compiler refuses. Rows later in a loop then
// absorb the drift of earlier ones instead of adding to it. The search only chooses among codes:
// the decoder, codebooks and the sequence's length stay as they are, so the result is an ordinary
// code sequence of the same model.

#include "ml/codebook/cad_encoding.h"
#include "ml/codebook/level_vqvae.h"

#include <torch/torch.h>

#include <functional>

namespace img2cad::ml {

struct CodeSearchOptions {
    int passes = 0; ///< passes over the rows; 0 = the nearest codes (the VQ-VAE's own encoding)
    std::int64_t candidates = 8; ///< codes tried per row and residual column
};

/// The cost of decoded sequences against the original: raw rows [K, L, rowDim] -> [K].
using SequenceCost = std::function<torch::Tensor(const torch::Tensor& decoded)>;

/// A level's own cost for one original sequence `rows` ([1, L, rowDim], raw): the squared
/// errors of the continuous columns in standardised units (the reconstruction loss's scale),
/// plus 10^6 per row whose categories (type, operation, ...) come back wrong, so that no
/// continuous gain ever buys a wrong row type.
SequenceCost rowCost(LevelVqVaeImpl& level, const torch::Tensor& rows);

/// The Curve-Cluster level's cost for one extrude's CC rows: rowCost, plus 0.1 x each curve's
/// displacement error relative to its size (relativeDisplacementErrors in closure_loss.h: a
/// small feature must come back precise to its own scale), plus 1000 per pair of crossing edges
/// in the sketch the candidate decodes to, its loops placed by the original's SP rows
/// (`placement`): crossing curves are why a decoded sketch fails to compile.
SequenceCost curveClusterCost(LevelVqVaeImpl& level, const torch::Tensor& rows,
                              const std::vector<SpRow>& placement);

/// Searches the codes of one sequence: rows [1, L, rowDim] raw, `codes` [1, L, codes per row]
/// (as LevelVqVae::forward gives them for depth > 1); returns codes of the same shape whose cost
/// is at most the given codes' cost.
torch::Tensor searchCodes(LevelVqVaeImpl& level, const torch::Tensor& rows,
                          const torch::Tensor& codes, const SequenceCost& cost,
                          const CodeSearchOptions& options);

} // namespace img2cad::ml
