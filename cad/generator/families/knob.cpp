// SPDX-License-Identifier: MIT
// Control / clamping knob: a knurled or lobed grip with a skirt or hub, a blind D-shaft or
// round bore, a radial set-screw hole and sometimes a finger dimple on top.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeKnob(Random& random) {
    const double radius = random.dimension(8, 40);
    const bool lobed = random.chance(0.4); // star / clamping knob, otherwise a knurled grip
    const int lobes = lobed ? random.integer(3, 8) : random.integer(10, 16);
    const double bump =
        lobed ? radius * random.uniform(0.1, 0.2) : radius * random.uniform(0.03, 0.08);
    const double dip =
        lobed ? radius * random.uniform(0.15, 0.3) : radius * random.uniform(0.03, 0.08);
    const double gripH = random.dimension(6, std::max(7.0, radius * 1.2));
    const double hubR =
        random.dimension(std::max(4.0, (radius - dip) * 0.35), (radius - dip) * 0.75);
    const double hubH =
        random.chance(0.75) ? random.dimension(3, std::max(4.0, radius * 0.8)) : 0.0;

    Program program;
    const bool hubBelow = random.chance(0.5);
    program.extrudes.push_back(extrudeLoops(planeXY(0),
                                            {scallopLoop({0, 0}, radius, lobes, bump, dip)},
                                            oneSided(gripH), BooleanOp::NewBody));
    double zBottom = 0;
    if (hubH > 0) {
        if (hubBelow) {
            program.extrudes.push_back(extrudeLoops(planeXY(0), {circleLoop({0, 0}, hubR)},
                                                    oneSided(-hubH), BooleanOp::Join));
            zBottom = -hubH;
        } else {
            program.extrudes.push_back(extrudeLoops(planeXY(gripH), {circleLoop({0, 0}, hubR)},
                                                    oneSided(hubH), BooleanOp::Join));
        }
    }
    // Shafts of 3..12 mm; a D bore for potentiometer and motor shafts.
    const double shaft = std::min(random.pick({1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0}), hubR - 2);
    const double boreDepth = std::min(gripH + hubH - 2, random.dimension(5, 20));
    const Loop bore =
        random.chance(0.5) ? dShapeLoop({0, 0}, shaft, shaft * 0.6) : circleLoop({0, 0}, shaft);
    program.extrudes.push_back(
        extrudeLoops(planeXY(zBottom - 1), {bore}, oneSided(boreDepth + 1), BooleanOp::Cut));
    if (hubH >= 5 && random.chance(0.5)) {
        const double z = hubBelow ? -hubH / 2 : gripH + hubH / 2;
        const double r = std::min(1.5, hubH * 0.25);
        program.extrudes.push_back(
            extrudeLoops(planeYZ(0), {circleLoop({0, z}, r)}, oneSided(hubR + 1), BooleanOp::Cut));
    }
    const double solidAboveBore = gripH - (zBottom + boreDepth);
    if (random.chance(0.3) && (hubH == 0 || hubBelow) && solidAboveBore >= 2) {
        const double dimple = random.dimension(radius * 0.3, radius * 0.6);
        program.extrudes.push_back(extrudeLoops(planeXY(gripH), {circleLoop({0, 0}, dimple)},
                                                oneSided(-std::min(1.5, solidAboveBore - 1)),
                                                BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
