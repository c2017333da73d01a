// SPDX-License-Identifier: MIT
#include "ml/codebook/code_search.h"

#include "ml/codebook/closure_loss.h"

#include "cad/program.h"

#include <algorithm>

namespace img2cad::ml {
namespace {

/// Per row, an arg-max for every one-hot group of the layout: [B, L] each.
std::vector<torch::Tensor> categoriesOf(const torch::Tensor& rows, const LevelLayout& layout) {
    std::vector<torch::Tensor> classes;
    for (const LevelLayout::Group& group : layout.categorical)
        classes.push_back(rows.narrow(2, group.first, group.size).argmax(2));
    return classes;
}

/// Weight of the curves' relative displacement errors (closure_loss.h) against the per-row
/// standardised errors. Measured on 300 test programs (docs/codebook.md): 0.1 beat 0 and 0.3.
constexpr double kDisplacementWeight = 0.1;
/// Floor of the curve size the displacement errors are relative to (unit-cube lengths), so that
/// near-empty chords do not dominate.
constexpr double kDisplacementFloor = 0.005;
/// The cost of one row of a wrong category: a program with a wrong row type does not decode at
/// all, so no gain elsewhere may buy one (100 was bought by continuous gains).
constexpr double kWrongCategoryCost = 1e6;

/// A crossing of two curves of the decoded sketch: above any continuous error, below a wrong
/// row type. It is what makes a decoded sketch fail to compile.
constexpr double kCrossingCost = 1e3;
/// A loop that does not decode at all (counted like this many crossings).
constexpr std::int64_t kUndecodedLoopCrossings = 10;

bool segmentsCross(cad::Vec2 a, cad::Vec2 b, cad::Vec2 c, cad::Vec2 d) {
    const auto side = [](cad::Vec2 p, cad::Vec2 q, cad::Vec2 r) { return (q - p).cross(r - p); };
    const double d1 = side(c, d, a), d2 = side(c, d, b), d3 = side(a, b, c), d4 = side(a, b, d);
    return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/// Pairs of edges of the loops' polygons that cross: within a loop (neighbours excepted) and
/// between loops. A loop that does not decode counts as kUndecodedLoopCrossings.
std::int64_t crossings(const std::vector<cad::Loop>& loops) {
    std::int64_t count = 0;
    std::vector<std::vector<cad::Vec2>> polygons;
    for (const cad::Loop& loop : loops) {
        if (loop.curves.empty())
            count += kUndecodedLoopCrossings;
        else
            polygons.push_back(cad::loopPolygon(loop));
    }
    const auto edge = [](const std::vector<cad::Vec2>& p, std::size_t i) {
        return std::pair{p[i], p[(i + 1) % p.size()]};
    };
    for (std::size_t a = 0; a < polygons.size(); ++a) {
        const auto& p = polygons[a];
        for (std::size_t i = 0; i < p.size(); ++i)
            for (std::size_t j = i + 2; j < p.size(); ++j) {
                if (i == 0 && j + 1 == p.size()) continue; // the closing edge's neighbour
                const auto [a0, a1] = edge(p, i);
                const auto [b0, b1] = edge(p, j);
                count += segmentsCross(a0, a1, b0, b1);
            }
        for (std::size_t b = a + 1; b < polygons.size(); ++b)
            for (std::size_t i = 0; i < p.size(); ++i)
                for (std::size_t j = 0; j < polygons[b].size(); ++j) {
                    const auto [a0, a1] = edge(p, i);
                    const auto [b0, b1] = edge(polygons[b], j);
                    count += segmentsCross(a0, a1, b0, b1);
                }
    }
    return count;
}

} // namespace

SequenceCost rowCost(LevelVqVaeImpl& level, const torch::Tensor& rows) {
    const LevelLayout& layout = level.options().layout;
    const torch::Tensor target =
        layout.continuous.empty() ? torch::Tensor() : level.standardisedContinuous(rows);
    const std::vector<torch::Tensor> classes = categoriesOf(rows, layout);
    return [&level, &layout, target, classes](const torch::Tensor& decoded) {
        torch::Tensor cost = torch::zeros({decoded.size(0)}, decoded.options());
        if (target.defined())
            cost = cost + (level.standardisedContinuous(decoded) - target).pow(2).sum({1, 2});
        const std::vector<torch::Tensor> decodedClasses = categoriesOf(decoded, layout);
        for (std::size_t g = 0; g < classes.size(); ++g)
            cost = cost +
                   kWrongCategoryCost * decodedClasses[g].ne(classes[g]).sum(1).to(decoded.dtype());
        return cost;
    };
}

SequenceCost curveClusterCost(LevelVqVaeImpl& level, const torch::Tensor& rows,
                              const std::vector<SpRow>& placement) {
    const SequenceCost perRow = rowCost(level, rows);
    return [perRow, rows, placement](const torch::Tensor& decoded) {
        const torch::Tensor target = rows.expand({decoded.size(0), -1, -1});
        const torch::Tensor padding =
            torch::zeros({decoded.size(0), decoded.size(1)},
                         torch::TensorOptions().dtype(torch::kBool).device(decoded.device()));
        const torch::Tensor continuous =
            perRow(decoded) + kDisplacementWeight * relativeDisplacementErrors(decoded, target,
                                                                               padding,
                                                                               kDisplacementFloor);
        // The sketch each candidate decodes to, checked for crossing curves as the compiler
        // would refuse them.
        const torch::Tensor values = decoded.to(torch::kCPU, torch::kDouble).contiguous();
        const auto view = values.accessor<double, 3>();
        std::vector<double> crossingCosts(std::size_t(values.size(0)));
        std::vector<CcRow> curves(std::size_t(values.size(1)));
        for (std::int64_t k = 0; k < values.size(0); ++k) {
            for (std::int64_t r = 0; r < values.size(1); ++r)
                for (std::size_t column = 0; column < std::size_t(kCcDim); ++column)
                    curves[std::size_t(r)][column] = view[k][r][std::int64_t(column)];
            crossingCosts[std::size_t(k)] =
                kCrossingCost * double(crossings(decodeExtrudeLoops(placement, curves)));
        }
        return continuous + torch::tensor(crossingCosts, torch::kDouble).to(continuous.options());
    };
}

torch::Tensor searchCodes(LevelVqVaeImpl& level, const torch::Tensor& rows,
                          const torch::Tensor& codes, const SequenceCost& cost,
                          const CodeSearchOptions& options) {
    if (options.passes <= 0 || options.candidates <= 1 || codes.numel() == 0) return codes;
    torch::NoGradGuard noGrad;
    torch::Tensor best = (codes.dim() == 2 ? codes.unsqueeze(2) : codes).clone(); // [1, L, C]
    const std::int64_t length = best.size(1), columns = best.size(2);
    const std::int64_t depth = level.options().depth;
    const torch::Tensor padding =
        torch::zeros({1, length}, torch::TensorOptions().dtype(torch::kBool).device(rows.device()));
    const std::vector<torch::Tensor> features = level.encoderFeatures(rows, padding);
    std::vector<torch::Tensor> codebooks; // per index column: every code vector [codes, dim]
    for (const VectorQuantizer& quantizer : level.quantizers())
        codebooks.push_back(quantizer->lookup(
            torch::arange(quantizer->options().codes,
                          torch::TensorOptions().dtype(torch::kLong).device(rows.device()))));
    const auto decodedCost = [&](const torch::Tensor& indices) {
        return cost(level.decodeCodes(indices, padding.expand({indices.size(0), length})));
    };

    double bestCost = decodedCost(best).item<double>();
    for (int pass = 0; pass < options.passes; ++pass) {
        bool improved = false;
        for (std::int64_t r = 0; r < length; ++r) {
            // One batch per row: every residual column's nearest candidates, the rest of the
            // sequence as it stands.
            std::vector<torch::Tensor> trials;
            for (std::int64_t c = 0; c < columns; ++c) {
                const std::int64_t stream = c / depth, first = stream * depth;
                // What this column quantises: the stream's feature minus its shallower codes.
                torch::Tensor residual = features[std::size_t(stream)][0][r];
                for (std::int64_t d = first; d < c; ++d)
                    residual =
                        residual - codebooks[std::size_t(d)][best[0][r][d].item<std::int64_t>()];
                const torch::Tensor& book = codebooks[std::size_t(c)];
                const std::int64_t k = std::min(options.candidates, book.size(0));
                const torch::Tensor nearest =
                    std::get<1>((book - residual).pow(2).sum(1).topk(k, 0, /*largest=*/false));
                torch::Tensor trial = best.expand({k, length, columns}).clone();
                trial.select(1, r).select(1, c).copy_(nearest);
                trials.push_back(trial);
            }
            const torch::Tensor batch = torch::cat(trials, 0);
            const auto [lowest, at] = decodedCost(batch).min(0);
            // A relative margin, so that float noise in equal decodings never counts as a gain.
            if (lowest.item<double>() < bestCost * (1.0 - 1e-6)) {
                best = batch[at.item<std::int64_t>()].unsqueeze(0).clone();
                bestCost = lowest.item<double>();
                improved = true;
            }
        }
        if (!improved) break;
    }
    return codes.dim() == 2 ? best.squeeze(2) : best;
}

} // namespace img2cad::ml
