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
//
// Continuous columns are standardised with per-column statistics of the training data (stored
// with the weights): raw curvatures reach 100 while offsets are ~1e-3, and an unscaled MSE would
// only ever learn the former.

#include "ml/codebook/vector_quantizer.h"
#include "ml/nn/transformer_stack.h"

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
    /// Continuous columns modelled as log(value + offset) (values >= 0): the model's errors
    /// then scale with the value plus the offset, instead of being the same for a 1 mm slot
    /// and a 100 mm side.
    struct LogColumn {
        std::int64_t column = 0;
        double offset = 0.0;
    };
    std::vector<LogColumn> logScaled;
    /// Continuous columns that are also classified into bins: a cross-entropy head picks the
    /// bin and the decoded value is the regression clamped into it. Regression alone leaves
    /// values blurred by a few percent of the column's spread (MSE's pull fades as the error
    /// shrinks); cross-entropy keeps pulling until the right bin wins, as in DeepCAD's 8-bit
    /// parameters. Bins are equal in log(value + logOffset) between `low` and `high` when
    /// logOffset > 0 (precision relative to the value), else equal in value; the outer bins
    /// are open.
    struct BinnedColumn {
        std::int64_t column = 0;
        std::int64_t bins = 256;
        double low = 0.0, high = 1.0;
        double logOffset = 0.0;
        /// Weight of the bins' cross-entropy (besides the categorical weight). At 1.0 it took
        /// the decoder's capacity from the other columns (docs/codebook.md).
        double weight = 1.0;
    };
    std::vector<BinnedColumn> binned;
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
    /// Ablation "Model 2" (SkexGen-like): two parallel encoders, one reading only the
    /// categorical columns (topology) and one only the continuous ones (geometry), each with
    /// its own codebook; the decoder reads the sum of both codes.
    bool disentangled = false;
    /// Codes per row and encoder (residual vector quantisation): code d quantises what codes
    /// 0..d-1 left of the encoder's output. The paper's one code per row (depth 1) cannot hold
    /// a row's continuous values to CAD precision; see docs/codebook.md.
    std::int64_t depth = 1;
    /// Dimension of the code vectors; 0 = the model width (the paper's reading). The encoder
    /// projects into this space before quantising and the decoder projects back. Low
    /// dimensions are the "factorised codes" of ViT-VQGAN (Yu et al. 2022): k-means with K codes
    /// in d dimensions cuts the quantisation error's variance by about K^(2/d) per residual
    /// stage, which is 1.09 for 256 codes in 128 dimensions and 4 in 8, so in a wide code space
    /// the residual codes hardly sharpen a row's continuous values. Measured in docs/codebook.md.
    std::int64_t codeDim = 0;
    std::int64_t effectiveCodeDim() const { return codeDim > 0 ? codeDim : width; }
};

/// One encoder path: level MLP, Transformer, projection and its `depth` residual codebooks,
/// reading the columns that `inputMask` keeps (all of them unless the VQ-VAE is disentangled).
class LevelEncoderImpl : public torch::nn::Module {
public:
    LevelEncoderImpl(const LevelVqVaeOptions& options, const torch::Tensor& inputMask);
    /// rows: standardised [B, L, rowDim]; returns the pre-quantisation features [B, L, code dim].
    torch::Tensor forward(const torch::Tensor& rows, const torch::Tensor& padding);

    struct Quantized {
        torch::Tensor quantized; ///< sum of the codes, straight-through to z
        torch::Tensor indices;   ///< [..., depth]
        torch::Tensor loss;      ///< commitment losses of all depths
        double perplexity = 0.0; ///< mean over depths
    };
    Quantized quantize(const torch::Tensor& z);
    /// The sum of the codes of `indices` ([..., depth] -> [..., code dim]).
    torch::Tensor lookup(const torch::Tensor& indices) const;
    const std::vector<VectorQuantizer>& quantizers() const { return m_quantizers; }

private:
    torch::Tensor m_inputMask;
    torch::nn::Sequential m_lift{nullptr};
    torch::nn::Embedding m_positions{nullptr};
    TransformerStack m_encoder{nullptr};
    torch::nn::Linear m_toCode{nullptr};
    /// z_e is layer-normalised (no affine) before quantisation: otherwise the encoder can grow
    /// its outputs faster than the codes follow, and the VQ loss climbs while training runs.
    torch::nn::LayerNorm m_normalise{nullptr};
    std::vector<VectorQuantizer> m_quantizers;
};
TORCH_MODULE(LevelEncoder);

class LevelVqVaeImpl : public torch::nn::Module {
public:
    explicit LevelVqVaeImpl(const LevelVqVaeOptions& options);

    struct Output {
        torch::Tensor continuous;             ///< [B, L, continuous columns], standardised
        std::vector<torch::Tensor> logits;    ///< per categorical group, [B, L, group size]
        std::vector<torch::Tensor> binLogits; ///< per binned column, [B, L, bins]
        /// [B, L] codes; [B, L, streams x depth] when disentangled or deeper than 1 (the
        /// topology stream's codes first).
        torch::Tensor indices;
        torch::Tensor vqLoss;
        double perplexity = 0.0; ///< mean over the codebooks
    };

    /// rows: [B, L, rowDim] in raw units; padding: [B, L] bool, true on padded rows (ignored
    /// everywhere). `skipKeep` is the probability that a sequence keeps the skip path
    /// (training only).
    Output forward(const torch::Tensor& rows, const torch::Tensor& padding, double skipKeep = 0.0);

    struct Losses {
        torch::Tensor total, continuous, categorical, vq;
    };
    /// Reconstruction (in standardised units) + VQ losses against the raw `rows`.
    Losses loss(const Output& output, const torch::Tensor& rows,
                const torch::Tensor& padding) const;

    /// The output's continuous columns back in raw units ([B, L, continuous columns]).
    torch::Tensor rawContinuous(const Output& output) const;

    /// Rows rebuilt from codes alone (inference), in raw units: continuous values and arg-max
    /// one-hots.
    torch::Tensor decodeCodes(const torch::Tensor& indices, const torch::Tensor& padding);

    /// The encoders' pre-quantisation features of raw rows, one [B, L, code dim] per stream
    /// (the residual codes of a stream quantise its features; code_search.h reads them).
    std::vector<torch::Tensor> encoderFeatures(const torch::Tensor& rows,
                                               const torch::Tensor& padding);
    /// The continuous columns of raw rows in the model's standardised units ([..., continuous]):
    /// the scale on which the reconstruction loss compares values.
    torch::Tensor standardisedContinuous(const torch::Tensor& rows) const;

    /// Sets the per-column standardisation from training rows ([N, rowDim], valid rows only):
    /// continuous columns get their mean and standard deviation, one-hot columns stay as they are.
    void fitStandardisation(const torch::Tensor& rows);

    const LevelVqVaeOptions& options() const { return m_options; }
    /// Every codebook: per encoder stream, per depth.
    std::vector<VectorQuantizer> quantizers() const;
    /// Codes per row (streams x depth).
    std::int64_t codesPerRow() const;

private:
    Output decode(torch::Tensor latent, const torch::Tensor& padding);
    /// Raw rows in the model's units: log-scaled columns transformed, then standardised.
    torch::Tensor standardised(const torch::Tensor& rows) const;
    /// Raw rows with the log-scaled columns transformed (no standardisation).
    torch::Tensor logScaled(const torch::Tensor& rows) const;
    /// The continuous columns of rows ([..., rowDim] -> [..., continuous]), in layout order.
    torch::Tensor continuousColumns(const torch::Tensor& rows) const;

    LevelVqVaeOptions m_options;
    torch::Tensor m_mean;  ///< buffer [rowDim]
    torch::Tensor m_scale; ///< buffer [rowDim]
    torch::nn::ModuleList m_encoders{nullptr};
    torch::nn::Linear m_fromCode{nullptr};
    torch::nn::Embedding m_positions{nullptr};
    TransformerStack m_decoder{nullptr};
    torch::nn::Linear m_continuousHead{nullptr};
    torch::nn::ModuleList m_categoricalHeads{nullptr};
    torch::nn::ModuleList m_binHeads{nullptr};
    std::vector<torch::Tensor> m_binEdges; ///< buffers: per binned column, inner edges [bins-1]
};

TORCH_MODULE(LevelVqVae);

/// Longest sequence a level model accepts (positions are learnt up to this).
constexpr std::int64_t kMaxLevelRows = 256;

} // namespace img2cad::ml
