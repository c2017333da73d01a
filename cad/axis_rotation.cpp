// SPDX-License-Identifier: MIT
#include "cad/axis_rotation.h"

namespace img2cad::cad {

std::array<AxisRotation, 24> axisRotations() {
    static const Vec3 kDirections[6] = {{1, 0, 0},  {0, 1, 0},  {0, 0, 1},
                                        {-1, 0, 0}, {0, -1, 0}, {0, 0, -1}};
    std::array<AxisRotation, 24> all;
    std::size_t count = 0;
    for (const Vec3& x : kDirections)
        for (const Vec3& y : kDirections)
            if (x.dot(y) == 0.0) all[count++] = {x, y}; // x = (1,0,0), y = (0,1,0) comes first
    return all;
}

Program rotated(Program program, const AxisRotation& rotation) {
    for (Extrude& extrude : program.extrudes) {
        extrude.plane.origin = rotation.apply(extrude.plane.origin);
        extrude.plane.xAxis = rotation.apply(extrude.plane.xAxis);
        extrude.plane.normal = rotation.apply(extrude.plane.normal);
    }
    return program;
}

} // namespace img2cad::cad
