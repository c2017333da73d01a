// SPDX-License-Identifier: MIT
// Pipe / shaft flange (slip-on or weld-neck style): a disc with a bore, a hub, a bolt circle,
// sometimes counterbored bolt holes, a keyway and a raised face.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeRoundFlange(Random& random) {
    const double outer = random.dimension(40, 200, 1) / 2;
    const double bore = random.dimension(outer * 0.15, outer * 0.4);
    const double t = random.dimension(std::max(3.0, outer * 0.08), std::max(4.0, outer * 0.25));
    const double hub =
        random.dimension(bore + std::max(3.0, bore * 0.3), std::max(bore + 3.5, outer * 0.6));
    const double ring = outer - hub; // radial room for the bolt circle
    const double d = clearanceHole(random, std::min(ring * 0.45, 13.5), 2.4);
    const double pcd = hub + ring / 2;
    const int maxHoles = int(std::floor(2 * kPi * pcd / (2.2 * d)));
    const int count = std::min(random.pick({3, 4, 4, 6, 6, 8, 12}), std::max(3, maxHoles));
    const double phase = random.chance(0.5) ? 0.0 : kPi / count;

    Program program;
    const bool centredHub = random.chance(0.3);
    const double hubHeight = random.dimension(std::max(2.0, t * 0.5), std::max(3.0, t * 2.5));
    program.extrudes.push_back(extrudeLoops(planeXY(0),
                                            {circleLoop({0, 0}, outer), circleLoop({0, 0}, bore)},
                                            oneSided(t), BooleanOp::NewBody));
    double zMin = 0, zMax = t;
    if (random.chance(0.8)) {
        const std::vector<Loop> hubLoops = {circleLoop({0, 0}, hub), circleLoop({0, 0}, bore)};
        if (centredHub) {
            // A hub on both faces, sketched on the mid-plane of the disc.
            const double below = random.dimension(1, hubHeight);
            program.extrudes.push_back(extrudeLoops(planeXY(t / 2), hubLoops,
                                                    twoSided(t / 2 + hubHeight, t / 2 + below),
                                                    BooleanOp::Join));
            zMin = -below;
        } else {
            program.extrudes.push_back(
                extrudeLoops(planeXY(t), hubLoops, oneSided(hubHeight), BooleanOp::Join));
        }
        zMax = t + hubHeight;
    }
    if (!centredHub && random.chance(0.3) && ring > 2 * d) {
        // Raised face on the bottom, inside the bolt circle.
        const double face = random.dimension(1, 3);
        program.extrudes.push_back(
            extrudeLoops(planeXY(0), {circleLoop({0, 0}, pcd - d), circleLoop({0, 0}, bore)},
                         oneSided(-face), BooleanOp::Join));
        zMin = -face;
    }
    std::vector<Loop> holes;
    for (Vec2 p : boltCircle({0, 0}, pcd, count, phase))
        holes.push_back(circleLoop(p, d / 2));
    program.extrudes.push_back(
        extrudeIslands(planeXY(t / 2), holes, symmetric(t / 2 + 1), BooleanOp::Cut));
    if (random.chance(0.3) && ring > 1.9 * d + 2 && t > 6) {
        std::vector<Loop> counterbores;
        for (Vec2 p : boltCircle({0, 0}, pcd, count, phase))
            counterbores.push_back(circleLoop(p, std::min(d * 0.9, ring / 2 - 0.75)));
        program.extrudes.push_back(
            extrudeIslands(planeXY(t), counterbores, oneSided(-t * 0.35), BooleanOp::Cut));
    }
    if (random.chance(0.35) && bore >= 5) {
        // DIN 6885 keyway: about a quarter of the bore wide.
        const double kw = random.dimension(bore * 0.4, bore * 0.6);
        const double kd = random.dimension(1, std::max(1.0, std::min(bore * 0.35, hub - bore - 2)));
        program.extrudes.push_back(extrudeLoops(planeXY(zMin - 1),
                                                {rectangleLoop(-kw / 2, 0, kw / 2, bore + kd)},
                                                oneSided(zMax - zMin + 2), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
