// SPDX-License-Identifier: MIT
// Plain bearing bushing / sleeve (DIN 1850 style): a tube, often with a collar, sometimes a
// lubrication hole, a split for clamping, or screw holes in a wide collar.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeBushing(Random& random) {
    const double outer = random.dimension(8, 80) / 2;
    const double wall = random.dimension(1.5, std::max(2.0, outer * 0.4));
    const double bore = outer - wall;
    const double length = random.dimension(std::max(4.0, outer * 0.5), outer * 4);
    const bool collar = random.chance(0.6);
    const double collarR = random.dimension(outer + 1.5, outer * 1.7 + 3);
    const double collarT =
        std::min(length * 0.4, random.dimension(1.5, std::max(2.0, outer * 0.4)));

    Program program;
    if (collar) {
        program.extrudes.push_back(
            extrudeLoops(planeXY(0), {circleLoop({0, 0}, collarR), circleLoop({0, 0}, bore)},
                         oneSided(collarT), BooleanOp::NewBody));
        program.extrudes.push_back(
            extrudeLoops(planeXY(collarT), {circleLoop({0, 0}, outer), circleLoop({0, 0}, bore)},
                         oneSided(length - collarT), BooleanOp::Join));
    } else {
        const bool centred = random.chance(0.4);
        program.extrudes.push_back(
            extrudeLoops(centred ? planeXY(length / 2) : planeXY(0),
                         {circleLoop({0, 0}, outer), circleLoop({0, 0}, bore)},
                         centred ? symmetric(length / 2) : oneSided(length), BooleanOp::NewBody));
    }
    const double z0 = collar ? collarT : 0.0;
    const double lube = std::min(wall * 0.8, random.dimension(1, 3));
    if (random.chance(0.4) && length - z0 > 2 * lube + 4)
        program.extrudes.push_back(extrudeLoops(planeYZ(0),
                                                {circleLoop({0, (z0 + length) / 2}, lube)},
                                                oneSided(outer + 1), BooleanOp::Cut));
    if (random.chance(0.25) && bore > 2) {
        // Split sleeve: one slot through the wall along the whole length.
        const double gap = random.dimension(0.5, std::min(3.0, bore * 0.5));
        program.extrudes.push_back(
            extrudeLoops(planeXY(-1), {rectangleLoop(-collarR - 1, -gap / 2, -bore * 0.5, gap / 2)},
                         oneSided(length + 2), BooleanOp::Cut));
    } else if (collar && collarR - outer > 6 && random.chance(0.5)) {
        const double d = clearanceHole(random, (collarR - outer) * 0.5, 2.4);
        std::vector<Loop> holes;
        for (Vec2 p : boltCircle({0, 0}, (collarR + outer) / 2, random.pick({3, 4, 6}), 0))
            holes.push_back(circleLoop(p, d / 2));
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), holes, oneSided(collarT + 2), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
