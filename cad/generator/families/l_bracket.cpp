// SPDX-License-Identifier: MIT
// Angle bracket (bent sheet or machined): an L section extruded to width, holes or slots in
// both legs, sometimes a bend radius and edge gussets.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeLBracket(Random& random) {
    const double w = random.dimension(15, 80, 1);
    const double base = random.dimension(25, 120, 1);
    const double height = random.dimension(25, 120, 1);
    const double t = random.dimension(2, std::clamp(std::min(base, height) / 6, 2.5, 10.0));
    const bool bent = random.chance(0.4); // sheet metal: inner radius = t, outer = 2 t
    const double ri = bent ? t : 0.0;
    const double c45 = std::sqrt(0.5);

    // The section in the XZ plane: the base along +x, the upright along +z.
    Loop section;
    if (bent) {
        const double ro = ri + t;
        section.curves = {
            Line{{ro, 0}, {base, 0}},
            Line{{base, 0}, {base, t}},
            Line{{base, t}, {t + ri, t}},
            Arc{{t + ri, t}, {t + ri - ri * c45, t + ri - ri * c45}, {t, t + ri}},
            Line{{t, t + ri}, {t, height}},
            Line{{t, height}, {0, height}},
            Line{{0, height}, {0, ro}},
            Arc{{0, ro}, {ro - ro * c45, ro - ro * c45}, {ro, 0}},
        };
    } else {
        section = polygonLoop({{0, 0}, {base, 0}, {base, t}, {t, t}, {t, height}, {0, height}});
    }
    Program program;
    program.extrudes.push_back(
        extrudeLoops(planeXZ(0), {section}, symmetric(w / 2), BooleanOp::NewBody));

    const bool gussets = !bent && random.chance(0.4) && w >= 6 * t && t >= 2.5;
    const double gussetT = t;
    const double freeHalf = gussets ? w / 2 - gussetT - 1.5 : w / 2 - 1.5;
    const double d = clearanceHole(random, std::min(freeHalf * 1.4, 13.5));
    const double legStart = t + ri + d / 2 + 2;
    const bool twoAcross = w / 2 - d - 2 > d / 2 + 2 && random.chance(0.4) && !gussets;
    const auto across = [&](double along) {
        std::vector<Vec2> at;
        if (twoAcross)
            at = {{along, -w / 4}, {along, w / 4}};
        else
            at = {{along, 0}};
        return at;
    };
    // Base holes or a slot, through the base (XY plane).
    if (base - d / 2 - 2 > legStart) {
        std::vector<Loop> loops;
        const double x = random.dimension(legStart, base - d / 2 - 2, 0.5);
        if (!twoAcross && random.chance(0.3) && base - d / 2 - 2 - legStart > 4) {
            const double x0 = legStart, x1 = base - d / 2 - 2;
            const double len = random.dimension(2, x1 - x0);
            loops.push_back(
                slotLoop({x0 + (x1 - x0 - len) / 2, 0}, {x0 + (x1 + len - x0) / 2, 0}, d / 2));
        } else {
            for (Vec2 p : across(x))
                loops.push_back(circleLoop({p.x, p.y}, d / 2));
        }
        program.extrudes.push_back(
            extrudeIslands(planeXY(-1), loops, oneSided(t + 2), BooleanOp::Cut));
    }
    // Upright holes, through the upright (YZ plane: u = y, v = z).
    if (height - d / 2 - 2 > legStart && random.chance(0.85)) {
        std::vector<Loop> loops;
        const double z = random.dimension(legStart, height - d / 2 - 2, 0.5);
        for (Vec2 p : across(z))
            loops.push_back(circleLoop({p.y, p.x}, d / 2));
        program.extrudes.push_back(
            extrudeIslands(planeYZ(-1), loops, oneSided(t + 2), BooleanOp::Cut));
    }
    if (gussets) {
        // Triangular ribs flush with both sides; they start inside the legs so they fuse.
        const double g = std::min(base, height) * random.uniform(0.35, 0.7);
        const Loop rib = polygonLoop({{t / 2, t / 2}, {t + g, t / 2}, {t / 2, t + g}});
        for (double side : {-1.0, 1.0})
            program.extrudes.push_back(extrudeLoops(planeXZ(side * (w / 2 - gussetT / 2)), {rib},
                                                    symmetric(gussetT / 2), BooleanOp::Join));
    }
    return program;
}

} // namespace img2cad::cad::generator
