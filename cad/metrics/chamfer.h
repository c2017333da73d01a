// SPDX-License-Identifier: MIT
#pragma once
// Chamfer distance between point sets, as the paper's appendix A defines it: the average
// minimum Euclidean distance (not squared), taken both ways and averaged,
//   CD(A, B) = 1/2 (mean_a min_b |a - b| + mean_b min_a |b - a|).
// DeepCAD squares the distances instead; the benchmark tables say which one they report.

#include "cad/geometry/vec.h"

#include <vector>

namespace img2cad::cad {

/// Throws cad::Error when either set is empty. Exact (no approximate neighbour search);
/// 2,000 x 2,000 points take a few milliseconds.
double chamferDistance(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b);

/// chamferDistance(a, b) when it is below `bound`, else infinity, found without finishing the
/// sums once they pass the bound (they only grow): for a search that keeps the nearest of many
/// trials, most of which lose (the turns' 24 rotations, the fit's trials). Throws as it does.
double chamferDistanceBelow(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b, double bound);

/// One direction of it: the mean over `from` of the distance to the nearest point of `to`
/// (appendix A's accuracy, generated -> truth, and completeness, truth -> generated).
/// Throws cad::Error when either set is empty.
double meanNearestDistance(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to);

/// For each point of `from`, the index of its nearest point in `to` (the first on ties).
/// Throws cad::Error when either set is empty.
std::vector<std::size_t> nearestPoints(const std::vector<Vec3f>& from,
                                       const std::vector<Vec3f>& to);

} // namespace img2cad::cad
