// SPDX-License-Identifier: MIT
// Pillow block (plummer block) bearing housing: a base with two bolt slots or holes and a
// pedestal with the bearing bore, an arched top and a grease hole.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makePillowBlock(Random& random) {
    const double bore = random.dimension(4, 30);
    const double housing = bore + random.dimension(std::max(3.0, bore * 0.3), bore * 0.7 + 4);
    const double baseT =
        random.dimension(std::max(4.0, housing * 0.2), std::max(5.0, housing * 0.45));
    const double axis = std::max(baseT + bore + 2, housing + random.dimension(0, housing * 0.4));
    const double width =
        random.dimension(std::max(8.0, housing * 0.6), std::max(10.0, housing * 1.3));
    const double d = clearanceHole(random, std::min(13.5, std::max(2.4, width * 0.5)), 2.4);
    const double slotLen = random.chance(0.6) ? random.dimension(d * 0.5, d * 1.5) : 0.0;
    const double holeX = housing + d / 2 + slotLen / 2 + random.dimension(2, std::max(2.5, d));
    const double length =
        2 * (holeX + slotLen / 2 + d / 2 + random.dimension(std::max(2.0, d * 0.6), d * 1.5));
    const double depth = random.chance(0.5) ? width : random.dimension(width, width + d * 2);

    Program program;
    std::vector<Loop> base = {roundedRectangleLoop(
        {0, 0}, length, depth, random.chance(0.5) ? random.dimension(1, depth * 0.2) : 0.0)};
    for (double side : {-1.0, 1.0}) {
        const Vec2 c{side * holeX, 0};
        base.push_back(slotLen > 0
                           ? slotLoop(c - Vec2{slotLen / 2, 0}, c + Vec2{slotLen / 2, 0}, d / 2)
                           : circleLoop(c, d / 2));
    }
    program.extrudes.push_back(extrudeLoops(planeXY(0), base, oneSided(baseT), BooleanOp::NewBody));

    // Pedestal in the XZ plane: straight sides up to the axis, a half-circle on top.
    const Loop pedestal = {{Line{{-housing, 0}, {housing, 0}}, Line{{housing, 0}, {housing, axis}},
                            Arc{{housing, axis}, {0, axis + housing}, {-housing, axis}},
                            Line{{-housing, axis}, {-housing, 0}}}};
    program.extrudes.push_back(extrudeLoops(planeXZ(0), {pedestal, circleLoop({0, axis}, bore)},
                                            symmetric(width / 2), BooleanOp::Join));
    if (random.chance(0.5)) {
        const double grease = std::min(random.dimension(1, 3), width * 0.2);
        program.extrudes.push_back(extrudeLoops(planeXY(axis + housing + 1),
                                                {circleLoop({0, 0}, grease)},
                                                oneSided(-(housing - bore + 2)), BooleanOp::Cut));
    }
    if (random.chance(0.4) && housing - bore > 4 && width > 8) {
        // Bearing seat: a wider, shallow recess on the front face.
        const double seat = bore + random.dimension(1, (housing - bore) / 2);
        program.extrudes.push_back(
            extrudeLoops(planeXZ(-width / 2 - 1), {circleLoop({0, axis}, seat)},
                         oneSided(-(1 + random.dimension(1, width * 0.3))), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
