// SPDX-License-Identifier: MIT
// Bent-strip clips and brackets: pipe / cable clips (a C ring on a screw tab), omega (hat)
// clips, U spring clips and Z brackets, extruded to width with screw holes in the flats.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

namespace {

/// C ring of inner radius `pipe` sitting on a tab of thickness `t`, open at the top by `gap`.
Loop pipeClipLoop(double pipe, double t, double tab, double gap) {
    const Vec2 c{0, pipe + t};
    const double outer = pipe + t;
    const double xo = std::sqrt(outer * outer - pipe * pipe); // outer circle meets the tab top
    const double a0 = std::atan2(-pipe, xo);                  // angle of that point
    const double open0 = kPi / 2 - gap / 2, open1 = kPi / 2 + gap / 2;
    return {{Line{{-tab, 0}, {tab, 0}}, Line{{tab, 0}, {tab, t}}, Line{{tab, t}, {xo, t}},
             Arc{{xo, t}, polar(c, outer, (a0 + open0) / 2), polar(c, outer, open0)},
             Line{polar(c, outer, open0), polar(c, pipe, open0)},
             Arc{polar(c, pipe, open0), polar(c, pipe, -kPi / 2), polar(c, pipe, open1)},
             Line{polar(c, pipe, open1), polar(c, outer, open1)},
             Arc{polar(c, outer, open1), polar(c, outer, (open1 + kPi - a0) / 2), {-xo, t}},
             Line{{-xo, t}, {-tab, t}}, Line{{-tab, t}, {-tab, 0}}}};
}

} // namespace

Program makeMountingClip(Random& random) {
    const int kind = random.integer(4);
    const double width = random.dimension(6, 40);
    const double t = random.dimension(1.5, 4);
    Program program;
    std::vector<Vec2> holes; // hole centres on flats lying in z in [0, t]
    double room = 0;         // free length of those flats along x
    if (kind == 0) {
        const double pipe = random.dimension(4, 30);
        const double outer = pipe + t;
        const double xo = std::sqrt(outer * outer - pipe * pipe);
        room = random.dimension(8, 25);
        const double tab = xo + room;
        const double gap = random.uniform(0.7, 1.6);
        program.extrudes.push_back(extrudeLoops(planeXZ(0), {pipeClipLoop(pipe, t, tab, gap)},
                                                symmetric(width / 2), BooleanOp::NewBody));
        holes = {{-(xo + tab) / 2, 0}, {(xo + tab) / 2, 0}};
        if (random.chance(0.3)) holes.pop_back(); // single-screw clip
    } else {
        std::vector<Vec2> path;
        const double h = random.dimension(6, 40);
        room = random.dimension(8, 25);
        if (kind == 1) { // omega / hat clip over a rod or cable bundle
            const double half = random.dimension(4, 25);
            const double lean = random.chance(0.5) ? random.dimension(0.5, half * 0.3) : 0.0;
            path = {{-half - room, t / 2}, {-half, t / 2}, {-half + lean, h},
                    {half - lean, h},      {half, t / 2},  {half + room, t / 2}};
            holes = {{-half - room / 2, 0}, {half + room / 2, 0}};
        } else if (kind == 2) { // U spring clip with flared lips, screwed through the bottom leg
            const double flare = random.dimension(2, 6);
            path = {
                {room + flare, h + flare * 0.7},    {room, h}, {0, h}, {0, t / 2}, {room, t / 2},
                {room + flare, t / 2 - flare * 0.7}};
            holes = {{room / 2 + t / 2, 0}};
        } else { // Z bracket
            const double top = random.dimension(8, 25);
            path = {{-room, t / 2}, {0, t / 2}, {0, h}, {top, h}};
            holes = {{-room / 2 - t / 4, 0}};
        }
        program.extrudes.push_back(extrudeLoops(planeXZ(0), {thickPolylineLoop(path, t)},
                                                symmetric(width / 2), BooleanOp::NewBody));
    }
    const double d = clearanceHole(random, std::min(width * 0.5, room - 2 * t - 2), 2.4);
    if (!holes.empty() && random.chance(0.85) && d < room - 2 * t) {
        std::vector<Loop> loops;
        for (Vec2 p : holes)
            loops.push_back(random.chance(0.2) && width > 2 * d + 6
                                ? slotLoop({p.x, -d / 2}, {p.x, d / 2}, d / 2)
                                : circleLoop(p, d / 2));
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), loops, oneSided(t + 2), BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
