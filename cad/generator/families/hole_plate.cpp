// SPDX-License-Identifier: MIT
// Mounting / adapter plate: a (rounded) rectangular plate with screw holes, counterbores, a
// pocket or a central bore or slot, sometimes a boss on top.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeHolePlate(Random& random) {
    const double w = random.dimension(30, 200, 1);
    const double h = random.dimension(20, std::min(150.0, w), 1);
    const double small = std::min(w, h);
    const double t = random.dimension(2, std::clamp(small * 0.15, 3.0, 15.0));
    const double corner = random.chance(0.6) ? random.dimension(1, small * 0.12) : 0.0;
    const double d = clearanceHole(random, std::max(2.4, small / 7));
    // Hole centres sit at least one hole diameter in from the edges and clear of corner arcs.
    const double inset = std::max(corner, d / 2 + random.dimension(std::max(1.5, d * 0.4), d));

    Program program;
    std::vector<Loop> plate = {roundedRectangleLoop({0, 0}, w, h, corner)};
    const double hx = w / 2 - inset, hy = h / 2 - inset;
    std::vector<Vec2> holes = {{-hx, -hy}, {hx, -hy}, {hx, hy}, {-hx, hy}};
    const int pattern = random.integer(4);
    if (pattern == 1)
        holes = {{-hx, 0}, {hx, 0}};
    else if (pattern == 2 && w > 4 * inset + 2 * d)
        holes.insert(holes.begin() + 2, {{0, -hy}, {0, hy}});
    const double innerW = 2 * hx - d - 4, innerH = 2 * hy - d - 4;
    const int centre = random.integer(4); // 0 none, 1 bore, 2 slot, 3 pocket
    const bool roomInside = innerW > 8 && innerH > 8;
    if (roomInside && centre == 1 && pattern != 1)
        plate.push_back(circleLoop({0, 0}, random.dimension(2, std::min(innerW, innerH) / 2.2)));
    if (roomInside && centre == 2 && pattern != 1) {
        const double r = random.dimension(1.5, std::min(innerH / 4, 8.0));
        const double len = random.dimension(1, std::max(1.5, innerW / 2 - r * 1.5));
        plate.push_back(slotLoop({-len / 2, 0}, {len / 2, 0}, r));
    }
    std::vector<Loop> holeLoops;
    for (Vec2 p : holes)
        holeLoops.push_back(circleLoop(p, d / 2));
    // Holes are inner loops of the plate when they fit in one profile, else drilled afterwards.
    const bool drilled = plate.size() + holeLoops.size() > std::size_t(kMaxLoopsPerProfile);
    if (!drilled) plate.insert(plate.end(), holeLoops.begin(), holeLoops.end());
    program.extrudes.push_back(extrudeLoops(planeXY(0), plate, oneSided(t), BooleanOp::NewBody));
    if (drilled)
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), holeLoops, oneSided(t + 2), BooleanOp::Cut));

    if (roomInside && centre == 3) {
        const double pw = random.dimension(4, innerW), ph = random.dimension(4, innerH);
        const double pr = random.chance(0.5) ? random.dimension(1, std::min(pw, ph) / 3) : 0.0;
        program.extrudes.push_back(
            extrudeLoops(planeXY(t), {roundedRectangleLoop({0, 0}, pw, ph, pr)},
                         oneSided(-random.dimension(t * 0.3, t * 0.7, 0.1)), BooleanOp::Cut));
    } else if (roomInside && centre == 0 && random.chance(0.6)) {
        const double r = random.dimension(3, std::min(innerW, innerH) / 2.2);
        const double bossH = random.dimension(2, std::max(2.0, r * 1.5));
        program.extrudes.push_back(
            extrudeLoops(planeXY(t), {circleLoop({0, 0}, r)}, oneSided(bossH), BooleanOp::Join));
        if (random.chance(0.7) && r > 3)
            program.extrudes.push_back(extrudeLoops(
                planeXY(t + bossH + 1), {circleLoop({0, 0}, random.dimension(1, r * 0.6))},
                oneSided(-(t + bossH + 2)), BooleanOp::Cut));
    }
    if (t >= 5 && random.chance(0.5) && inset > d) {
        // Counterbores for socket-head screws: about 1.8 x the clearance, 0.4 x the plate deep.
        std::vector<Loop> bores;
        for (Vec2 p : holes)
            bores.push_back(circleLoop(p, std::min(d * 0.9, inset - 1)));
        program.extrudes.push_back(
            extrudeIslands(planeXY(t), bores, oneSided(-t * 0.4), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
