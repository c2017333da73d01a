// SPDX-License-Identifier: MIT
#pragma once
// A program as one sequence of discrete tokens, what the alignment encoder reads and the
// diffusion model generates. Every code of every codebook has its own token: for level l
// (in CadCodebook::levelNames order) and code column c (stream x depth, C per row) the K codes
// occupy [(l * C + c) * K, (l * C + c + 1) * K); one END token follows them. A row is its C
// tokens in column order. Hierarchical order: extrude 0's EB row, its SP rows, its CC rows,
// extrude 1's EB row, ..., END. Flat variants: the flat rows, END. The level of every token is
// in its value, so a sequence parses back without separators.

#include "ml/codebook/cad_codebook.h"

#include <vector>

namespace img2cad::ml {

struct TokenVocabulary {
    std::int64_t codes = 0;       ///< K
    std::int64_t codesPerRow = 0; ///< C
    std::int64_t levels = 0;
    std::int64_t endToken() const { return levels * codesPerRow * codes; }
    std::int64_t size() const { return endToken() + 1; }
};

TokenVocabulary tokenVocabulary(const CadCodebook& codebook);

/// The tokens of a program (END included).
std::vector<std::int64_t> programTokens(CadCodebook& codebook, const CodebookExample& example);

/// The program a token sequence stands for (tokens after END are ignored), in the frame of
/// `normalisation`. Throws ml::Error for sequences that do not parse (an incomplete row, a
/// sketch row before any extrude, a token outside the vocabulary) or do not decode; with
/// DecodeMode::Repair an extrude without rows of some level is dropped instead.
cad::Program programFromTokens(CadCodebook& codebook, const std::vector<std::int64_t>& tokens,
                               const Normalisation& normalisation, const std::string& name = "",
                               DecodeMode mode = DecodeMode::Strict);

} // namespace img2cad::ml
