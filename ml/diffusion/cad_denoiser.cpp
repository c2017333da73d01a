// SPDX-License-Identifier: MIT
#include "ml/diffusion/cad_denoiser.h"

#include "ml/error.h"

#include <cmath>

namespace img2cad::ml {

DenoiserLayerImpl::DenoiserLayerImpl(std::int64_t width, std::int64_t heads, double dropout) {
    const auto attention = [&] {
        return torch::nn::MultiheadAttention(
            torch::nn::MultiheadAttentionOptions(width, heads).dropout(dropout));
    };
    m_norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    m_norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    m_norm3 = register_module("norm3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    m_self = register_module("self_attn", attention());
    m_cross = register_module("cross_attn", attention());
    m_feedForward = register_module(
        "feed_forward",
        torch::nn::Sequential(torch::nn::Linear(width, 4 * width), torch::nn::GELU(),
                              torch::nn::Dropout(dropout), torch::nn::Linear(4 * width, width)));
    m_dropout = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor DenoiserLayerImpl::forward(torch::Tensor x, const torch::Tensor& condition) {
    // LibTorch's attention is sequence-first: [L, B, W].
    torch::Tensor h = m_norm1->forward(x).transpose(0, 1);
    x = x + m_dropout->forward(std::get<0>(m_self->forward(h, h, h, {}, false)).transpose(0, 1));
    h = m_norm2->forward(x).transpose(0, 1);
    const torch::Tensor c = condition.transpose(0, 1);
    x = x + m_dropout->forward(std::get<0>(m_cross->forward(h, c, c, {}, false)).transpose(0, 1));
    return x + m_dropout->forward(m_feedForward->forward(m_norm3->forward(x)));
}

CadDenoiserImpl::CadDenoiserImpl(const DenoiserOptions& o)
    : m_options(o), m_schedule{o.diffusionSteps} {
    if (o.vocabulary < 2 || o.maxTokens < 1 || o.conditionDim < 1 || o.conditionTokens < 1 ||
        o.width % o.heads != 0 || o.layers < 1 || o.diffusionSteps < 1)
        throw Error("denoiser options out of range (the width must be a multiple of the heads)");
    m_tokens = register_module("tokens", torch::nn::Embedding(o.vocabulary + 1, o.width));
    m_positions = register_module("positions", torch::nn::Embedding(o.maxTokens, o.width));
    m_time = register_module("time", torch::nn::Sequential(torch::nn::Linear(o.width, o.width),
                                                           torch::nn::GELU(),
                                                           torch::nn::Linear(o.width, o.width)));
    m_conditionMap = register_module(
        "condition_map", torch::nn::Linear(o.conditionDim, o.conditionTokens * o.width));
    m_nullCondition =
        register_parameter("null_condition", 0.02 * torch::randn({o.conditionTokens, o.width}));
    if (o.conditionNorm)
        m_conditionNorm = register_module(
            "condition_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
    m_layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t l = 0; l < o.layers; ++l)
        m_layers->push_back(DenoiserLayer(o.width, o.heads, o.dropout));
    m_finalNorm =
        register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
    m_head = register_module("head", torch::nn::Linear(o.width, o.vocabulary));
}

torch::Tensor CadDenoiserImpl::timeEmbedding(const torch::Tensor& t) {
    const std::int64_t half = m_options.width / 2;
    const torch::Tensor frequencies =
        torch::exp(-std::log(10000.0) *
                   torch::arange(half, torch::TensorOptions().device(t.device())) / double(half));
    const torch::Tensor angles = t.to(torch::kFloat).unsqueeze(1) * frequencies.unsqueeze(0);
    torch::Tensor embedding = torch::cat({torch::sin(angles), torch::cos(angles)}, 1);
    if (embedding.size(1) < m_options.width)
        embedding = torch::nn::functional::pad(
            embedding, torch::nn::functional::PadFuncOptions({0, m_options.width - 2 * half}));
    return m_time->forward(embedding);
}

torch::Tensor CadDenoiserImpl::conditionTokens(const torch::Tensor& condition, std::int64_t batch,
                                               const torch::Tensor& dropCondition) {
    torch::Tensor null =
        m_nullCondition.unsqueeze(0).expand({batch, m_options.conditionTokens, m_options.width});
    if (m_options.conditionNorm) null = m_conditionNorm->forward(null);
    if (!condition.defined()) return null;
    if (condition.dim() != 2 || condition.size(0) != batch ||
        condition.size(1) != m_options.conditionDim)
        throw Error("denoiser: the condition must be [batch, " +
                    std::to_string(m_options.conditionDim) + "]");
    torch::Tensor tokens = m_conditionMap->forward(condition).view(
        {batch, m_options.conditionTokens, m_options.width});
    if (m_options.conditionNorm) tokens = m_conditionNorm->forward(tokens);
    if (dropCondition.defined())
        tokens = torch::where(dropCondition.view({batch, 1, 1}), null, tokens);
    return tokens;
}

torch::Tensor CadDenoiserImpl::forward(const torch::Tensor& xt, const torch::Tensor& t,
                                       const torch::Tensor& condition,
                                       const torch::Tensor& dropCondition) {
    return m_head->forward(hidden(xt, t, condition, dropCondition));
}

torch::Tensor CadDenoiserImpl::hidden(const torch::Tensor& xt, const torch::Tensor& t,
                                      const torch::Tensor& condition,
                                      const torch::Tensor& dropCondition) {
    if (xt.dim() != 2 || xt.size(1) > m_options.maxTokens || t.dim() != 1 ||
        t.size(0) != xt.size(0))
        throw Error("denoiser: x_t must be [batch, length <= " +
                    std::to_string(m_options.maxTokens) + "] and t [batch]");
    const std::int64_t batch = xt.size(0);
    const torch::Tensor positions =
        torch::arange(xt.size(1), torch::TensorOptions().dtype(torch::kLong).device(xt.device()));
    torch::Tensor h = m_tokens->forward(xt) + m_positions->forward(positions).unsqueeze(0) +
                      timeEmbedding(t).unsqueeze(1);
    const torch::Tensor c = conditionTokens(condition, batch, dropCondition);
    if (m_options.conditionNorm) h = h + c.mean(1, true);
    for (const auto& layer : *m_layers)
        h = layer->as<DenoiserLayerImpl>()->forward(h, c);
    return m_finalNorm->forward(h);
}

CadDenoiserImpl::Losses CadDenoiserImpl::loss(const torch::Tensor& x0,
                                              const torch::Tensor& condition) {
    const std::int64_t batch = x0.size(0), length = x0.size(1);
    const torch::Device device = x0.device();
    const torch::Tensor t = torch::randint(1, m_schedule.steps + 1, {batch}, torch::kLong);
    const torch::Tensor xt = corrupt(x0.cpu(), t, maskToken(), m_schedule).to(device);
    const torch::Tensor masked = xt.eq(maskToken()).to(torch::kFloat);
    torch::Tensor drop;
    if (is_training() && m_options.conditionDropout > 0.0)
        drop = (torch::rand({batch}) < m_options.conditionDropout).to(device);
    const torch::Tensor logits = forward(xt, t.to(device), condition, drop);
    const torch::Tensor ce =
        torch::nn::functional::cross_entropy(
            logits.reshape({-1, m_options.vocabulary}), x0.reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
            .view({batch, length});
    const torch::Tensor weight = (1.0 / t.to(torch::kFloat)).to(device).unsqueeze(1);
    Losses losses;
    losses.vlb = (ce * masked * weight).sum() / double(batch * length);
    losses.auxiliary = (ce * masked).sum() / masked.sum().clamp_min(1.0);
    losses.total = losses.vlb + m_options.auxiliaryWeight * losses.auxiliary;
    losses.maskedShare = masked.mean().item<double>();
    return losses;
}

namespace {

/// Which positions of `x` [B, L] are at or after their row's first END.
torch::Tensor atOrAfterFirstEnd(const torch::Tensor& x, std::int64_t end) {
    return x.eq(end).cumsum(1).gt(0);
}

/// Sets every drawn position of `x` [B, L] after its row's first END to END (masked ones stay
/// masked when `tail` > 0, to be revealed as END at the schedule's rate), and returns the length
/// of the prefix that still matters: the last row's first END + 1 + `tail`, or L while a row has
/// none.
std::int64_t settleAfterFirstEnd(torch::Tensor x, std::int64_t end, std::int64_t mask,
                                 std::int64_t tail) {
    const torch::Tensor after = atOrAfterFirstEnd(x, end);
    x.masked_fill_(tail > 0 ? after & x.ne(mask) : after, end);
    const torch::Tensor endCount = after.sum(1); // L - first END, or 0 without one
    if (!endCount.gt(0).all().item<bool>()) return x.size(1);
    return std::min(x.size(1), x.size(1) - endCount.min().item<std::int64_t>() + 1 + tail);
}

} // namespace

torch::Tensor CadDenoiserImpl::sample(const torch::Tensor& condition, std::int64_t count,
                                      const SamplingOptions& options) {
    if (count < 1) throw Error("denoiser: sample at least one sequence");
    const torch::Tensor start =
        torch::full({m_options.maxTokens}, maskToken(), torch::TensorOptions().dtype(torch::kLong));
    return resample(condition, start, m_schedule.steps, count, options);
}

torch::Tensor CadDenoiserImpl::resample(const torch::Tensor& condition, const torch::Tensor& start,
                                        std::int64_t startStep, std::int64_t count,
                                        const SamplingOptions& options) {
    if (count < 1) throw Error("denoiser: sample at least one sequence");
    if (start.dim() != 1 || start.size(0) != m_options.maxTokens)
        throw Error("denoiser: a start sequence must hold " + std::to_string(m_options.maxTokens) +
                    " tokens");
    if (startStep < 1 || startStep > m_schedule.steps)
        throw Error("denoiser: the start step must be between 1 and " +
                    std::to_string(m_schedule.steps));
    const bool wasTraining = is_training();
    eval();
    torch::NoGradGuard noGrad;
    const torch::Device device = m_head->weight.device();
    at::Generator generator = at::detail::createCPUGenerator(options.seed);
    torch::Tensor conditions;
    if (condition.defined()) conditions = condition.reshape({1, -1}).to(device).expand({count, -1});
    // x_t0 drawn from q(x_t0 | start): each row masks its own share t0 / T of the start's tokens.
    torch::Tensor x = startStep == m_schedule.steps
                          ? torch::full({count, m_options.maxTokens}, maskToken(),
                                        torch::TensorOptions().dtype(torch::kLong))
                          : corrupt(start.to(torch::kLong).reshape({1, -1}).expand({count, -1}),
                                    torch::full({count}, startStep, torch::kLong), maskToken(),
                                    m_schedule, generator);
    x = x.to(device).contiguous();
    // The fast sampler's steps at or below t0, from t0.
    std::vector<std::int64_t> steps{startStep};
    for (std::int64_t t : m_schedule.samplingSteps(options.steps))
        if (t < startStep) steps.push_back(t);
    // x[:, live:] lies after every row's first END (END, or masked until the loop ends); the
    // passes read x[:, :live] (see cutAfterEnd and endTail).
    std::int64_t live = m_options.maxTokens;
    if (options.cutAfterEnd && startStep < m_schedule.steps)
        live = settleAfterFirstEnd(x, endToken(), maskToken(), options.endTail);
    for (std::size_t k = 0; k + 1 < steps.size(); ++k) {
        const std::int64_t t = steps[k], s = steps[k + 1];
        const torch::Tensor head = x.narrow(1, 0, live); // a view: draws land in x
        // Which masked tokens this step reveals is decided first: only they need the output
        // head, the softmax over the vocabulary and a draw, which over a long END-filled
        // sequence cost as much as the Transformer itself.
        torch::Tensor reveal =
            head.eq(maskToken()) &
            (torch::rand({count, live}, generator).to(device) < m_schedule.revealProbability(t, s));
        if (options.cutAfterEnd) {
            // Masked positions after a row's first END can only become END: no model needed.
            const torch::Tensor tail = reveal & atOrAfterFirstEnd(head, endToken());
            head.masked_fill_(tail, endToken());
            reveal = reveal & ~tail;
        }
        if (!reveal.any().item<bool>()) continue;
        const torch::Tensor tt =
            torch::full({count}, t, torch::TensorOptions().dtype(torch::kLong).device(device));
        // Logits in float32 whatever autocast computed them in: the draw needs exact shares.
        const auto logProbabilities = [&](const torch::Tensor& c) {
            return torch::log_softmax(
                m_head->forward(hidden(head, tt, c).index({reveal})).to(torch::kFloat), -1);
        };
        torch::Tensor logp = logProbabilities(conditions);
        if (conditions.defined() && options.guidance != 1.0) {
            const torch::Tensor unconditional = logProbabilities({});
            logp =
                torch::log_softmax(unconditional + options.guidance * (logp - unconditional), -1);
        }
        torch::Tensor probabilities = logp.exp();
        if (options.layout.defined())
            probabilities = constrainToLayout(probabilities.cpu(), head.cpu(), reveal.nonzero(),
                                              maskToken(), options.layout)
                                .to(device);
        probabilities = probabilities / probabilities.sum(-1, true); // truncation needs shares
        if (options.truncation < 1.0) {
            // Keep the most probable tokens up to the cumulative share `truncation` (VQ-Diffusion's
            // "top-r"), always the best one.
            const auto [sorted, order] = probabilities.sort(-1, true);
            const torch::Tensor before = sorted.cumsum(-1) - sorted;
            const torch::Tensor keepSorted = before < options.truncation;
            const torch::Tensor keep = torch::zeros_like(keepSorted).scatter(-1, order, keepSorted);
            probabilities = probabilities * keep.to(probabilities.dtype());
        }
        const torch::Tensor drawn =
            torch::multinomial(probabilities.cpu(), 1, false, generator).view({-1}).to(device);
        head.index_put_({reveal}, drawn);
        if (options.cutAfterEnd)
            live = settleAfterFirstEnd(head, endToken(), maskToken(), options.endTail);
    }
    // Positions dropped from the passes may still be masked: they are after an END.
    if (options.cutAfterEnd) x.masked_fill_(atOrAfterFirstEnd(x, endToken()), endToken());
    train(wasTraining);
    return x;
}

std::vector<std::int64_t> toFixedLength(std::vector<std::int64_t> tokens, std::int64_t endToken,
                                        std::int64_t length) {
    const auto end = std::find(tokens.begin(), tokens.end(), endToken);
    if (end == tokens.end())
        tokens.push_back(endToken);
    else
        tokens.erase(end + 1, tokens.end());
    if (std::int64_t(tokens.size()) > length)
        throw Error("a sequence of " + std::to_string(tokens.size()) +
                    " tokens does not fit the denoiser's " + std::to_string(length));
    tokens.resize(std::size_t(length), endToken);
    return tokens;
}

} // namespace img2cad::ml
