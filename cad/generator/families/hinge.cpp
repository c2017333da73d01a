// SPDX-License-Identifier: MIT
// Hinge leaf (butt hinge or 3D-printed print-in-place leaf): a plate with screw holes and
// knuckles with a pin bore along one edge, notched between the knuckles.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeHinge(Random& random) {
    const double length = random.dimension(20, 120, 1); // along x, the hinge axis
    const double leaf = random.dimension(12, 50, 1);    // along y
    const double t = random.dimension(1.5, 5);
    const double knuckle = random.dimension(std::max(3.0, t * 0.8), std::max(3.5, t * 2));
    const double pin = random.dimension(0.8, std::max(0.9, knuckle * 0.38), 0.1);
    // The knuckle axis sits beyond the leaf edge and on the leaf mid-plane, so the leaf end
    // lies inside the knuckle and the pin bore stays clear of the leaf.
    const Vec2 axis{leaf + 0.4 * knuckle, t / 2}; // (y, z) in the YZ plane
    const int segments = random.pick({3, 3, 5, 5, 4});
    const double segment = length / segments;

    Program program;
    std::vector<Loop> plate = {rectangleLoop(0, 0, length, leaf)};
    const double d = clearanceHole(random, std::min(leaf * 0.4, 6.6), 2.4);
    const int holes = length > 60 ? random.integer(2, 4) : random.integer(1, 2);
    const double margin = d / 2 + std::max(2.0, d * 0.6);
    const double holeY = std::max(margin, (leaf - knuckle * 0.6) / 2);
    if (holeY + margin <= leaf - 0.6 * knuckle - 0.5) {
        for (int i = 0; i < holes; ++i)
            plate.push_back(
                circleLoop({margin + (length - 2 * margin) * (i + 0.5) / holes, holeY}, d / 2));
    }
    program.extrudes.push_back(extrudeLoops(planeXY(0), plate, oneSided(t), BooleanOp::NewBody));

    std::vector<Loop> notches;
    for (int i = 0; i < segments; ++i) {
        const double x0 = segment * i;
        if (i % 2 == 0) {
            program.extrudes.push_back(
                extrudeLoops(planeYZ(x0), {circleLoop(axis, knuckle), circleLoop(axis, pin)},
                             oneSided(segment), BooleanOp::Join));
        } else {
            notches.push_back(
                rectangleLoop(x0, leaf - knuckle * 0.6 - 0.5, x0 + segment, leaf + 1));
        }
    }
    if (random.chance(0.7) && !notches.empty())
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), notches, oneSided(t + 2), BooleanOp::Cut));
    if (random.chance(0.3) && t >= 3) {
        std::vector<Loop> counterbores;
        for (std::size_t i = 1; i < plate.size(); ++i)
            counterbores.push_back(circleLoop(std::get<Circle>(plate[i].curves[0]).center,
                                              std::min(d * 0.9, margin - 0.5)));
        if (!counterbores.empty())
            program.extrudes.push_back(
                extrudeIslands(planeXY(t), counterbores, oneSided(-t * 0.5), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
