// SPDX-License-Identifier: MIT
#include "retrieval_index.h"

#include "cad/metrics/chamfer.h"
#include "ml/align/align_trainer.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/point_tensor.h"
#include "ml/training/model_folder.h"

#include <limits>

namespace img2cad::app {
namespace fs = std::filesystem;

struct RetrievalIndex::Aligner {
    ml::ContrastiveAligner network{nullptr};
    std::int64_t points = 0; ///< the cloud size it was trained on
};

RetrievalIndex::RetrievalIndex(const fs::path& data, const fs::path& alignFolder) {
    if (!alignFolder.empty()) {
        m_aligner = std::make_unique<Aligner>();
        m_aligner->network = ml::loadAligner(alignFolder);
        m_aligner->points = ml::readModelManifest(alignFolder, "align").at("training").at("points");
    }
    std::vector<torch::Tensor> embeddings, batch;
    const auto flush = [&] {
        if (batch.empty()) return;
        embeddings.push_back(embed(torch::stack(batch)));
        batch.clear();
    };
    ml::forEachSample(
        data,
        [&](ml::Sample& sample) {
            if (sample.split != ml::Split::Train || sample.programJson.empty()) return true;
            // Dataset clouds are uniform random draws: a prefix is a uniform subsample.
            const std::vector<cad::Vec3f>& cloud = sample.points.positions;
            m_clouds.emplace_back(cloud.begin(),
                                  cloud.begin() + long(std::min(kCloudPoints, cloud.size())));
            m_programs.push_back(std::move(sample.programJson));
            if (!m_aligner) return true;
            if (std::int64_t(cloud.size()) < m_aligner->points)
                throw ml::Error("the retrieval data's clouds have fewer points than the aligner "
                                "reads");
            batch.push_back(ml::pointsTensor(cloud).narrow(0, 0, m_aligner->points));
            if (batch.size() == 64) flush();
            return true;
        },
        ml::SampleFields::WithoutViews);
    flush();
    if (m_programs.empty()) throw ml::Error("the dataset has no training parts to retrieve from");
    if (m_aligner) m_embeddings = torch::cat(embeddings);
}

RetrievalIndex::~RetrievalIndex() = default;

torch::Tensor RetrievalIndex::embed(const torch::Tensor& clouds) const {
    torch::NoGradGuard noGrad;
    return torch::nn::functional::normalize(m_aligner->network->points()->forward(clouds),
                                            torch::nn::functional::NormalizeFuncOptions().dim(1));
}

std::size_t RetrievalIndex::nearestByCloud(const std::vector<cad::Vec3f>& query) const {
    std::size_t nearest = 0;
    double nearestCd = std::numeric_limits<double>::max();
    for (std::size_t i = 0; i < m_clouds.size(); ++i) {
        const double cd = cad::chamferDistance(query, m_clouds[i]);
        if (cd < nearestCd) nearestCd = cd, nearest = i;
    }
    return nearest;
}

std::size_t RetrievalIndex::nearestByEmbedding(const std::vector<cad::Vec3f>& refined) const {
    if (!m_aligner) throw ml::Error("this retrieval index has no aligner");
    const torch::Tensor z = embed(ml::pointsTensor(refined).unsqueeze(0));
    return std::size_t(m_embeddings.matmul(z[0]).argmax().item<std::int64_t>());
}

} // namespace img2cad::app
