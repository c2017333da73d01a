// SPDX-License-Identifier: MIT
#include "cad/metrics/chamfer.h"

#include "cad/error.h"

#include <cmath>
#include <limits>

namespace img2cad::cad {
namespace {

/// Brute force: the point sets of the metrics are small, and exactness matters more than
/// asymptotics here.
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

} // namespace img2cad::cad
