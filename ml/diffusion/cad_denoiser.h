// SPDX-License-Identifier: MIT
#pragma once
// The denoiser of the conditional VQ-Diffusion model (paper section 3.3, eq. 8-9): a Transformer
// over the corrupted CAD token sequence x_t that predicts p_theta(x_0 | x_t, c) at every
// position, with cross-attention to the condition c = z_P (the aligned point-cloud embedding),
// and the sampler that runs the reverse process from all-[MASK].
//
// Choices where the paper is silent:
//  - Sequences have a fixed length (`maxTokens`); after END every position holds END, so the
//    model generates the length too and nothing needs a padding mask.
//  - The condition vector becomes `conditionTokens` tokens of the model width (one linear map),
//    which the decoder layers cross-attend to. Condition dropout (`conditionDropout`) replaces
//    it by a learnt null condition, so the same model samples unconditionally and supports
//    classifier-free guidance: log p = log p_u + w (log p_c - log p_u), renormalised.
//  - The step t enters as a sinusoidal embedding through a small MLP, added to every token.
//  - `conditionNorm` (models from 2026-12-01 on): the condition tokens are layer-normalised and
//    their mean is also added to every position, as the step is. Without it a unit z_P (128
//    entries of about 0.09) through the condition map moves an untrained model's logits 70
//    times less than its tokens do, and the shipped denoiser learnt to lean on it little (3.6
//    points of masked-token accuracy against another part's condition; 5.4 with the norm, at
//    the same overall accuracy: docs/results.md). DiT's finding is alike: a condition added to
//    every position trains faster than cross-attention alone.
//  - Pre-norm layers (self-attention, cross-attention, feed-forward), as in VQ-Diffusion's
//    Transformer; post-norm diverged early in small-batch CPU runs of other stages.
//  - Loss (eq. 9): L_vlb, per masked token (1 / t) x cross-entropy (absorbing_diffusion.h), plus
//    lambda_aux x the unweighted cross-entropy of masked tokens. VQ-Diffusion uses 5e-4 with
//    its mask-and-replace KL; with the absorbing state alone both terms are the same
//    cross-entropy up to the 1 / t weight, and lambda_aux = 1 gives the large-t steps, which
//    decide a part's layout, a gradient of the same size as the small-t ones.

#include "ml/diffusion/absorbing_diffusion.h"
#include "ml/diffusion/token_grammar.h"

#include <torch/torch.h>

namespace img2cad::ml {

struct DenoiserOptions {
    std::int64_t vocabulary = 0;  ///< CAD tokens (END included); [MASK] is one more
    std::int64_t maxTokens = 128; ///< fixed sequence length L
    std::int64_t conditionDim = 128;
    std::int64_t conditionTokens = 4;
    std::int64_t width = 256;
    std::int64_t heads = 8;
    std::int64_t layers = 6;
    double dropout = 0.1;
    double conditionDropout = 0.1;
    bool conditionNorm = true;    ///< see above; false in model.json files that predate it
    double auxiliaryWeight = 1.0; ///< lambda_aux of eq. 9
    std::int64_t diffusionSteps = 100;
};

struct SamplingOptions {
    std::int64_t steps = 100; ///< reverse steps (< T: the fast sampler)
    double guidance = 1.0;    ///< classifier-free guidance scale w (1 = none)
    double truncation = 1.0;  ///< keep tokens up to this cumulative probability (1 = all)
    std::uint64_t seed = 0;
    /// When defined, draws keep the token grammar (ml/diffusion/token_grammar.h).
    TokenLayout layout;
    /// Once a sequence holds an END, the positions after it can only be END (training sequences
    /// are END-filled, the grammar would force them and the decoder cuts there anyway): they are
    /// no longer computed, the passes run over the batch's prefix up to its last first END plus
    /// `endTail`. An approximation, since the model was trained at full length; measured
    /// (docs/reconstruction.md): 2-2.6x faster reverse diffusion at the shipped 384 tokens.
    /// false: every pass at full length.
    bool cutAfterEnd = true;
    /// Positions kept after a sequence's first END while the passes are cut: left masked and
    /// revealed as END at the schedule's rate, so the model sees the END tail it was trained on,
    /// a share of it revealed that matches the step. Without it (0: every position after the
    /// first END revealed as END at once and dropped) best-of-8 CD from clouds was 0.6 worse on
    /// the 100 held-out parts (two seeds); 32 revealed ENDs instead of a masked tail made 5-10 %
    /// of the candidates invalid (docs/results.md, "A masked END tail after the cut").
    std::int64_t endTail = 32;
};

class DenoiserLayerImpl : public torch::nn::Module {
public:
    DenoiserLayerImpl(std::int64_t width, std::int64_t heads, double dropout);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& condition);

private:
    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr}, m_norm3{nullptr};
    torch::nn::MultiheadAttention m_self{nullptr}, m_cross{nullptr};
    torch::nn::Sequential m_feedForward{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
};
TORCH_MODULE(DenoiserLayer);

class CadDenoiserImpl : public torch::nn::Module {
public:
    explicit CadDenoiserImpl(const DenoiserOptions& options);

    std::int64_t maskToken() const { return m_options.vocabulary; }
    /// The vocabulary's last token, which training sequences are filled with after their end.
    std::int64_t endToken() const { return m_options.vocabulary - 1; }
    const DenoiserOptions& options() const { return m_options; }
    const DiffusionSchedule& schedule() const { return m_schedule; }

    /// Logits of p_theta(x_0 | x_t, c): [B, L, vocabulary]. xt: [B, L] int64 (tokens or [MASK]),
    /// t: [B] int64 in 1..T, condition: [B, conditionDim], or undefined for the null condition;
    /// `dropCondition` [B] bool (training) replaces chosen rows by the null condition.
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t,
                          const torch::Tensor& condition, const torch::Tensor& dropCondition = {});

    struct Losses {
        torch::Tensor total, vlb, auxiliary;
        double maskedShare = 0.0; ///< masked tokens / all tokens in the batch
    };
    /// Eq. 9 on a batch of clean sequences x0 [B, L] with conditions [B, conditionDim]: a step t
    /// per sequence, uniform in 1..T, and condition dropout (training mode only).
    Losses loss(const torch::Tensor& x0, const torch::Tensor& condition);

    /// `count` sequences [count, L] sampled from all-[MASK] for one condition ([conditionDim],
    /// or undefined: unconditional), repeatable for a seed.
    torch::Tensor sample(const torch::Tensor& condition, std::int64_t count,
                         const SamplingOptions& options);
    /// `count` sequences [count, L] from the reverse process started at step `startStep`
    /// (1..T) instead of T: each row starts as `start` ([L] tokens) with a share startStep / T
    /// of them masked, drawn as the forward process would (corrupt), and the fast sampler's
    /// steps below it reveal them again under the condition. Keeps most of `start` and redraws
    /// the rest as the condition asks: SDEdit's edit-by-renoising, for absorbing diffusion.
    /// startStep = T is `sample`.
    torch::Tensor resample(const torch::Tensor& condition, const torch::Tensor& start,
                           std::int64_t startStep, std::int64_t count,
                           const SamplingOptions& options);

private:
    /// The final, normalised hidden states [B, L, width] that the output head reads.
    torch::Tensor hidden(const torch::Tensor& xt, const torch::Tensor& t,
                         const torch::Tensor& condition, const torch::Tensor& dropCondition = {});
    torch::Tensor conditionTokens(const torch::Tensor& condition, std::int64_t batch,
                                  const torch::Tensor& dropCondition);
    torch::Tensor timeEmbedding(const torch::Tensor& t);

    DenoiserOptions m_options;
    DiffusionSchedule m_schedule;
    torch::nn::Embedding m_tokens{nullptr}, m_positions{nullptr};
    torch::nn::Sequential m_time{nullptr};
    torch::nn::Linear m_conditionMap{nullptr};
    torch::nn::LayerNorm m_conditionNorm{nullptr}; ///< only with options.conditionNorm
    torch::Tensor m_nullCondition;                 ///< [conditionTokens, width]
    torch::nn::ModuleList m_layers{nullptr};
    torch::nn::LayerNorm m_finalNorm{nullptr};
    torch::nn::Linear m_head{nullptr};
};
TORCH_MODULE(CadDenoiser);

/// A token sequence at the denoiser's fixed length: cut after END, or END-filled to `length`.
/// Throws ml::Error when the sequence (END included) is longer than `length`.
std::vector<std::int64_t> toFixedLength(std::vector<std::int64_t> tokens, std::int64_t endToken,
                                        std::int64_t length);

} // namespace img2cad::ml
