// SPDX-License-Identifier: MIT
#include "cad/metrics/chamfer.h"

#include "cad/error.h"

#include <cmath>
#include <limits>

namespace img2cad::cad {
namespace {

/// Brute force: the point sets of the metrics are small, and exactness matters more than
/// asymptotics here. (A branch-free min, which the compiler vectorises; nearestPoints below
/// needs the index and pays for the branch.)
double meanNearest(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to) {
    double sum = 0.0;
    for (const Vec3f& p : from) {
        float best = std::numeric_limits<float>::max();
        for (const Vec3f& q : to) {
            const float dx = p.x - q.x, dy = p.y - q.y, dz = p.z - q.z;
            best = std::min(best, dx * dx + dy * dy + dz * dz);
        }
        sum += std::sqrt(double(best));
    }
    return sum / double(from.size());
}

} // namespace

double chamferDistance(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b) {
    if (a.empty() || b.empty()) throw Error("Chamfer distance of an empty point set");
    return 0.5 * (meanNearest(a, b) + meanNearest(b, a));
}

double meanNearestDistance(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to) {
    if (from.empty() || to.empty()) throw Error("nearest-point distance of an empty point set");
    return meanNearest(from, to);
}

std::vector<std::size_t> nearestPoints(const std::vector<Vec3f>& from,
                                       const std::vector<Vec3f>& to) {
    if (from.empty() || to.empty()) throw Error("nearest points of an empty point set");
    std::vector<std::size_t> indices;
    indices.reserve(from.size());
    for (const Vec3f& p : from) {
        float best = std::numeric_limits<float>::max();
        std::size_t index = 0;
        for (std::size_t j = 0; j < to.size(); ++j) {
            const float dx = p.x - to[j].x, dy = p.y - to[j].y, dz = p.z - to[j].z;
            const float d = dx * dx + dy * dy + dz * dz;
            if (d < best) best = d, index = j;
        }
        indices.push_back(index);
    }
    return indices;
}

} // namespace img2cad::cad
