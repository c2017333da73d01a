// SPDX-License-Identifier: MIT
#pragma once
// Image -> coarse point cloud P_raw (paper section 3.2). The paper lifts with Dens3R, which
// cannot be downloaded here; this project trains its own lifter on its renders and keeps the
// paper's adaptation idea: a ViT encoder whose Q and V projections carry LoRA adapters, frozen
// after base training, with only the adapters fine-tuned on users' captures.
//
// Decoder (our choice): learnt point queries cross-attend to the image tokens (a Transformer
// decoder), and each query emits a small patch of points, so the cloud is `queries x
// pointsPerQuery` points in the normalised frame of the part (longest side 1, centred).

#include "ml/lift/vit_encoder.h"

#include <torch/torch.h>

#include <filesystem>

namespace img2cad::ml {

struct LiftingOptions {
    VitOptions vit;
    std::int64_t decoderLayers = 2;
    std::int64_t queries = 128;
    std::int64_t pointsPerQuery = 16; ///< 128 x 16 = 2,048 points
};

class LiftingNetworkImpl : public torch::nn::Module {
public:
    explicit LiftingNetworkImpl(const LiftingOptions& options);

    /// images: [B, 3, S, S] (imageTensor of lift_data.h, stacked); returns points
    /// [B, queries x perQuery, 3].
    torch::Tensor forward(const torch::Tensor& images);

    /// The encoder's view of images [B, 3, S, S] as one vector each, [B, width]: the mean of its
    /// output tokens (class and patches). What ablation Model 3 conditions the diffusion on in
    /// place of z_P (the image features without the point bridge).
    torch::Tensor imageFeatures(const torch::Tensor& images);

    /// Freezes everything but the LoRA adapters (true), or trains everything (false).
    void setAdaptersOnly(bool adaptersOnly);
    std::vector<torch::Tensor> adapterParameters() const { return m_encoder->adapterParameters(); }
    /// The adapters alone (A and B of every Q and V projection), atomically; throws ml::Error.
    void saveAdapters(const std::filesystem::path& path);
    void loadAdapters(const std::filesystem::path& path);

    const LiftingOptions& options() const { return m_options; }

private:
    LiftingOptions m_options;
    VitEncoder m_encoder{nullptr};
    torch::Tensor m_queries;
    torch::nn::TransformerDecoder m_decoder{nullptr};
    torch::nn::Linear m_toPoints{nullptr};
};
TORCH_MODULE(LiftingNetwork);

/// The symmetric Chamfer loss of the lifting training: per cloud, the mean squared distance
/// from each predicted point to the nearest target point plus the reverse, averaged over the
/// batch. predicted [B, N, 3], target [B, M, 3].
torch::Tensor chamferLoss(const torch::Tensor& predicted, const torch::Tensor& target);

} // namespace img2cad::ml
