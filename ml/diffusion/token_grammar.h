// SPDX-License-Identifier: MIT
#pragma once
// Grammar-constrained sampling of CAD token sequences. The denoiser predicts every position
// independently, so an unconstrained draw can put a code of column 2 where column 0 belongs,
// or mix levels inside one row, and such a sequence does not parse (a freshly trained model
// did this for all of its first samples). The layout of the tokens (ml/codebook/cad_tokens.h:
// token = (level * C + column) * K + code, END = L * C * K, rows of C tokens) allows, at each
// position, only:
//   - tokens of the position's column (position mod C), or END;
//   - one level per row: the level of a token already known in the row; else the level (or
//     END) with the highest joint probability over the row's positions revealed together;
//   - END after the first known END (training sequences are END-filled);
//   - level 0 in the first row: a sequence opens with an extrude (its EB row, or a flat row).
//     An END there decodes to a part without any extrude (an untrained model draws that; the
//     shipped one never did, docs/results.md).
// This is structural masking, not a learnt rule: the probabilities among the allowed tokens
// are the model's, renormalised.

#include <torch/torch.h>

#include <cstdint>

namespace img2cad::ml {

struct TokenLayout {
    std::int64_t codes = 0;       ///< K
    std::int64_t codesPerRow = 0; ///< C
    std::int64_t levels = 0;
    bool defined() const { return codes > 0 && codesPerRow > 0 && levels > 0; }
    std::int64_t endToken() const { return levels * codesPerRow * codes; }
};

/// Masks `probabilities` [R, V] (CPU float; V = END + 1, or more: extra tokens get no mass) of
/// the positions `positions` [R, 2] (sequence, position) of `x` [B, L] (CPU; `maskToken` where
/// unknown) to the tokens the layout allows, as described above; rows left with no mass get
/// END. Returns the masked probabilities (not renormalised: multinomial does not need it).
torch::Tensor constrainToLayout(const torch::Tensor& probabilities, const torch::Tensor& x,
                                const torch::Tensor& positions, std::int64_t maskToken,
                                const TokenLayout& layout);

} // namespace img2cad::ml
