// SPDX-License-Identifier: MIT
#include "ml/codebook/level_vqvae.h"

#include "ml/error.h"

#include <algorithm>
#include <cmath>

namespace img2cad::ml {
namespace {

TransformerStack transformer(const LevelVqVaeOptions& o) {
    return TransformerStack(
        TransformerStackOptions{o.width, o.heads, o.layers, 4 * o.width, o.dropout});
}

torch::Tensor positionsOf(const torch::Tensor& sequence) {
    return torch::arange(sequence.size(1),
                         torch::TensorOptions().dtype(torch::kLong).device(sequence.device()));
}

/// 1 on the columns of `layout` that are continuous (`continuous`) or categorical (otherwise).
torch::Tensor columnMask(const LevelLayout& layout, bool continuous) {
    torch::Tensor mask = torch::zeros({layout.rowDim});
    if (continuous) {
        for (std::int64_t column : layout.continuous)
            mask[column] = 1.0;
    } else {
        for (const LevelLayout::Group& group : layout.categorical)
            mask.narrow(0, group.first, group.size).fill_(1.0);
    }
    return mask;
}

/// The inner edges (raw units) of a binned column's bins.
torch::Tensor innerBinEdges(const LevelLayout::BinnedColumn& binned) {
    if (binned.bins < 2 || !(binned.high > binned.low) ||
        (binned.logOffset > 0.0 && !(binned.low + binned.logOffset > 0.0)))
        throw Error("a binned column needs at least two bins over a non-empty range");
    const auto steps =
        torch::linspace(0.0, 1.0, binned.bins + 1, torch::kDouble).narrow(0, 1, binned.bins - 1);
    if (binned.logOffset <= 0.0)
        return (binned.low + steps * (binned.high - binned.low)).to(torch::kFloat);
    const double lo = std::log(binned.low + binned.logOffset);
    const double hi = std::log(binned.high + binned.logOffset);
    return (torch::exp(lo + steps * (hi - lo)) - binned.logOffset).to(torch::kFloat);
}

} // namespace

LevelEncoderImpl::LevelEncoderImpl(const LevelVqVaeOptions& options,
                                   const torch::Tensor& inputMask) {
    m_inputMask = register_buffer("input_mask", inputMask.clone());
    // The level MLP of eq. 1-3: raw heterogeneous rows into the shared latent width.
    m_lift = register_module(
        "lift",
        torch::nn::Sequential(torch::nn::Linear(options.layout.rowDim, options.width),
                              torch::nn::GELU(), torch::nn::Linear(options.width, options.width)));
    m_positions = register_module("positions", torch::nn::Embedding(kMaxLevelRows, options.width));
    m_encoder = register_module("encoder", transformer(options));
    const std::int64_t codeDim = options.effectiveCodeDim();
    m_toCode = register_module("to_code", torch::nn::Linear(options.width, codeDim));
    m_normalise = register_module(
        "normalise",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({codeDim}).elementwise_affine(false)));
    if (options.depth < 1) throw Error("a level VQ-VAE needs at least one code per row");
    for (std::int64_t d = 0; d < options.depth; ++d)
        m_quantizers.push_back(
            register_module(d == 0 ? std::string("quantizer") : "quantizer_" + std::to_string(d),
                            VectorQuantizer(VectorQuantizerOptions{options.codes, codeDim})));
}

LevelEncoderImpl::Quantized LevelEncoderImpl::quantize(const torch::Tensor& z) {
    Quantized result;
    torch::Tensor residual = z, sum;
    std::vector<torch::Tensor> indices;
    for (VectorQuantizer& quantizer : m_quantizers) {
        VectorQuantizerImpl::Output q = quantizer->forward(residual);
        if (m_quantizers.size() == 1) { // the common case: the quantiser's output as it is
            result.quantized = q.quantized;
            result.indices = q.indices.unsqueeze(-1);
            result.loss = q.loss;
            result.perplexity = q.perplexity;
            return result;
        }
        const torch::Tensor codes = q.quantized.detach(); // the chosen codes' values
        sum = sum.defined() ? sum + codes : codes;
        residual = residual - codes;
        indices.push_back(q.indices);
        result.loss = result.loss.defined() ? result.loss + q.loss : q.loss;
        result.perplexity += q.perplexity / double(m_quantizers.size());
    }
    // One straight-through estimator for the sum: the encoder sees the identity gradient.
    result.quantized = z + (sum - z).detach();
    result.indices = torch::stack(indices, -1);
    return result;
}

torch::Tensor LevelEncoderImpl::lookup(const torch::Tensor& indices) const {
    torch::Tensor sum;
    for (std::size_t d = 0; d < m_quantizers.size(); ++d) {
        const torch::Tensor codes = m_quantizers[d]->lookup(indices.select(-1, std::int64_t(d)));
        sum = sum.defined() ? sum + codes : codes;
    }
    return sum;
}

torch::Tensor LevelEncoderImpl::forward(const torch::Tensor& rows, const torch::Tensor& padding) {
    torch::Tensor h =
        m_lift->forward(rows * m_inputMask) + m_positions->forward(positionsOf(rows)).unsqueeze(0);
    h = m_encoder->forward(h, padding);
    return m_normalise->forward(m_toCode->forward(h));
}

LevelVqVaeImpl::LevelVqVaeImpl(const LevelVqVaeOptions& options) : m_options(options) {
    const LevelLayout& layout = options.layout;
    if (layout.rowDim <= 0 || (layout.continuous.empty() && layout.categorical.empty()))
        throw Error("a level VQ-VAE needs a row layout with continuous or categorical columns");
    for (const LevelLayout::LogColumn& log : layout.logScaled)
        if (std::find(layout.continuous.begin(), layout.continuous.end(), log.column) ==
                layout.continuous.end() ||
            !(log.offset > 0.0))
            throw Error("a log-scaled column must be continuous and have a positive offset");
    if (options.disentangled && (layout.continuous.empty() || layout.categorical.empty()))
        throw Error("a disentangled VQ-VAE needs both continuous and categorical columns");
    m_mean = register_buffer("feature_mean", torch::zeros({layout.rowDim}));
    m_scale = register_buffer("feature_scale", torch::ones({layout.rowDim}));
    m_encoders = register_module("encoders", torch::nn::ModuleList());
    if (options.disentangled) {
        m_encoders->push_back(LevelEncoder(options, columnMask(layout, false))); // topology
        m_encoders->push_back(LevelEncoder(options, columnMask(layout, true)));  // geometry
    } else {
        m_encoders->push_back(LevelEncoder(options, torch::ones({layout.rowDim})));
    }
    if (options.codeDim < 0) throw Error("a level VQ-VAE's code dimension cannot be negative");
    m_fromCode =
        register_module("from_code", torch::nn::Linear(options.effectiveCodeDim(), options.width));
    m_positions = register_module("positions", torch::nn::Embedding(kMaxLevelRows, options.width));
    m_decoder = register_module("decoder", transformer(options));
    m_continuousHead = register_module(
        "continuous_head",
        torch::nn::Linear(options.width,
                          std::max<std::int64_t>(1, std::int64_t(layout.continuous.size()))));
    m_categoricalHeads = register_module("categorical_heads", torch::nn::ModuleList());
    for (const LevelLayout::Group& group : layout.categorical)
        m_categoricalHeads->push_back(torch::nn::Linear(options.width, group.size));
    // Registered only when used, so models saved before binning existed still load.
    if (!layout.binned.empty()) m_binHeads = register_module("bin_heads", torch::nn::ModuleList());
    for (std::size_t b = 0; b < layout.binned.size(); ++b) {
        const LevelLayout::BinnedColumn& binned = layout.binned[b];
        if (std::find(layout.continuous.begin(), layout.continuous.end(), binned.column) ==
            layout.continuous.end())
            throw Error("a binned column must be continuous");
        m_binHeads->push_back(torch::nn::Linear(options.width, binned.bins));
        m_binEdges.push_back(
            register_buffer("bin_edges_" + std::to_string(b), innerBinEdges(binned)));
    }
}

std::vector<VectorQuantizer> LevelVqVaeImpl::quantizers() const {
    std::vector<VectorQuantizer> result;
    for (const auto& encoder : *m_encoders)
        for (const VectorQuantizer& q : encoder->as<LevelEncoderImpl>()->quantizers())
            result.push_back(q);
    return result;
}

std::int64_t LevelVqVaeImpl::codesPerRow() const {
    return std::int64_t(m_encoders->size()) * m_options.depth;
}

torch::Tensor LevelVqVaeImpl::continuousColumns(const torch::Tensor& rows) const {
    const std::vector<std::int64_t>& columns = m_options.layout.continuous;
    // Usually a run of adjacent columns: a view, no copy.
    if (columns.back() - columns.front() + 1 == std::int64_t(columns.size()))
        return rows.narrow(-1, columns.front(), std::int64_t(columns.size()));
    return rows.index_select(
        -1,
        torch::tensor(columns, torch::TensorOptions().dtype(torch::kLong).device(rows.device())));
}

torch::Tensor LevelVqVaeImpl::logScaled(const torch::Tensor& rows) const {
    if (m_options.layout.logScaled.empty()) return rows;
    std::vector<torch::Tensor> columns = rows.unbind(-1);
    for (const LevelLayout::LogColumn& log : m_options.layout.logScaled)
        columns[std::size_t(log.column)] =
            torch::log(columns[std::size_t(log.column)].clamp_min(0.0) + log.offset);
    return torch::stack(columns, -1);
}

torch::Tensor LevelVqVaeImpl::standardised(const torch::Tensor& rows) const {
    return (logScaled(rows) - m_mean) / m_scale;
}

void LevelVqVaeImpl::fitStandardisation(const torch::Tensor& rows) {
    torch::NoGradGuard noGrad;
    if (rows.dim() != 2 || rows.size(1) != m_options.layout.rowDim || rows.size(0) == 0)
        throw Error("level VQ-VAE: standardisation needs rows of shape [n, " +
                    std::to_string(m_options.layout.rowDim) + "]");
    const torch::Tensor data = logScaled(rows.to(torch::kFloat).to(m_mean.device()));
    for (std::int64_t column : m_options.layout.continuous) {
        const torch::Tensor values = data.select(1, column);
        m_mean[column] = values.mean();
        // A constant column keeps scale 1: nothing to learn there, nothing to amplify.
        const double spread = values.numel() > 1 ? values.std().item<double>() : 0.0;
        m_scale[column] = spread > 1e-8 ? spread : 1.0;
    }
}

LevelVqVaeImpl::Output LevelVqVaeImpl::forward(const torch::Tensor& rows,
                                               const torch::Tensor& padding, double skipKeep) {
    if (rows.dim() != 3 || rows.size(2) != m_options.layout.rowDim)
        throw Error("level VQ-VAE: expected rows of shape [batch, length, " +
                    std::to_string(m_options.layout.rowDim) + "]");
    if (rows.size(1) > kMaxLevelRows)
        throw Error("level VQ-VAE: sequences are limited to " + std::to_string(kMaxLevelRows) +
                    " rows");
    const torch::Tensor input = standardised(rows);
    torch::Tensor latent, skip, vqLoss;
    std::vector<torch::Tensor> indices;
    double perplexity = 0.0;
    for (const auto& module : *m_encoders) {
        auto* encoder = module->as<LevelEncoderImpl>();
        const torch::Tensor beforeCode = encoder->forward(input, padding);
        LevelEncoderImpl::Quantized q = encoder->quantize(beforeCode);
        latent = latent.defined() ? latent + q.quantized : q.quantized;
        skip = skip.defined() ? skip + beforeCode : beforeCode;
        vqLoss = vqLoss.defined() ? vqLoss + q.loss : q.loss;
        indices.push_back(q.indices);
        perplexity += q.perplexity / double(m_encoders->size());
    }
    if (is_training() && skipKeep > 0.0) {
        const torch::Tensor keep =
            torch::bernoulli(torch::full({rows.size(0), 1, 1}, skipKeep, rows.options()));
        latent = latent + keep * skip;
    }
    Output output = decode(latent, padding);
    output.indices = torch::cat(indices, 2);
    if (output.indices.size(2) == 1) output.indices = output.indices.squeeze(2);
    output.vqLoss = vqLoss;
    output.perplexity = perplexity;
    return output;
}

std::vector<torch::Tensor> LevelVqVaeImpl::encoderFeatures(const torch::Tensor& rows,
                                                           const torch::Tensor& padding) {
    const torch::Tensor input = standardised(rows);
    std::vector<torch::Tensor> features;
    for (const auto& module : *m_encoders)
        features.push_back(module->as<LevelEncoderImpl>()->forward(input, padding));
    return features;
}

torch::Tensor LevelVqVaeImpl::standardisedContinuous(const torch::Tensor& rows) const {
    return continuousColumns(standardised(rows));
}

LevelVqVaeImpl::Output LevelVqVaeImpl::decode(torch::Tensor latent, const torch::Tensor& padding) {
    torch::Tensor h =
        m_fromCode->forward(latent) + m_positions->forward(positionsOf(latent)).unsqueeze(0);
    h = m_decoder->forward(h, padding);
    Output output;
    output.continuous = m_continuousHead->forward(h);
    for (const auto& head : *m_categoricalHeads)
        output.logits.push_back(head->as<torch::nn::Linear>()->forward(h));
    if (!m_binHeads.is_empty())
        for (const auto& head : *m_binHeads)
            output.binLogits.push_back(head->as<torch::nn::Linear>()->forward(h));
    return output;
}

LevelVqVaeImpl::Losses LevelVqVaeImpl::loss(const Output& output, const torch::Tensor& rows,
                                            const torch::Tensor& padding) const {
    const LevelLayout& layout = m_options.layout;
    const torch::Tensor valid = padding.logical_not();
    const torch::Tensor validCount = valid.sum().clamp_min(1).to(rows.dtype());
    Losses losses;
    losses.continuous = torch::zeros({}, rows.options());
    if (!layout.continuous.empty()) {
        const torch::Tensor target = continuousColumns(standardised(rows));
        const torch::Tensor squared = (output.continuous - target).pow(2).mean(2);
        losses.continuous = (squared * valid).sum() / validCount;
    }
    losses.categorical = torch::zeros({}, rows.options());
    for (std::size_t g = 0; g < layout.categorical.size(); ++g) {
        const LevelLayout::Group& group = layout.categorical[g];
        const torch::Tensor target = rows.narrow(2, group.first, group.size).argmax(2);
        const torch::Tensor logits = output.logits[g];
        const torch::Tensor ce = torch::nn::functional::cross_entropy(
            logits.reshape({-1, group.size}), target.reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        losses.categorical =
            losses.categorical + (ce.reshape(valid.sizes()) * valid).sum() / validCount;
    }
    for (std::size_t b = 0; b < layout.binned.size(); ++b) {
        const torch::Tensor target =
            torch::bucketize(rows.select(2, layout.binned[b].column).contiguous(), m_binEdges[b]);
        const torch::Tensor ce = torch::nn::functional::cross_entropy(
            output.binLogits[b].reshape({-1, layout.binned[b].bins}), target.reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        losses.categorical = losses.categorical + layout.binned[b].weight *
                                                      (ce.reshape(valid.sizes()) * valid).sum() /
                                                      validCount;
    }
    losses.vq = output.vqLoss;
    losses.total = m_options.continuousWeight * losses.continuous +
                   m_options.categoricalWeight * losses.categorical + losses.vq;
    return losses;
}

torch::Tensor LevelVqVaeImpl::rawContinuous(const Output& output) const {
    const LevelLayout& layout = m_options.layout;
    if (layout.continuous.empty()) return output.continuous;
    const torch::Tensor values =
        output.continuous * continuousColumns(m_scale) + continuousColumns(m_mean);
    if (layout.logScaled.empty()) return values;
    std::vector<torch::Tensor> columns = values.unbind(-1);
    for (const LevelLayout::LogColumn& log : layout.logScaled) {
        const auto at = std::find(layout.continuous.begin(), layout.continuous.end(), log.column);
        auto& column = columns[std::size_t(at - layout.continuous.begin())];
        column = torch::exp(column) - log.offset;
    }
    return torch::stack(columns, -1);
}

torch::Tensor LevelVqVaeImpl::decodeCodes(const torch::Tensor& indices,
                                          const torch::Tensor& padding) {
    const torch::Tensor all = indices.dim() == 2 ? indices.unsqueeze(2) : indices;
    torch::Tensor latent;
    std::int64_t stream = 0;
    for (const auto& module : *m_encoders) {
        const torch::Tensor codes = module->as<LevelEncoderImpl>()->lookup(
            all.narrow(2, stream * m_options.depth, m_options.depth));
        latent = latent.defined() ? latent + codes : codes;
        ++stream;
    }
    const Output output = decode(latent, padding);

    const LevelLayout& layout = m_options.layout;
    std::vector<std::int64_t> shape = output.continuous.sizes().vec();
    shape.back() = layout.rowDim;
    torch::Tensor rows = torch::zeros(shape, output.continuous.options());
    const torch::Tensor continuous = rawContinuous(output);
    for (std::size_t c = 0; c < layout.continuous.size(); ++c)
        rows.select(2, layout.continuous[c]).copy_(continuous.select(2, std::int64_t(c)));
    for (std::size_t b = 0; b < layout.binned.size(); ++b) {
        // The regression, held inside the bin the classifier chose (outer bins are open).
        const torch::Tensor edges = m_binEdges[b];
        const torch::Tensor infinity = torch::full({1}, INFINITY, edges.options());
        const torch::Tensor lower = torch::cat({-infinity, edges});
        const torch::Tensor upper = torch::cat({edges, infinity});
        const torch::Tensor bin = output.binLogits[b].argmax(2);
        torch::Tensor value = rows.select(2, layout.binned[b].column);
        value.copy_(torch::max(torch::min(value, upper.index({bin})), lower.index({bin})));
    }
    for (std::size_t g = 0; g < layout.categorical.size(); ++g) {
        const LevelLayout::Group& group = layout.categorical[g];
        rows.narrow(2, group.first, group.size)
            .copy_(torch::one_hot(output.logits[g].argmax(2), group.size).to(rows.dtype()));
    }
    return rows;
}

} // namespace img2cad::ml
