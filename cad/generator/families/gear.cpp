// SPDX-License-Identifier: MIT
// Spur gear (module 1..3, as printed or hobbed): teeth from lines and arcs, a plain, D or keyed
// bore, a hub on one side, lightening holes in the web and a set-screw hole in the hub.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeGear(Random& random) {
    const int teeth = random.integer(9, 15); // 4 curves a tooth: at most 60 in the outline
    // Small gears get a coarser module so that the bore and hub still fit inside the root.
    const double module = std::max(random.pick({1.0, 1.25, 1.5, 2.0, 2.5, 3.0}), 14.0 / teeth);
    const double pitchR = module * teeth / 2;
    const double tipR = pitchR + module, rootR = pitchR - 1.25 * module;
    const double face = random.dimension(3, std::max(4.0, std::min(25.0, pitchR)));
    const double boreR = random.dimension(1.5, std::max(1.6, rootR * 0.35));
    const int boreKind = random.integer(3);
    Loop bore = circleLoop({0, 0}, boreR);
    if (boreKind == 1 && boreR >= 2)
        bore = dShapeLoop({0, 0}, boreR, boreR * 0.7);
    else if (boreKind == 2 && boreR >= 4 && rootR - boreR > 6)
        bore = keyedBoreLoop({0, 0}, boreR, boreR * 0.5, std::min(boreR * 0.3, 2.0));

    Program program;
    const bool centred = random.chance(0.3);
    program.extrudes.push_back(extrudeLoops(
        centred ? planeXY(face / 2) : planeXY(0), {gearLoop({0, 0}, rootR, tipR, teeth), bore},
        centred ? symmetric(face / 2) : oneSided(face), BooleanOp::NewBody));
    const double hubR = random.dimension(boreR + 2.5, std::max(boreR + 3, rootR * 0.6));
    const double hubH = random.chance(0.6) ? random.dimension(2, std::max(3.0, pitchR * 0.6)) : 0.0;
    if (hubH > 0 && hubR < rootR - 1)
        program.extrudes.push_back(extrudeLoops(planeXY(face), {circleLoop({0, 0}, hubR), bore},
                                                oneSided(hubH), BooleanOp::Join));
    const double web = rootR - 1.5 - std::max(hubR, boreR + 3);
    if (random.chance(0.5) && web > 5 && face > 3) {
        const int count = random.pick({3, 4, 5, 6});
        const double ringR = rootR - 1.5 - web / 2;
        const double holeR = std::min(web * 0.4, ringR * std::sin(kPi / count) * 0.7);
        std::vector<Loop> holes;
        for (Vec2 p : boltCircle({0, 0}, ringR, count, kPi / count))
            holes.push_back(circleLoop(p, holeR));
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), holes, oneSided(face + 2), BooleanOp::Cut));
    }
    if (hubH >= 4 && hubR < rootR - 1 && hubR - boreR > 2 && random.chance(0.5))
        program.extrudes.push_back(
            extrudeLoops(planeXZ(0), {circleLoop({0, face + hubH / 2}, std::min(1.5, hubH * 0.3))},
                         oneSided(-(hubR + 1)), BooleanOp::Cut));
    return program;
}

} // namespace img2cad::cad::generator
