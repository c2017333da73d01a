// SPDX-License-Identifier: MIT
// Cut lengths of structural / aluminium profiles: C channel, angle, tee, I beam, Z section,
// rectangular tube and a T-slot profile with its centre bore, with drilled mounting holes.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace img2cad::cad::generator {

Program makeChannelProfile(Random& random) {
    const int kind = random.integer(7);
    const double b = random.dimension(15, 80, 1); // width (y)
    const double h = random.dimension(15, 80, 1); // height (z)
    const double t = random.dimension(1.5, std::clamp(std::min(b, h) / 7, 2.0, 8.0));
    const double length = random.dimension(std::max(b, h), 250, 1);

    std::vector<Loop> section;
    std::optional<double> holeY; // where a vertical drill crosses horizontal members only
    double freeWidth = 0;        // room for the hole across y
    switch (kind) {
    case 0: // C channel, open at the top
        section = {polygonLoop({{-b / 2, 0},
                                {b / 2, 0},
                                {b / 2, h},
                                {b / 2 - t, h},
                                {b / 2 - t, t},
                                {-b / 2 + t, t},
                                {-b / 2 + t, h},
                                {-b / 2, h}})};
        holeY = 0, freeWidth = b - 2 * t;
        break;
    case 1: // equal or unequal angle
        section = {polygonLoop({{0, 0}, {b, 0}, {b, t}, {t, t}, {t, h}, {0, h}})};
        holeY = (b + t) / 2, freeWidth = b - t;
        break;
    case 2: // tee, flange on top
        section = {polygonLoop({{-t / 2, 0},
                                {t / 2, 0},
                                {t / 2, h - t},
                                {b / 2, h - t},
                                {b / 2, h},
                                {-b / 2, h},
                                {-b / 2, h - t},
                                {-t / 2, h - t}})};
        holeY = (b / 2 + t / 2) / 2, freeWidth = b / 2 - t / 2;
        break;
    case 3: { // I beam
        const double web = std::max(1.5, t * 0.7);
        section = {polygonLoop({{-b / 2, 0},
                                {b / 2, 0},
                                {b / 2, t},
                                {web / 2, t},
                                {web / 2, h - t},
                                {b / 2, h - t},
                                {b / 2, h},
                                {-b / 2, h},
                                {-b / 2, h - t},
                                {-web / 2, h - t},
                                {-web / 2, t},
                                {-b / 2, t}})};
        holeY = (b / 2 + web / 2) / 2, freeWidth = b / 2 - web / 2;
        break;
    }
    case 4: { // Z section
        const double f = b / 2;
        section = {polygonLoop(
            {{0, 0}, {f, 0}, {f, h - t}, {b, h - t}, {b, h}, {f - t, h}, {f - t, t}, {0, t}})};
        holeY = (f - t) / 2, freeWidth = f - t;
        break;
    }
    case 5: // rectangular tube
        section = {rectangleLoop(-b / 2, 0, b / 2, h),
                   rectangleLoop(-b / 2 + t, t, b / 2 - t, h - t)};
        holeY = 0, freeWidth = b - 2 * t;
        break;
    default: { // square T-slot profile with one slot on top and a tapped centre bore
        const double s = std::max(b, 20.0);
        const double opening = random.dimension(s * 0.2, s * 0.3), inner = opening * 2;
        const double neck = std::max(1.5, s * 0.1), pocket = s * 0.2;
        const double top = s - neck - pocket;
        section = {polygonLoop({{s / 2, s},
                                {opening / 2, s},
                                {opening / 2, s - neck},
                                {inner / 2, s - neck},
                                {inner / 2, top},
                                {-inner / 2, top},
                                {-inner / 2, s - neck},
                                {-opening / 2, s - neck},
                                {-opening / 2, s},
                                {-s / 2, s},
                                {-s / 2, 0},
                                {s / 2, 0}}),
                   circleLoop({0, top / 2}, std::min(top / 2 - 2, s * 0.12))};
        break;
    }
    }
    Program program;
    const bool centred = random.chance(0.3);
    program.extrudes.push_back(extrudeLoops(planeYZ(centred ? length / 2 : 0), section,
                                            centred ? symmetric(length / 2) : oneSided(length),
                                            BooleanOp::NewBody));
    if (holeY && freeWidth > 6 && random.chance(0.8)) {
        const double d = clearanceHole(random, std::min(freeWidth - 3, 13.5), 2.4);
        const int count = random.integer(1, std::clamp(int(length / (3 * d + 10)), 1, 5));
        std::vector<Loop> holes;
        const double pitch = length / count;
        for (int i = 0; i < count; ++i) {
            const Vec2 c{pitch * (i + 0.5), *holeY};
            if (count <= 2 && random.chance(0.3) && pitch > 4 * d)
                holes.push_back(slotLoop(c - Vec2{d, 0}, c + Vec2{d, 0}, d / 2));
            else
                holes.push_back(circleLoop(c, d / 2));
        }
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), holes, oneSided(h + 2), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
