// SPDX-License-Identifier: MIT
#pragma once
// Appendix A.3's measures of unconditional generation, on shapes as surface point clouds, each
// in its own unit cube (bounding box centred, longest side 1), as the peers' scripts do
// (docs/prior-art: DeepCAD / SkexGen / HNC-CAD `eval_cad.py`):
//   MMD: over the references, the mean CD to the nearest generated shape (fidelity);
//   COV: the share of references that are the nearest reference of some generated shape;
//   JSD: Jensen-Shannon divergence between the two sets' occupancy distributions on a 28^3
//        grid over the unit cube (each shape counts once per voxel it occupies, PointFlow's
//        recipe);
//   Novelty: the share of generated shapes whose program key is not a training program's;
//   Uniqueness: the share of generated shapes whose key no other generated shape has.
// CD is appendix A's (cad/metrics/chamfer.h). Keys are opaque here: the caller hashes the
// quantised programs (HNC-CAD hashes quantised sketch + extrude parameters).

#include "cad/geometry/vec.h"

#include <cstdint>
#include <vector>

namespace img2cad::cad {

using Cloud = std::vector<Vec3f>;

/// CD between every generated shape and every reference, row-major [a.size() x b.size()], on
/// `threads` workers (0 = one per core). Throws cad::Error for an empty cloud.
std::vector<double> chamferMatrix(const std::vector<Cloud>& a, const std::vector<Cloud>& b,
                                  int threads = 0);

struct Fidelity {
    double mmd = 0.0;
    double coverage = 0.0;
};

/// MMD and COV from a CD matrix [samples x references] (chamferMatrix), restricted to the
/// reference columns `references` (one draw of the protocol). Throws cad::Error when either
/// side is empty or an index is out of range.
Fidelity fidelity(const std::vector<double>& matrix, std::size_t samples,
                  std::size_t referenceCount, const std::vector<std::size_t>& references);

/// JSD (natural log, so at most ln 2) between the occupancy distributions of two sets of
/// unit-cube clouds; points outside [-0.5, 0.5]^3 are clamped to the border voxels. Throws
/// cad::Error when a set occupies no voxel.
double occupancyJsd(const std::vector<Cloud>& a, const std::vector<Cloud>& b, int resolution = 28);

struct Diversity {
    double novelty = 0.0;
    double uniqueness = 0.0;
};

/// Novelty against the training keys and uniqueness within `generated`. Throws cad::Error for
/// no generated keys.
Diversity diversity(const std::vector<std::uint64_t>& generated,
                    const std::vector<std::uint64_t>& training);

} // namespace img2cad::cad
