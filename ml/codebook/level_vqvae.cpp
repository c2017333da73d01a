// SPDX-License-Identifier: MIT
#include "ml/codebook/level_vqvae.h"

#include "ml/error.h"

namespace img2cad::ml {
namespace {

torch::nn::TransformerEncoder transformer(const LevelVqVaeOptions& o) {
    torch::nn::TransformerEncoderLayerOptions layer(o.width, o.heads);
    layer.dim_feedforward(4 * o.width).dropout(o.dropout).activation(torch::kGELU);
    return torch::nn::TransformerEncoder(torch::nn::TransformerEncoderOptions(layer, o.layers));
}

} // namespace

LevelVqVaeImpl::LevelVqVaeImpl(const LevelVqVaeOptions& options) : m_options(options) {
    const LevelLayout& layout = options.layout;
    if (layout.rowDim <= 0 || (layout.continuous.empty() && layout.categorical.empty()))
        throw Error("a level VQ-VAE needs a row layout with continuous or categorical columns");
    // The level MLP of eq. 1-3: raw heterogeneous rows into the shared latent width.
    m_lift = register_module(
        "lift",
        torch::nn::Sequential(torch::nn::Linear(layout.rowDim, options.width), torch::nn::GELU(),
                              torch::nn::Linear(options.width, options.width)));
    m_positions = register_module("positions", torch::nn::Embedding(kMaxLevelRows, options.width));
    m_encoder = register_module("encoder", transformer(options));
    m_toCode = register_module("to_code", torch::nn::Linear(options.width, options.width));
    m_quantizer = register_module(
        "quantizer", VectorQuantizer(VectorQuantizerOptions{options.codes, options.width}));
    m_fromCode = register_module("from_code", torch::nn::Linear(options.width, options.width));
    m_decoder = register_module("decoder", transformer(options));
    m_continuousHead = register_module(
        "continuous_head",
        torch::nn::Linear(options.width,
                          std::max<std::int64_t>(1, std::int64_t(layout.continuous.size()))));
    m_categoricalHeads = register_module("categorical_heads", torch::nn::ModuleList());
    for (const LevelLayout::Group& group : layout.categorical)
        m_categoricalHeads->push_back(torch::nn::Linear(options.width, group.size));
}

LevelVqVaeImpl::Output LevelVqVaeImpl::forward(const torch::Tensor& rows,
                                               const torch::Tensor& padding, double skipKeep) {
    if (rows.dim() != 3 || rows.size(2) != m_options.layout.rowDim)
        throw Error("level VQ-VAE: expected rows of shape [batch, length, " +
                    std::to_string(m_options.layout.rowDim) + "]");
    if (rows.size(1) > kMaxLevelRows)
        throw Error("level VQ-VAE: sequences are limited to " + std::to_string(kMaxLevelRows) +
                    " rows");
    const torch::Tensor positions = torch::arange(
        rows.size(1), torch::TensorOptions().dtype(torch::kLong).device(rows.device()));
    torch::Tensor h = m_lift->forward(rows) + m_positions->forward(positions).unsqueeze(0);
    // torch's Transformer takes [L, B, E] and a key-padding mask [B, L].
    h = m_encoder->forward(h.transpose(0, 1), {}, padding).transpose(0, 1);
    const torch::Tensor beforeCode = m_toCode->forward(h);
    VectorQuantizerImpl::Output q = m_quantizer->forward(beforeCode);

    torch::Tensor latent = q.quantized;
    if (is_training() && skipKeep > 0.0) {
        const torch::Tensor keep =
            torch::bernoulli(torch::full({rows.size(0), 1, 1}, skipKeep, rows.options()));
        latent = latent + keep * beforeCode;
    }
    Output output = decode(latent, padding);
    output.indices = q.indices;
    output.vqLoss = q.loss;
    output.perplexity = q.perplexity;
    return output;
}

LevelVqVaeImpl::Output LevelVqVaeImpl::decode(torch::Tensor latent, const torch::Tensor& padding) {
    const torch::Tensor positions = torch::arange(
        latent.size(1), torch::TensorOptions().dtype(torch::kLong).device(latent.device()));
    torch::Tensor h = m_fromCode->forward(latent) + m_positions->forward(positions).unsqueeze(0);
    h = m_decoder->forward(h.transpose(0, 1), {}, padding).transpose(0, 1);
    Output output;
    output.continuous = m_continuousHead->forward(h);
    for (const auto& head : *m_categoricalHeads)
        output.logits.push_back(head->as<torch::nn::Linear>()->forward(h));
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
        const torch::Tensor columns = torch::tensor(
            layout.continuous, torch::TensorOptions().dtype(torch::kLong).device(rows.device()));
        const torch::Tensor target = rows.index_select(2, columns);
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
    losses.vq = output.vqLoss;
    losses.total = m_options.continuousWeight * losses.continuous +
                   m_options.categoricalWeight * losses.categorical + losses.vq;
    return losses;
}

torch::Tensor LevelVqVaeImpl::assembleRows(const Output& output) const {
    const LevelLayout& layout = m_options.layout;
    std::vector<std::int64_t> shape = output.continuous.sizes().vec();
    shape.back() = layout.rowDim;
    torch::Tensor rows = torch::zeros(shape, output.continuous.options());
    for (std::size_t c = 0; c < layout.continuous.size(); ++c)
        rows.select(2, layout.continuous[c]).copy_(output.continuous.select(2, std::int64_t(c)));
    for (std::size_t g = 0; g < layout.categorical.size(); ++g) {
        const LevelLayout::Group& group = layout.categorical[g];
        rows.narrow(2, group.first, group.size)
            .copy_(torch::one_hot(output.logits[g].argmax(2), group.size).to(rows.dtype()));
    }
    return rows;
}

torch::Tensor LevelVqVaeImpl::decodeCodes(const torch::Tensor& indices,
                                          const torch::Tensor& padding) {
    return assembleRows(decode(m_quantizer->lookup(indices), padding));
}

} // namespace img2cad::ml
