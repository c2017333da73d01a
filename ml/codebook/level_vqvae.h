// SPDX-License-Identifier: MIT
#pragma once
// One level of the hierarchical codebook (paper section 3.1): a VQ-VAE over the rows of one
// level (Extrude-Block, Sketch-Patch or Curve-Cluster features). A level MLP lifts the raw
// heterogeneous row into the model width, a Transformer encoder contextualises the rows of a
// sequence, every row is quantised, and a symmetric Transformer decoder with per-type heads
// reconstructs the row: MSE on continuous fields and cross-entropy on categorical ones,
// weighted 1.0 / 0.5 (eq. 4).
//
// Masked skip connection (the paper names it without detail; our reading): the decoder also
// receives the encoder's pre-quantisation features, but through a mask that drops them for a
// growing share of sequences during training and always at inference, so the decoder learns to
// reconstruct from the codes alone ("strictly enforce codebook reliance") while the skip path
// speeds up early training.

#include "ml/codebook/vector_quantizer.h"

#include <torch/torch.h>

#include <vector>

namespace img2cad::ml {

/// Which columns of a level's raw rows are continuous and which form one-hot groups.
struct LevelLayout {
    std::int64_t rowDim = 0;
    std::vector<std::int64_t> continuous; ///< column indices
    struct Group {
        std::int64_t first = 0; ///< first column of the one-hot group
        std::int64_t size = 0;
    };
    std::vector<Group> categorical;
};

struct LevelVqVaeOptions {
    LevelLayout layout;
    std::int64_t width = 256;
    std::int64_t heads = 8;
    std::int64_t layers = 4; ///< encoder and decoder alike
    std::int64_t codes = 512;
    double dropout = 0.1;
    double continuousWeight = 1.0;
    double categoricalWeight = 0.5;
};

class LevelVqVaeImpl : public torch::nn::Module {
public:
    explicit LevelVqVaeImpl(const LevelVqVaeOptions& options);

    struct Output {
        torch::Tensor continuous;          ///< [B, L, continuous columns]
        std::vector<torch::Tensor> logits; ///< per categorical group, [B, L, group size]
        torch::Tensor indices;             ///< [B, L] codes
        torch::Tensor vqLoss;
        double perplexity = 0.0;
    };

    /// rows: [B, L, rowDim]; padding: [B, L] bool, true on padded rows (ignored everywhere).
    /// `skipKeep` is the probability that a sequence keeps the skip path (training only).
    Output forward(const torch::Tensor& rows, const torch::Tensor& padding, double skipKeep = 0.0);

    struct Losses {
        torch::Tensor total, continuous, categorical, vq;
    };
    Losses loss(const Output& output, const torch::Tensor& rows,
                const torch::Tensor& padding) const;

    /// Rows rebuilt from codes alone (inference): continuous values and arg-max one-hots.
    torch::Tensor decodeCodes(const torch::Tensor& indices, const torch::Tensor& padding);

    const LevelVqVaeOptions& options() const { return m_options; }
    VectorQuantizer quantizer() const { return m_quantizer; }

private:
    Output decode(torch::Tensor latent, const torch::Tensor& padding);
    torch::Tensor assembleRows(const Output& output) const;

    LevelVqVaeOptions m_options;
    torch::nn::Sequential m_lift{nullptr};
    torch::nn::Embedding m_positions{nullptr};
    torch::nn::TransformerEncoder m_encoder{nullptr};
    torch::nn::Linear m_toCode{nullptr};
    VectorQuantizer m_quantizer{nullptr};
    torch::nn::Linear m_fromCode{nullptr};
    torch::nn::TransformerEncoder m_decoder{nullptr};
    torch::nn::Linear m_continuousHead{nullptr};
    torch::nn::ModuleList m_categoricalHeads{nullptr};
};

TORCH_MODULE(LevelVqVae);

/// Longest sequence a level model accepts (positions are learnt up to this).
constexpr std::int64_t kMaxLevelRows = 256;

} // namespace img2cad::ml
