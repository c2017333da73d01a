// SPDX-License-Identifier: MIT
#include "cad/metrics/edge_saliency.h"

#include "cad/error.h"

#include <cmath>
#include <limits>

namespace img2cad::cad {
namespace {

/// Squared distance from p to the segment ab.
float segmentDistance2(const Vec3f& p, const Vec3f& a, const Vec3f& b) {
    const float abx = b.x - a.x, aby = b.y - a.y, abz = b.z - a.z;
    const float apx = p.x - a.x, apy = p.y - a.y, apz = p.z - a.z;
    const float length2 = abx * abx + aby * aby + abz * abz;
    float t = length2 > 0.0f ? (apx * abx + apy * aby + apz * abz) / length2 : 0.0f;
    t = std::fmin(1.0f, std::fmax(0.0f, t));
    const float dx = apx - t * abx, dy = apy - t * aby, dz = apz - t * abz;
    return dx * dx + dy * dy + dz * dz;
}

} // namespace

std::vector<float> edgeSaliency(const std::vector<Vec3f>& points,
                                const std::vector<std::vector<Vec3f>>& edges, double sigma) {
    if (!(sigma > 0.0)) throw Error("edge saliency needs a positive sigma");
    std::vector<float> saliency(points.size(), 0.0f);
    for (std::size_t i = 0; i < points.size(); ++i) {
        float best = std::numeric_limits<float>::max();
        for (const auto& polyline : edges) {
            for (std::size_t s = 0; s + 1 < polyline.size(); ++s)
                best = std::fmin(best, segmentDistance2(points[i], polyline[s], polyline[s + 1]));
            if (polyline.size() == 1)
                best = std::fmin(best, segmentDistance2(points[i], polyline[0], polyline[0]));
        }
        if (best < std::numeric_limits<float>::max())
            saliency[i] = float(std::exp(-double(best) / (sigma * sigma)));
    }
    return saliency;
}

} // namespace img2cad::cad
