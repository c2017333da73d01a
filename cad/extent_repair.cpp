// SPDX-License-Identifier: MIT
#include "cad/extent_repair.h"

#include <utility>

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
            extent.distance = -extent.distance;
            extent.distance2 = -extent.distance2;
            std::swap(extent.distance, extent.distance2);
            changed = true;
        }
        if (changed && reordered) ++*reordered;
    }
    return program;
}

} // namespace img2cad::cad
