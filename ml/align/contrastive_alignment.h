// SPDX-License-Identifier: MIT
#pragma once
// Geometry-aware alignment of point clouds and CAD programs (paper section 3.3, first half):
// a point encoder E(P_ref) -> z_P, a causal Transformer over a program's codebook tokens ->
// z_S, and the symmetric InfoNCE loss of eq. 7 with a learnable temperature, in which every
// embedding of the batch other than an anchor and its partner is a negative (2B - 2 of them,
// plus the partner in the denominator: "2B - 1" terms).
//
// Point encoder (our choice, the paper leaves it open): PointNet-style shared MLP with max and
// mean pooling. The UA-DGCNN's graph layers already spent their cost on importance; the
// encoder sees the resampled P_ref, whose points are where the geometry matters.

#include "ml/nn/transformer_stack.h"

#include <torch/torch.h>

namespace img2cad::ml {

struct AlignmentOptions {
    std::int64_t embedding = 256; ///< size of z_P and z_S
    std::int64_t vocabulary = 0;  ///< CAD token vocabulary (codebook codes of all levels)
    std::int64_t width = 256;     ///< CAD Transformer width
    std::int64_t heads = 8;
    std::int64_t layers = 4;
    std::int64_t maxTokens = 1024;
    double initialTemperature = 0.07;
};

class PointEncoderImpl : public torch::nn::Module {
public:
    explicit PointEncoderImpl(std::int64_t embedding);
    torch::Tensor forward(const torch::Tensor& points); ///< [B, N, 3] -> [B, embedding]

private:
    torch::nn::Sequential m_shared{nullptr};
    torch::nn::Sequential m_head{nullptr};
};
TORCH_MODULE(PointEncoder);

class CadSequenceEncoderImpl : public torch::nn::Module {
public:
    explicit CadSequenceEncoderImpl(const AlignmentOptions& options);
    /// tokens: [B, L] int64 in [0, vocabulary); padding: [B, L] true on padding (right-padded).
    /// Causal self-attention; z_S is read at each sequence's last token. -> [B, embedding]
    torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& padding);

private:
    AlignmentOptions m_options;
    torch::nn::Embedding m_tokens{nullptr}, m_positions{nullptr};
    TransformerStack m_transformer{nullptr};
    torch::nn::Linear m_head{nullptr};
};
TORCH_MODULE(CadSequenceEncoder);

class ContrastiveAlignerImpl : public torch::nn::Module {
public:
    explicit ContrastiveAlignerImpl(const AlignmentOptions& options);
    struct Output {
        torch::Tensor zPoints, zCad; ///< unit vectors [B, embedding]
    };
    Output forward(const torch::Tensor& points, const torch::Tensor& tokens,
                   const torch::Tensor& padding);
    /// Eq. 7, symmetric over both modalities.
    torch::Tensor loss(const Output& output) const;
    double temperature() const;

    PointEncoder points() const { return m_points; }
    CadSequenceEncoder cad() const { return m_cad; }

private:
    PointEncoder m_points{nullptr};
    CadSequenceEncoder m_cad{nullptr};
    torch::Tensor m_logTemperature;
};
TORCH_MODULE(ContrastiveAligner);

/// Share of rows of `queries` whose matching row of `keys` (same index) is among the `k` most
/// cosine-similar keys: the retrieval accuracy point cloud -> CAD.
double retrievalAccuracy(const torch::Tensor& queries, const torch::Tensor& keys, std::int64_t k);

} // namespace img2cad::ml
