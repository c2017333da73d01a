// SPDX-License-Identifier: MIT
#include "ml/diffusion/token_grammar.h"

#include "ml/error.h"

#include <cmath>
#include <map>
#include <utility>
#include <vector>

namespace img2cad::ml {

torch::Tensor constrainToLayout(const torch::Tensor& probabilities, const torch::Tensor& x,
                                const torch::Tensor& positions, std::int64_t maskToken,
                                const TokenLayout& layout) {
    const std::int64_t K = layout.codes, C = layout.codesPerRow, L = layout.levels;
    const std::int64_t end = layout.endToken();
    if (probabilities.size(1) <= end) throw Error("token grammar: the vocabulary has no END");
    const std::int64_t R = probabilities.size(0);
    const torch::Tensor p = probabilities.to(torch::kFloat).contiguous();
    // Mass of each (level, column) per revealed position: [R, L, C].
    const torch::Tensor levelMass = p.narrow(1, 0, end).view({R, L, C, K}).sum(-1).contiguous();
    const auto mass = levelMass.accessor<float, 3>();
    const auto prob = p.accessor<float, 2>();
    const torch::Tensor xs = x.to(torch::kCPU).contiguous();
    const auto tokens = xs.accessor<std::int64_t, 2>();
    const torch::Tensor positionsCpu = positions.to(torch::kCPU).contiguous();
    const auto where = positionsCpu.accessor<std::int64_t, 2>();
    const std::int64_t length = xs.size(1);

    // The first known END of each sequence.
    std::vector<std::int64_t> firstEnd(std::size_t(xs.size(0)), length);
    for (std::int64_t b = 0; b < xs.size(0); ++b)
        for (std::int64_t i = 0; i < length; ++i)
            if (tokens[b][i] == end) {
                firstEnd[std::size_t(b)] = i;
                break;
            }

    // Choose each touched row's level (L stands for END): a known token decides, else the
    // highest sum of log masses over the row's revealed positions.
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> rows;
    for (std::int64_t r = 0; r < R; ++r)
        rows[std::make_pair(std::int64_t(where[r][0]), std::int64_t(where[r][1] / C))].push_back(r);
    std::vector<std::int64_t> chosen(std::size_t(R), L);
    for (const auto& [key, members] : rows) {
        const auto [b, row] = key;
        std::int64_t level = -1;
        if (row == 0) level = 0; // a sequence opens with an extrude: END there is an empty part
        if (row * C > firstEnd[std::size_t(b)]) level = L;
        for (std::int64_t i = row * C; level < 0 && i < std::min(length, (row + 1) * C); ++i) {
            const std::int64_t t = tokens[b][i];
            if (t == maskToken) continue;
            level = t == end ? L : t / (C * K);
        }
        if (level < 0) {
            double best = -INFINITY;
            for (std::int64_t l = 0; l <= L; ++l) {
                double score = 0.0;
                for (std::int64_t r : members) {
                    const std::int64_t column = where[r][1] % C;
                    const double m = l == L ? prob[r][end] : mass[r][l][column];
                    score += std::log(m + 1e-12);
                }
                if (score > best) best = score, level = l;
            }
        }
        for (std::int64_t r : members)
            chosen[std::size_t(r)] = level;
    }

    torch::Tensor masked = torch::zeros_like(p);
    for (std::int64_t r = 0; r < R; ++r) {
        const std::int64_t level = chosen[std::size_t(r)];
        const std::int64_t first = (level * C + where[r][1] % C) * K;
        if (level < L && p[r].narrow(0, first, K).sum().item<float>() > 0.0f)
            masked[r].narrow(0, first, K).copy_(p[r].narrow(0, first, K));
        else
            masked[r][end] = 1.0f;
    }
    return masked.to(probabilities.dtype());
}

} // namespace img2cad::ml
