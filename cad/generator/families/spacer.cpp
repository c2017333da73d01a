// SPDX-License-Identifier: MIT
// Spacers, washers and standoffs: round washers, hex standoffs, square spacers, slotted
// (C-) washers and shouldered standoffs. The simplest programs of the data set.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeSpacer(Random& random) {
    const int kind = random.integer(5);
    Program program;
    if (kind == 1) {
        // Hex standoff: across flats 5..30 mm, sketched by its circumradius.
        const double flats = random.dimension(5, 30);
        const double bore = clearanceHole(random, flats - 3, flats * 0.3) / 2;
        const double length = random.dimension(4, 60);
        program.extrudes.push_back(
            extrudeLoops(planeXY(0),
                         {regularPolygonLoop({0, 0}, flats / std::sqrt(3.0), 6,
                                             random.chance(0.5) ? 0 : kPi / 6),
                          circleLoop({0, 0}, bore)},
                         oneSided(length), BooleanOp::NewBody));
        return program;
    }
    if (kind == 2) {
        const double side = random.dimension(8, 50);
        const double bore = clearanceHole(random, side * 0.6, side * 0.2) / 2;
        const double corner = random.chance(0.5) ? random.dimension(0.5, side * 0.2) : 0.0;
        program.extrudes.push_back(extrudeLoops(
            planeXY(0),
            {roundedRectangleLoop({0, 0}, side, side, corner), circleLoop({0, 0}, bore)},
            oneSided(random.dimension(1.5, side)), BooleanOp::NewBody));
        return program;
    }
    const double outer = random.dimension(6, 60) / 2;
    const double bore = std::min(clearanceHole(random, outer * 1.4, outer * 0.5) / 2, outer - 1.5);
    const double t = random.dimension(1.5, std::max(2.0, outer * 3));
    program.extrudes.push_back(extrudeLoops(planeXY(0),
                                            {circleLoop({0, 0}, outer), circleLoop({0, 0}, bore)},
                                            oneSided(t), BooleanOp::NewBody));
    if (kind == 3) {
        // C-washer: slides onto a bolt from the side.
        const double slot = bore * random.uniform(1.2, 1.8);
        program.extrudes.push_back(extrudeLoops(planeXY(-1),
                                                {rectangleLoop(0, -slot / 2, outer + 1, slot / 2)},
                                                oneSided(t + 2), BooleanOp::Cut));
    } else if (kind == 4) {
        // Shouldered standoff: a narrower spigot that locates in a hole.
        const double shoulder = random.dimension(bore + 1.5, std::max(bore + 1.5, outer - 1));
        program.extrudes.push_back(
            extrudeLoops(planeXY(t), {circleLoop({0, 0}, shoulder), circleLoop({0, 0}, bore)},
                         oneSided(random.dimension(1.5, std::max(2.0, t))), BooleanOp::Join));
    }
    return program;
}

} // namespace img2cad::cad::generator
