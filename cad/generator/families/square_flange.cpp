// SPDX-License-Identifier: MIT
// Square flange / motor mount plate (NEMA style): a square plate with corner holes, a centring
// spigot underneath, a through bore, sometimes counterbores and a second hole pattern.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeSquareFlange(Random& random) {
    const double side = random.dimension(30, 160, 1);
    const double t = random.dimension(std::max(3.0, side * 0.06), std::max(4.0, side * 0.15));
    const double corner = random.chance(0.7) ? random.dimension(1, side * 0.12) : 0.0;
    const double spigot = random.dimension(side * 0.15, side * 0.3);
    const double d = clearanceHole(random, std::min(13.5, side * 0.1), 2.4);
    // The corner holes clear both the corner arcs and the spigot.
    const double insetMax = side / 2 - (spigot + d / 2 + 2) / std::sqrt(2.0);
    const double insetMin = std::max(corner * 0.6 + d / 2 + 1, d / 2 + std::max(1.5, d * 0.6));
    if (insetMax < insetMin) return {};
    const double inset = random.dimension(insetMin, std::min(insetMax, insetMin + side * 0.08));
    const double e = side / 2 - inset;
    std::vector<Vec2> corners = {{-e, -e}, {e, -e}, {e, e}, {-e, e}};

    Program program;
    std::vector<Loop> plate = {roundedRectangleLoop({0, 0}, side, side, corner)};
    for (Vec2 p : corners)
        plate.push_back(circleLoop(p, d / 2));
    program.extrudes.push_back(extrudeLoops(planeXY(0), plate, oneSided(t), BooleanOp::NewBody));
    const double spigotHeight = random.dimension(1.5, std::max(2.0, side * 0.1));
    program.extrudes.push_back(extrudeLoops(planeXY(0), {circleLoop({0, 0}, spigot)},
                                            oneSided(-spigotHeight), BooleanOp::Join));
    const double bore = random.dimension(spigot * 0.35, spigot * 0.8);
    program.extrudes.push_back(extrudeLoops(planeXY(t + 1), {circleLoop({0, 0}, bore)},
                                            oneSided(-(t + spigotHeight + 2)), BooleanOp::Cut));
    if (t >= 5 && random.chance(0.4) && inset > d) {
        std::vector<Loop> counterbores;
        for (Vec2 p : corners)
            counterbores.push_back(circleLoop(p, std::min(d * 0.9, inset - 1)));
        program.extrudes.push_back(
            extrudeIslands(planeXY(t), counterbores, oneSided(-t * 0.4), BooleanOp::Cut));
    }
    const double ringRoom = spigot - bore;
    if (random.chance(0.4) && ringRoom > 5) {
        // Tapped holes around the bore for a gearbox or bearing cover.
        const double small = std::min(ringRoom * 0.4, 4.5);
        std::vector<Loop> holes;
        for (Vec2 p : boltCircle({0, 0}, bore + ringRoom / 2, 4, kPi / 4))
            holes.push_back(circleLoop(p, small / 2));
        program.extrudes.push_back(
            extrudeIslands(planeXY(t + 1), holes, oneSided(-(t + 1) * 0.8), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
