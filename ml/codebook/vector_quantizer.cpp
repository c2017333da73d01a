// SPDX-License-Identifier: MIT
#include "ml/codebook/vector_quantizer.h"

#include "ml/error.h"

namespace img2cad::ml {
namespace {

/// Index of the nearest row of `codebook` for every row of `flat` (squared distances expanded
/// so that no [N, codes, dim] tensor is built).
torch::Tensor nearestCodes(const torch::Tensor& flat, const torch::Tensor& codebook) {
    const torch::Tensor distances = flat.pow(2).sum(1, true) - 2 * flat.matmul(codebook.t()) +
                                    codebook.pow(2).sum(1).unsqueeze(0);
    return distances.argmin(1);
}

} // namespace

VectorQuantizerImpl::VectorQuantizerImpl(const VectorQuantizerOptions& options)
    : m_options(options) {
    if (options.codes <= 0 || options.dim <= 0)
        throw Error("a vector quantiser needs a positive number of codes and dimensions");
    m_codebook =
        register_buffer("codebook", torch::empty({options.codes, options.dim})
                                        .uniform_(-1.0 / options.codes, 1.0 / options.codes));
    m_codeSizes = register_buffer("code_sizes", torch::ones({options.codes}));
    m_codeSums = register_buffer("code_sums", m_codebook.clone());
    m_initialised = register_buffer("initialised", torch::zeros({1}));
    m_idleBatches = register_buffer("idle_batches", torch::zeros({options.codes}, torch::kLong));
    m_usedSinceReset =
        register_buffer("used_since_reset", torch::zeros({options.codes}, torch::kBool));
}

void VectorQuantizerImpl::initialiseByKMeans(const torch::Tensor& flat) {
    // Lloyd's iterations from random data points: the codebook starts where the encoder's
    // outputs are, so no code is born dead (the usual cause of collapse).
    torch::NoGradGuard noGrad;
    const std::int64_t n = flat.size(0);
    torch::Tensor centres =
        flat.index_select(0, torch::randint(n, {m_options.codes}, torch::kLong).to(flat.device()))
            .clone();
    for (int iteration = 0; iteration < m_options.kmeansIterations; ++iteration) {
        const torch::Tensor assignment = nearestCodes(flat, centres);
        const torch::Tensor sums = torch::zeros_like(centres).index_add_(0, assignment, flat);
        const torch::Tensor counts =
            torch::bincount(assignment, {}, m_options.codes).to(flat.dtype()).unsqueeze(1);
        const torch::Tensor empty = counts.eq(0);
        centres = torch::where(empty, centres, sums / counts.clamp_min(1));
    }
    m_codebook.copy_(centres);
    m_codeSums.copy_(centres);
    m_codeSizes.fill_(1.0);
    m_initialised.fill_(1);
}

void VectorQuantizerImpl::restartDeadCodes(const torch::Tensor& flat) {
    torch::NoGradGuard noGrad;
    const torch::Tensor dead = m_idleBatches.ge(m_options.restartAfterBatches).nonzero().squeeze(1);
    const std::int64_t count = dead.size(0);
    if (count == 0) return;
    const torch::Tensor picks =
        torch::randint(flat.size(0), {count}, torch::kLong).to(flat.device());
    const torch::Tensor fresh = flat.index_select(0, picks).detach();
    m_codebook.index_copy_(0, dead, fresh);
    m_codeSums.index_copy_(0, dead, fresh);
    m_codeSizes.index_fill_(0, dead, 1.0);
    m_idleBatches.index_fill_(0, dead, 0);
    m_restarted += count;
}

void VectorQuantizerImpl::updateByMovingAverages(const torch::Tensor& flat,
                                                 const torch::Tensor& indices,
                                                 const torch::Tensor& counts) {
    torch::NoGradGuard noGrad;
    const double decay = m_options.decay;
    const torch::Tensor sums = torch::zeros_like(m_codeSums).index_add_(0, indices, flat.detach());
    m_codeSizes.mul_(decay).add_(counts.to(m_codeSizes.dtype()), 1.0 - decay);
    m_codeSums.mul_(decay).add_(sums, 1.0 - decay);
    // Laplace smoothing keeps a code that received nothing lately from dividing by zero.
    constexpr double kEpsilon = 1e-5;
    const torch::Tensor total = m_codeSizes.sum();
    const torch::Tensor sizes =
        (m_codeSizes + kEpsilon) / (total + double(m_options.codes) * kEpsilon) * total;
    m_codebook.copy_(m_codeSums / sizes.unsqueeze(1));
}

VectorQuantizerImpl::Output VectorQuantizerImpl::forward(const torch::Tensor& z) {
    if (z.dim() < 1 || z.size(-1) != m_options.dim)
        throw Error("vector quantiser: expected inputs of dimension " +
                    std::to_string(m_options.dim));
    const torch::Tensor flat = z.reshape({-1, m_options.dim});
    if (is_training() && m_initialised.item<float>() == 0.0f && flat.size(0) > 0)
        initialiseByKMeans(flat.detach());

    const torch::Tensor indices = nearestCodes(flat.detach(), m_codebook);
    const torch::Tensor chosen = m_codebook.index_select(0, indices);
    Output output;
    // The commitment term (0.25) keeps the encoder near its codes; the codes follow the encoder
    // by moving averages below.
    output.loss = m_options.commitment * torch::mse_loss(flat, chosen);
    output.quantized = (flat + (chosen - flat).detach()).reshape(z.sizes());
    std::vector<std::int64_t> indexShape(z.sizes().begin(), z.sizes().end() - 1);
    output.indices = indices.reshape(indexShape);

    const torch::Tensor counts = torch::bincount(indices, {}, m_options.codes);
    const torch::Tensor probabilities =
        counts.to(torch::kDouble) / std::max<std::int64_t>(1, flat.size(0));
    output.perplexity =
        torch::exp(-(probabilities * torch::log(probabilities.clamp_min(1e-12))).sum())
            .item<double>();
    if (is_training()) {
        torch::NoGradGuard noGrad;
        const torch::Tensor used = counts.gt(0);
        m_usedSinceReset.logical_or_(used);
        m_idleBatches.add_(1).masked_fill_(used, 0);
        updateByMovingAverages(flat, indices, counts);
        restartDeadCodes(flat);
    }
    return output;
}

torch::Tensor VectorQuantizerImpl::lookup(const torch::Tensor& indices) const {
    std::vector<std::int64_t> shape(indices.sizes().begin(), indices.sizes().end());
    shape.push_back(m_options.dim);
    return m_codebook.index_select(0, indices.reshape({-1})).reshape(shape);
}

double VectorQuantizerImpl::usage() const {
    return m_usedSinceReset.to(torch::kDouble).mean().item<double>();
}

void VectorQuantizerImpl::resetUsage() {
    m_usedSinceReset.fill_(false);
}

} // namespace img2cad::ml
