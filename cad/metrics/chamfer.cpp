// SPDX-License-Identifier: MIT
#include "cad/metrics/chamfer.h"

#include "cad/error.h"
#include "cad/internal/nearest_squared.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string>

namespace img2cad::cad {
namespace {

bool isFinite(const Vec3f& p) {
    return std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z);
}

/// Sum over `from` of the distance to the nearest point of `to`, or, once the running sum
/// passes `stop`, that partial sum (it only grows). Brute force: the point sets of the metrics
/// are small, and exactness matters more than asymptotics here. The vector kernel
/// (cad/internal/nearest_squared.h) assumes finite points, so a point with a NaN or an infinity
/// is kept from it and read as the plain loop (the definition, tests/cad/test_chamfer.cpp)
/// reads it: one of `to` is nobody's nearest, one of `from` is FLT_MAX from everything.
double sumNearest(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to, double stop) {
    std::vector<Vec3f> finite;
    finite.reserve(to.size());
    std::copy_if(to.begin(), to.end(), std::back_inserter(finite), isFinite);
    const PointLanes lanes = pointLanes(finite);
    double sum = 0.0;
    for (const Vec3f& p : from) {
        const float squared =
            isFinite(p) ? nearestSquared(p, lanes) : std::numeric_limits<float>::max();
        sum += std::sqrt(double(squared));
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
