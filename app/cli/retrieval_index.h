// SPDX-License-Identifier: MIT
#pragma once
// The retrieval baselines of `img2cadseq eval`: return the training part nearest to the query,
// either by the Chamfer distance between clouds (the input cloud, or a photo's lifted P_raw),
// or as the issue words it, by z_P: the aligner's point embedding of P_ref against those of
// the training parts' clouds (cosine similarity). A model that beats them generalises beyond
// copying its training set.

#include "cad/geometry/vec.h"

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace img2cad::app {

class RetrievalIndex {
public:
    /// Points per training part for the CD search: enough to tell parts apart, few enough that
    /// thousands of exact CDs per query stay under a second.
    static constexpr std::size_t kCloudPoints = 256;

    /// The training split of `data` (unit-cube clouds and programs), embedded by the aligner in
    /// `alignFolder` (empty: no z_P search). Throws ml::Error when there is no training part.
    RetrievalIndex(const std::filesystem::path& data, const std::filesystem::path& alignFolder);
    ~RetrievalIndex();

    /// Index of the training part whose cloud is nearest to `query` (kCloudPoints, unit cube).
    std::size_t nearestByCloud(const std::vector<cad::Vec3f>& query) const;
    /// Index of the training part whose z_P is nearest to that of `refined` (P_ref, unit cube).
    std::size_t nearestByEmbedding(const std::vector<cad::Vec3f>& refined) const;
    bool hasEmbeddings() const { return m_embeddings.defined(); }

    const std::string& programJson(std::size_t part) const { return m_programs[part]; }

private:
    torch::Tensor embed(const torch::Tensor& clouds) const; ///< [N, P, 3] -> unit [N, E]

    std::vector<std::vector<cad::Vec3f>> m_clouds;
    std::vector<std::string> m_programs;
    struct Aligner;
    std::unique_ptr<Aligner> m_aligner;
    torch::Tensor m_embeddings; ///< [parts, E], unit rows
};

} // namespace img2cad::app
