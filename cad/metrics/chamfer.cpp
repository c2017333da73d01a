// SPDX-License-Identifier: MIT
#include "cad/metrics/chamfer.h"

#include "cad/error.h"
#include "cad/internal/nearest_squared.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace img2cad::cad {
namespace {

bool allFinite(const std::vector<Vec3f>& points) {
    return std::all_of(points.begin(), points.end(), [](const Vec3f& p) {
        return std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z);
    });
}

/// Sum over `from` of the distance to the nearest point of `to`, or, once the running sum
/// passes `stop`, that partial sum (it only grows). Brute force: the point sets of the metrics
/// are small, and exactness matters more than asymptotics here. Finite sets take the vector
/// kernel (cad/internal/nearest_squared.h); a set with a NaN or an infinity the plain loop, as
/// before it, so that such input reads as it always did.
double sumNearest(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to, double stop) {
    double sum = 0.0;
    if (allFinite(from) && allFinite(to)) {
        const PointLanes lanes = pointLanes(to);
        for (const Vec3f& p : from) {
            sum += std::sqrt(double(nearestSquared(p, lanes)));
            if (sum > stop) break;
        }
        return sum;
    }
    for (const Vec3f& p : from) {
        float best = std::numeric_limits<float>::max();
        for (const Vec3f& q : to) {
            const float dx = p.x - q.x, dy = p.y - q.y, dz = p.z - q.z;
            best = std::min(best, dx * dx + dy * dy + dz * dz);
        }
        sum += std::sqrt(double(best));
        if (sum > stop) break;
    }
    return sum;
}

constexpr double kNoStop = std::numeric_limits<double>::infinity();

void requirePoints(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b, const char* what) {
    if (a.empty() || b.empty()) throw Error(std::string(what) + " of an empty point set");
}

} // namespace

double chamferDistance(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b) {
    return chamferDistanceBelow(a, b, kNoStop);
}

double chamferDistanceBelow(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b,
                            double bound) {
    requirePoints(a, b, "Chamfer distance");
    const double na = double(a.size()), nb = double(b.size());
    // CD = (S_a / n_a + S_b / n_b) / 2 < bound needs S_a < 2 bound n_a, then S_b < (2 bound -
    // S_a / n_a) n_b. The stops are a hair generous, so that rounding never stops a sum whose
    // distance would have come out below the bound; the comparison at the end is exact.
    const double slack = 1.0 + 1e-9;
    const double stopA = 2.0 * bound * na * slack;
    const double sumA = sumNearest(a, b, stopA);
    if (sumA > stopA) return kNoStop;
    const double sumB = sumNearest(b, a, (2.0 * bound - sumA / na) * nb * slack);
    const double distance = 0.5 * (sumA / na + sumB / nb);
    return distance < bound || bound == kNoStop ? distance : kNoStop;
}

double meanNearestDistance(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to) {
    requirePoints(from, to, "nearest-point distance");
    return sumNearest(from, to, kNoStop) / double(from.size());
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
