// SPDX-License-Identifier: MIT
// U / channel bracket (e.g. a motor or sensor cradle): a U or hat section extruded to depth,
// base screw holes, a cross hole through both walls, holes in the hat flanges.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeUBracket(Random& random) {
    const double width = random.dimension(20, 120, 1);
    const double height = random.dimension(15, 90, 1);
    const double depth = random.dimension(12, 80, 1);
    const double t = random.dimension(1.5, std::clamp(std::min(width, height) / 8, 2.0, 10.0));
    const bool hat = random.chance(0.35);
    const double flange =
        hat ? random.dimension(std::max(8.0, 3 * t), std::max(8.0, width / 3)) : 0;
    const double hw = width / 2;

    std::vector<Vec2> section;
    if (hat) {
        section = {{-hw, 0},
                   {hw, 0},
                   {hw, height - t},
                   {hw + flange, height - t},
                   {hw + flange, height},
                   {hw - t, height},
                   {hw - t, t},
                   {-hw + t, t},
                   {-hw + t, height},
                   {-hw - flange, height},
                   {-hw - flange, height - t},
                   {-hw, height - t}};
    } else {
        section = {{-hw, 0},    {hw, 0},      {hw, height},      {hw - t, height},
                   {hw - t, t}, {-hw + t, t}, {-hw + t, height}, {-hw, height}};
    }
    Program program;
    const bool centred = random.chance(0.5);
    program.extrudes.push_back(extrudeLoops(planeXZ(0), {polygonLoop(section)},
                                            centred ? symmetric(depth / 2) : oneSided(-depth),
                                            BooleanOp::NewBody));
    // The body spans y in [-depth/2, depth/2] or [0, depth].
    const double y0 = centred ? 0.0 : depth / 2;

    const double d = clearanceHole(random, std::min(depth / 3, (width - 2 * t) / 3));
    if (random.chance(0.85)) {
        std::vector<Loop> holes;
        const int count = width - 2 * t > 4 * d + 8 && random.chance(0.6) ? 2 : 1;
        const double spread = count == 2 ? random.dimension(d + 2, hw - t - d / 2 - 2) : 0.0;
        for (int i = 0; i < count; ++i) {
            const double x = count == 2 ? (i == 0 ? -spread : spread) : 0.0;
            holes.push_back(circleLoop({x, y0}, d / 2));
        }
        if (count == 1 && random.chance(0.3) && depth > 3 * d + 6)
            holes = {slotLoop({0, y0 - depth / 6}, {0, y0 + depth / 6}, d / 2)};
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), holes, oneSided(t + 2), BooleanOp::Cut));
    }
    const double crossR = random.dimension(1.5, std::min(depth / 3, (height - t) / 3));
    if (random.chance(0.6) && height - (hat ? t : 0) > t + 2 * crossR + 4) {
        // A shaft or pin through both walls, drilled in one go along x.
        const double z = random.dimension(t + crossR + 2, height - (hat ? t : 0) - crossR - 2);
        program.extrudes.push_back(extrudeLoops(planeYZ(-hw - 1), {circleLoop({y0, z}, crossR)},
                                                oneSided(width + 2), BooleanOp::Cut));
    }
    if (hat && flange >= d + 4) {
        const std::vector<Loop> holes = {circleLoop({-hw - flange / 2, y0}, d / 2),
                                         circleLoop({hw + flange / 2, y0}, d / 2)};
        program.extrudes.push_back(
            extrudeIslands(planeXY(height + 1), holes, oneSided(-(t + 2)), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
