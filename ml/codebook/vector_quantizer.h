// SPDX-License-Identifier: MIT
#pragma once
// The vector quantiser shared by the three VQ-VAEs (paper eq. 4): nearest-code lookup with the
// straight-through estimator, protected against codebook collapse by k-means initialisation on
// the first batch and by restarting codes no batch has used for a while. Reports code usage and
// perplexity.
//
// The codebook term ||sg[z_e] - z_q||^2 of eq. 4 is minimised in closed form by exponential
// moving averages of the encoder outputs each code receives (van den Oord et al.'s EMA variant,
// as HNC-CAD and SkexGen train theirs), not by the optimiser: with Adam a code moves about one
// learning rate per step whatever its error, the encoder outruns it, and the VQ loss climbs.
// The loss returned is then the commitment term 0.25 ||z_e - sg[z_q]||^2 alone.

#include <torch/torch.h>

namespace img2cad::ml {

struct VectorQuantizerOptions {
    std::int64_t codes = 512;
    std::int64_t dim = 256;
    double commitment = 0.25;
    /// A code unused for this many training batches is moved onto a random encoder output.
    std::int64_t restartAfterBatches = 100;
    int kmeansIterations = 10;
    double decay = 0.99; ///< EMA decay of the code statistics
};

class VectorQuantizerImpl : public torch::nn::Module {
public:
    explicit VectorQuantizerImpl(const VectorQuantizerOptions& options = {});

    struct Output {
        torch::Tensor quantized; ///< like z, codes with straight-through gradients to z
        torch::Tensor indices;   ///< z's shape without the last dimension, int64
        torch::Tensor loss;      ///< the commitment loss, a scalar
        double perplexity = 0.0; ///< exp(entropy) of this batch's code use
    };

    /// z: [..., dim]. In training mode the first call initialises the codebook by k-means on z,
    /// and every call updates the usage counters and restarts dead codes.
    Output forward(const torch::Tensor& z);

    /// The code vectors of `indices` ([...] -> [..., dim]).
    torch::Tensor lookup(const torch::Tensor& indices) const;

    /// Share of codes used at least once since the last `resetUsage()`.
    double usage() const;
    void resetUsage();
    /// Codes restarted since construction (a health signal for the trainer).
    std::int64_t restartedCodes() const { return m_restarted; }

    const VectorQuantizerOptions& options() const { return m_options; }

private:
    void initialiseByKMeans(const torch::Tensor& flat);
    void restartDeadCodes(const torch::Tensor& flat);
    void updateByMovingAverages(const torch::Tensor& flat, const torch::Tensor& indices,
                                const torch::Tensor& counts);

    VectorQuantizerOptions m_options;
    torch::Tensor m_codebook;       ///< buffer [codes, dim] = m_codeSums / smoothed sizes
    torch::Tensor m_codeSizes;      ///< buffer [codes]: EMA of the rows each code receives
    torch::Tensor m_codeSums;       ///< buffer [codes, dim]: EMA of their sum
    torch::Tensor m_initialised;    ///< buffer: 0 until k-means ran (saved with the weights)
    torch::Tensor m_idleBatches;    ///< buffer [codes]: batches since each code was last used
    torch::Tensor m_usedSinceReset; ///< buffer [codes]: used since resetUsage()
    std::int64_t m_restarted = 0;
};

TORCH_MODULE(VectorQuantizer);

} // namespace img2cad::ml
