// SPDX-License-Identifier: MIT
// Compiled with -ffinite-math-only -fno-signed-zeros (cad/CMakeLists.txt), this file alone:
// without them GCC will not turn a float minimum into a vector one (a NaN or a -0 would make
// `d < best ? d : best` order-dependent), and the loop stays scalar. Neither can happen here:
// the points are finite (pointLanes' contract) and a sum of squares is never -0. With them the
// loop below runs 6x faster on this CPU than the plain one (0.8 against 4.7 ms for a
// 600 x 2,048 Chamfer distance), with the same result to the bit.
#include "cad/internal/nearest_squared.h"

#include <algorithm>
#include <limits>

namespace img2cad::cad {
namespace {

/// Independent running minima, one per lane, so that the loop over a block of lanes has no
/// dependence between its iterations and becomes one vector operation.
constexpr std::size_t kLanes = 8;

} // namespace

PointLanes pointLanes(const std::vector<Vec3f>& points) {
    const std::size_t padded = (points.size() + kLanes - 1) / kLanes * kLanes;
    PointLanes lanes;
    lanes.x.resize(padded), lanes.y.resize(padded), lanes.z.resize(padded);
    for (std::size_t i = 0; i < padded; ++i) {
        const Vec3f& q = points[std::min(i, points.size() - 1)];
        lanes.x[i] = q.x, lanes.y[i] = q.y, lanes.z[i] = q.z;
    }
    return lanes;
}

float nearestSquared(const Vec3f& p, const PointLanes& to) {
    float best[kLanes];
    std::fill(std::begin(best), std::end(best), std::numeric_limits<float>::max());
    const float *x = to.x.data(), *y = to.y.data(), *z = to.z.data();
    for (std::size_t j = 0; j < to.x.size(); j += kLanes)
        for (std::size_t l = 0; l < kLanes; ++l) {
            const float dx = p.x - x[j + l], dy = p.y - y[j + l], dz = p.z - z[j + l];
            const float d = dx * dx + dy * dy + dz * dz;
            best[l] = d < best[l] ? d : best[l];
        }
    return *std::min_element(std::begin(best), std::end(best));
}

} // namespace img2cad::cad
