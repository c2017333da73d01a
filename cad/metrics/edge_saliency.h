// SPDX-License-Identifier: MIT
#pragma once
// Ground-truth importance of surface points for the UA-DGCNN (paper section 3.2): how close a
// point lies to the part's BRep edges, s = exp(-(d / sigma)^2) with d the distance to the
// nearest edge polyline. Points on a sharp edge or corner score 1, the middle of a face 0.
// All BRep edges count, seams of cylinders included (a simplification: they are rare and short
// in the generated parts).

#include "cad/geometry/vec.h"

#include <vector>

namespace img2cad::cad {

/// points and edges in the same frame; sigma in that frame's units (0.02 in the unit cube).
std::vector<float> edgeSaliency(const std::vector<Vec3f>& points,
                                const std::vector<std::vector<Vec3f>>& edges, double sigma);

} // namespace img2cad::cad
