// SPDX-License-Identifier: MIT
// Electronics enclosure (3D-printed or moulded box): a shelled box with screw bosses in the
// corners, ventilation slots in the floor and a connector cut-out in a side wall.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeBossEnclosure(Random& random) {
    const double length = random.dimension(40, 200, 1);
    const double width = random.dimension(30, std::min(150.0, length), 1);
    const double height = random.dimension(15, 80, 1);
    const double wall = random.dimension(1.5, 4);
    const double floor = random.dimension(1.5, 4);
    const double outerR =
        random.chance(0.7) ? random.dimension(2, std::min(length, width) * 0.12) : 0.0;
    const double innerR = std::max(0.5, outerR - wall);
    const double innerL = length - 2 * wall, innerW = width - 2 * wall;

    Program program;
    program.extrudes.push_back(extrudeLoops(planeXY(0),
                                            {roundedRectangleLoop({0, 0}, length, width, outerR)},
                                            oneSided(height), BooleanOp::NewBody));
    program.extrudes.push_back(extrudeLoops(planeXY(height),
                                            {roundedRectangleLoop({0, 0}, innerL, innerW, innerR)},
                                            oneSided(-(height - floor)), BooleanOp::Cut));
    // Bosses merge into the corner walls (centres nearer the walls than their radius).
    const double screw = random.pick({2.5, 2.9, 3.4}) / 2; // M2..M3 self-tappers / inserts
    const double bossR = screw + random.dimension(1.5, 3);
    // Either the straight walls or the corner arc come within 0.7 x the boss radius.
    const double inset =
        innerR > 0.7 * bossR ? innerR - (innerR - 0.7 * bossR) / std::sqrt(2.0) : 0.7 * bossR;
    const double bx = innerL / 2 - inset, by = innerW / 2 - inset;
    const double bossH =
        height - floor -
        (random.chance(0.5) ? 0.0 : random.dimension(1, std::max(1.5, height * 0.2)));
    std::vector<Loop> bosses, holes;
    for (Vec2 p : std::vector<Vec2>{{-bx, -by}, {bx, -by}, {bx, by}, {-bx, by}}) {
        bosses.push_back(circleLoop(p, bossR));
        holes.push_back(circleLoop(p, screw));
    }
    program.extrudes.push_back(
        extrudeIslands(planeXY(floor), bosses, oneSided(bossH), BooleanOp::Join));
    const double holeDepth = std::min(bossH + floor - 0.5, random.dimension(6, 15));
    program.extrudes.push_back(
        extrudeIslands(planeXY(floor + bossH), holes, oneSided(-holeDepth), BooleanOp::Cut));
    if (random.chance(0.5) && innerL > 40 && innerW > 30) {
        // Ventilation slots through the floor, between the bosses.
        const int count = random.integer(3, 4); // keeps the program within 60 commands
        const double slotR = random.dimension(1, 2);
        const double span = std::min(innerW - 4 * bossR, innerW * 0.6) / 2;
        const double pitch = std::min((innerL - 4 * bossR - 2 * span) / count, 4 * slotR + 4);
        std::vector<Loop> slots;
        if (pitch > 2 * slotR + 1.5 && span > slotR + 2) {
            for (int i = 0; i < count; ++i) {
                const double x = (i - (count - 1) / 2.0) * pitch;
                slots.push_back(slotLoop({x, -span + slotR}, {x, span - slotR}, slotR));
            }
            program.extrudes.push_back(
                extrudeIslands(planeXY(-1), slots, oneSided(floor + 2), BooleanOp::Cut));
        }
    }
    if (random.chance(0.6)) {
        // Connector cut-out (USB, barrel jack) through the front wall, clear of the bosses.
        const double cw =
            random.dimension(6, std::max(7.0, std::min(innerL - 4 * bossR - 4, 30.0)));
        const double ch = random.dimension(3, std::max(3.5, std::min(height - floor - 4, 15.0)));
        const double z =
            floor + 1 + ch / 2 + random.uniform(0, std::max(0.0, height - floor - ch - 3));
        if (z + ch / 2 < height - 1 && cw < innerL - 4 * bossR)
            program.extrudes.push_back(extrudeLoops(
                planeXZ(-width / 2 - 1),
                {roundedRectangleLoop({0, z}, cw, ch, random.chance(0.5) ? ch * 0.3 : 0.0)},
                oneSided(-(wall + 2)), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
