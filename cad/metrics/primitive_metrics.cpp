// SPDX-License-Identifier: MIT
#include "cad/metrics/primitive_metrics.h"

#include "cad/error.h"
#include "cad/metrics/chamfer.h"

#include <map>

namespace img2cad::cad {
namespace {

void requireLabels(const PointCloud& cloud, const char* what, bool faces) {
    if (cloud.empty()) throw Error(std::string("the ") + what + " cloud is empty");
    if (cloud.primitives.size() != cloud.size() ||
        (faces && cloud.faceIndices.size() != cloud.size()))
        throw Error(std::string("the ") + what +
                    " cloud has no per-point primitive labels (sample it from a BRep)");
}

struct Face {
    PrimitiveType type;
    std::vector<Vec3f> points;
};

std::vector<Face> facesOf(const PointCloud& cloud) {
    std::map<std::int32_t, Face> byIndex;
    for (std::size_t i = 0; i < cloud.size(); ++i) {
        auto [it, added] = byIndex.try_emplace(cloud.faceIndices[i], Face{cloud.primitives[i], {}});
        it->second.points.push_back(cloud.positions[i]);
    }
    std::vector<Face> faces;
    for (auto& [index, face] : byIndex)
        faces.push_back(std::move(face));
    return faces;
}

} // namespace

double segmentationAccuracy(const PointCloud& reconstructed, const PointCloud& truth) {
    requireLabels(reconstructed, "reconstructed", false);
    requireLabels(truth, "truth", false);
    const std::vector<std::size_t> nearest =
        nearestPoints(truth.positions, reconstructed.positions);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < truth.size(); ++i)
        agree += reconstructed.primitives[nearest[i]] == truth.primitives[i];
    return double(agree) / double(truth.size());
}

PrimitiveMatch matchPrimitives(const PointCloud& generated, const PointCloud& truth,
                               double threshold) {
    requireLabels(generated, "generated", true);
    requireLabels(truth, "truth", true);
    const std::vector<Face> ours = facesOf(generated), theirs = facesOf(truth);
    std::vector<bool> oursMatched(ours.size()), theirsMatched(theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i)
        for (std::size_t j = 0; j < theirs.size(); ++j)
            if (ours[i].type == theirs[j].type &&
                chamferDistance(ours[i].points, theirs[j].points) < threshold)
                oursMatched[i] = theirsMatched[j] = true;
    const auto share = [](const std::vector<bool>& matched) {
        std::size_t n = 0;
        for (bool m : matched)
            n += m;
        return double(n) / double(matched.size());
    };
    return {share(oursMatched), share(theirsMatched), int(ours.size()), int(theirs.size())};
}

} // namespace img2cad::cad
