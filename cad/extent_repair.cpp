// SPDX-License-Identifier: MIT
#include "cad/extent_repair.h"

namespace img2cad::cad {

Program orderExtents(Program program, int* reordered) {
    for (Extrude& extrude : program.extrudes) {
        Extent& extent = extrude.extent;
        bool changed = false;
        if (extent.type == ExtentType::Symmetric && extent.distance < 0.0) {
            extent.distance = -extent.distance;
            changed = true;
        } else if (extent.type == ExtentType::TwoSided &&
                   extent.distance + extent.distance2 < 0.0) {
            const double d1 = extent.distance; // (d1, d2) -> (-d2, -d1): the same slab
            extent.distance = -extent.distance2;
            extent.distance2 = -d1;
            changed = true;
        }
        if (changed && reordered) ++*reordered;
    }
    return program;
}

} // namespace img2cad::cad
