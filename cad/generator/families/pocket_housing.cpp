// SPDX-License-Identifier: MIT
// Machined housing block (gearbox / valve / electronics housing): a block with a milled pocket,
// screw bosses on the pocket floor, lid screw holes in the walls and ports through the sides.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makePocketHousing(Random& random) {
    const double length = random.dimension(30, 160, 1);
    const double width = random.dimension(20, std::min(120.0, length), 1);
    const double height = random.dimension(10, 60, 1);
    const double wall = random.dimension(3, std::max(3.5, std::min(length, width) * 0.18));
    const double floor = random.dimension(2, std::max(2.5, height * 0.4));
    const double outerR =
        random.chance(0.5) ? random.dimension(1, std::min(length, width) * 0.15) : 0.0;
    const double pocketL = length - 2 * wall, pocketW = width - 2 * wall;
    const double pocketR = random.dimension(std::max(0.5, outerR - wall),
                                            std::max(1.0, std::min(pocketL, pocketW) * 0.2));

    Program program;
    program.extrudes.push_back(extrudeLoops(planeXY(0),
                                            {roundedRectangleLoop({0, 0}, length, width, outerR)},
                                            oneSided(height), BooleanOp::NewBody));
    program.extrudes.push_back(
        extrudeLoops(planeXY(height), {roundedRectangleLoop({0, 0}, pocketL, pocketW, pocketR)},
                     oneSided(-(height - floor)), BooleanOp::Cut));
    // Bosses stand free of the pocket walls, with a screw hole through the floor.
    const double bossR = random.dimension(2.5, std::max(3.0, std::min(pocketL, pocketW) * 0.15));
    const double bx = pocketL / 2 - bossR - std::max(1.0, pocketR * 0.4) - 1;
    const double by = pocketW / 2 - bossR - std::max(1.0, pocketR * 0.4) - 1;
    if (random.chance(0.6) && bx > bossR + 1 && by > bossR + 1) {
        const std::vector<Vec2> at = {{-bx, -by}, {bx, -by}, {bx, by}, {-bx, by}};
        std::vector<Loop> bosses, holes;
        for (Vec2 p : at) {
            bosses.push_back(circleLoop(p, bossR));
            holes.push_back(circleLoop(p, bossR * random.uniform(0.35, 0.5)));
        }
        const double bossH = random.dimension(1.5, height - floor);
        program.extrudes.push_back(
            extrudeIslands(planeXY(floor), bosses, oneSided(bossH), BooleanOp::Join));
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), holes, oneSided(floor + bossH + 2), BooleanOp::Cut));
    }
    if (wall >= 5 && random.chance(0.6)) {
        // Blind tapped holes for the lid in the middle of the wall tops.
        const double r = std::min(wall * 0.3, 2.5);
        const double depth = std::min(height * 0.6, r * 6);
        const double ex = length / 2 - wall / 2, ey = width / 2 - wall / 2;
        std::vector<Loop> holes = {circleLoop({-ex, 0}, r), circleLoop({ex, 0}, r)};
        if (random.chance(0.5))
            holes = {circleLoop({0, -ey}, r), circleLoop({0, ey}, r), circleLoop({-ex, 0}, r),
                     circleLoop({ex, 0}, r)};
        program.extrudes.push_back(
            extrudeIslands(planeXY(height), holes, oneSided(-depth), BooleanOp::Cut));
    }
    const double portR =
        random.dimension(1.5, std::max(2.0, std::min((height - floor) * 0.35, pocketW * 0.3)));
    if (random.chance(0.6) && height - floor > 2 * portR + 2) {
        const double z = floor + (height - floor) / 2;
        if (random.chance(0.5)) // through both end walls, along x
            program.extrudes.push_back(extrudeLoops(planeYZ(-length / 2 - 1),
                                                    {circleLoop({0, z}, portR)},
                                                    oneSided(length + 2), BooleanOp::Cut));
        else // through the front wall only
            program.extrudes.push_back(extrudeLoops(planeXZ(-width / 2 - 1),
                                                    {circleLoop({0, z}, portR)},
                                                    oneSided(-(wall + 2)), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
