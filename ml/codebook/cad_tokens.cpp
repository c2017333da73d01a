// SPDX-License-Identifier: MIT
#include "ml/codebook/cad_tokens.h"

#include "ml/error.h"

namespace img2cad::ml {

TokenVocabulary tokenVocabulary(const CadCodebook& codebook) {
    return {codebook->options().codes, codebook->codesPerRow(),
            std::int64_t(codebook->levelNames().size())};
}

std::vector<std::int64_t> programTokens(CadCodebook& codebook, const CodebookExample& example) {
    const TokenVocabulary vocabulary = tokenVocabulary(codebook);
    const std::vector<std::string> levels = codebook->levelNames();
    const CadCodebookImpl::LevelCodes codes = codebook->encodeCodes(example);
    std::vector<std::int64_t> tokens;
    const auto appendRows = [&](std::size_t level, const torch::Tensor& matrix,
                                std::int64_t firstRow, std::int64_t rowCount) {
        for (std::int64_t r = firstRow; r < firstRow + rowCount; ++r)
            for (std::int64_t c = 0; c < vocabulary.codesPerRow; ++c)
                tokens.push_back((std::int64_t(level) * vocabulary.codesPerRow + c) *
                                     vocabulary.codes +
                                 matrix[r][c].item<std::int64_t>());
    };
    if (levels.size() == 1) {
        const torch::Tensor& flat = codes.at(levels[0]).front();
        appendRows(0, flat, 0, flat.size(0));
    } else {
        const torch::Tensor& eb = codes.at("eb").front();
        for (std::int64_t e = 0; e < eb.size(0); ++e) {
            appendRows(0, eb, e, 1);
            const torch::Tensor& sp = codes.at("sp")[std::size_t(e)];
            appendRows(1, sp, 0, sp.size(0));
            const torch::Tensor& cc = codes.at("cc")[std::size_t(e)];
            appendRows(2, cc, 0, cc.size(0));
        }
    }
    tokens.push_back(vocabulary.endToken());
    return tokens;
}

cad::Program programFromTokens(CadCodebook& codebook, const std::vector<std::int64_t>& tokens,
                               const Normalisation& normalisation, const std::string& name,
                               DecodeMode mode) {
    const TokenVocabulary vocabulary = tokenVocabulary(codebook);
    const std::vector<std::string> levels = codebook->levelNames();
    // Rows per level and extrude, as code lists.
    std::vector<std::vector<std::vector<std::int64_t>>> rows(levels.size());
    std::vector<std::vector<std::int64_t>> extrudeOf(levels.size()); // row -> extrude
    std::int64_t extrude = -1;
    for (std::size_t i = 0; i < tokens.size(); i += std::size_t(vocabulary.codesPerRow)) {
        if (tokens[i] == vocabulary.endToken()) break;
        if (i + std::size_t(vocabulary.codesPerRow) > tokens.size())
            throw Error("the token sequence ends inside a row");
        std::vector<std::int64_t> codes;
        std::int64_t level = -1;
        for (std::int64_t c = 0; c < vocabulary.codesPerRow; ++c) {
            const std::int64_t token = tokens[i + std::size_t(c)];
            if (token < 0 || token >= vocabulary.endToken())
                throw Error("token " + std::to_string(token) + " at " + std::to_string(i + c) +
                            " is outside the vocabulary or an END inside a row");
            const std::int64_t column = token / vocabulary.codes;
            if (column % vocabulary.codesPerRow != c ||
                (level >= 0 && column / vocabulary.codesPerRow != level))
                throw Error("the row at token " + std::to_string(i) + " mixes codes of different " +
                            "levels or columns");
            level = column / vocabulary.codesPerRow;
            codes.push_back(token % vocabulary.codes);
        }
        if (levels.size() > 1 && level == 0) ++extrude;
        if (levels.size() > 1 && extrude < 0)
            throw Error("a sketch row comes before any extrude row");
        rows[std::size_t(level)].push_back(codes);
        extrudeOf[std::size_t(level)].push_back(extrude);
    }
    const auto toTensor = [](const std::vector<std::vector<std::int64_t>>& list) {
        torch::Tensor t = torch::empty(
            {std::int64_t(list.size()), list.empty() ? 0 : std::int64_t(list.front().size())},
            torch::kLong);
        for (std::size_t r = 0; r < list.size(); ++r)
            for (std::size_t c = 0; c < list[r].size(); ++c)
                t[std::int64_t(r)][std::int64_t(c)] = list[r][c];
        return t;
    };
    CadCodebookImpl::LevelCodes codes;
    if (levels.size() == 1) {
        if (rows[0].empty()) throw Error("the token sequence holds no row");
        codes[levels[0]].push_back(toTensor(rows[0]));
    } else {
        if (rows[0].empty()) throw Error("the token sequence holds no extrude");
        // Each extrude's rows per level; an extrude missing a level is an error, or dropped.
        std::vector<std::vector<std::int64_t>> kept;
        for (std::int64_t e = 0; e <= extrude; ++e) {
            std::vector<std::vector<std::vector<std::int64_t>>> mine(levels.size());
            bool complete = true;
            for (std::size_t level = 1; level < levels.size(); ++level) {
                for (std::size_t r = 0; r < rows[level].size(); ++r)
                    if (extrudeOf[level][r] == e) mine[level].push_back(rows[level][r]);
                if (!mine[level].empty()) continue;
                if (mode == DecodeMode::Strict)
                    throw Error("extrude " + std::to_string(e) + " has no " + levels[level] +
                                " rows");
                complete = false;
            }
            if (!complete) continue;
            kept.push_back(rows[0][std::size_t(e)]);
            for (std::size_t level = 1; level < levels.size(); ++level)
                codes[levels[level]].push_back(toTensor(mine[level]));
        }
        if (kept.empty()) throw Error("no extrude has rows of every level");
        codes["eb"].push_back(toTensor(kept));
    }
    return codebook->decodeCodes(codes, normalisation, name, mode);
}

} // namespace img2cad::ml
