// SPDX-License-Identifier: MIT
#pragma once
// Repair of generated extents. The extrude-block decoder regresses an extent's distances one by
// one, so a thin symmetric or two-sided extrude can come back with its two ends swapped: a
// symmetric distance below zero, or a two-sided pair whose planes cross (distance + distance2 <
// 0). The compiler rejects those as a depth that is not positive; the slab they bound is still
// well defined (the space between the two planes), and that is what the repair keeps.

#include "cad/program.h"

namespace img2cad::cad {

/// The program with every extent's ends in order along its normal: a symmetric distance d < 0
/// becomes -d; a two-sided pair (d1, d2) with d1 + d2 < 0, bounding the slab from -d2 to d1 the
/// wrong way round, becomes (-d2, -d1), the same slab. One-sided extents (a negative distance
/// already means "against the normal") and extents of zero depth are left as they are: the
/// compiler reports the latter. Adds the number of extents changed to `reordered`.
Program orderExtents(Program program, int* reordered = nullptr);

} // namespace img2cad::cad
