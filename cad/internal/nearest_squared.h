// SPDX-License-Identifier: MIT
#pragma once
// The inner loop of every Chamfer distance: the squared distance from one point to the nearest
// of many. A fifth of a point cloud's reconstruction went to it (perf, 2026-12-03: the turns'
// 23 distances per candidate and the fit's one per trial), so the many points are kept as
// lanes (structure of arrays) that the compiler turns into vector minima
// (nearest_squared.cpp says how). Only cad/metrics uses this.

#include "cad/geometry/vec.h"

#include <cstddef>
#include <vector>

namespace img2cad::cad {

/// Points as three coordinate arrays, padded to a whole number of vector lanes with copies of
/// the last point (a copy changes no minimum).
struct PointLanes {
    std::vector<float> x, y, z;
};

/// `points` as lanes. Only for finite points: the vector minimum assumes no NaN or infinity
/// (chamfer.cpp keeps such points out).
PointLanes pointLanes(const std::vector<Vec3f>& points);

/// min over `to` of |p - q|^2 for a finite `p`, bit for bit what the plain loop gives (a
/// minimum of the same values, whatever their order); FLT_MAX when `to` holds no point.
float nearestSquared(const Vec3f& p, const PointLanes& to);

} // namespace img2cad::cad
