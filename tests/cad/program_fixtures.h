// SPDX-License-Identifier: MIT
#pragma once
// Small programs for tests, built in code: known volumes, and a seeded random maker of plates
// with bosses, pockets and holes (the "generated programs" of the round-trip tests, until
// the procedural part generator lands).

#include "cad/program.h"

#include <cstdint>
#include <random>

namespace img2cad::test {

inline cad::Loop rectangleLoop(double x0, double y0, double x1, double y1) {
    using cad::Line;
    return {{Line{{x0, y0}, {x1, y0}}, Line{{x1, y0}, {x1, y1}}, Line{{x1, y1}, {x0, y1}},
             Line{{x0, y1}, {x0, y0}}}};
}

inline cad::Loop circleLoop(double cx, double cy, double r) {
    return {{cad::Circle{{cx, cy}, r}}};
}

/// A stadium (slot) of the given length between arc centres and radius, along x.
inline cad::Loop slotLoop(double cx, double cy, double length, double r) {
    using cad::Arc;
    using cad::Line;
    const double h = length / 2;
    return {{Line{{cx - h, cy - r}, {cx + h, cy - r}},
             Arc{{cx + h, cy - r}, {cx + h + r, cy}, {cx + h, cy + r}},
             Line{{cx + h, cy + r}, {cx - h, cy + r}},
             Arc{{cx - h, cy + r}, {cx - h - r, cy}, {cx - h, cy - r}}}};
}

inline cad::Extrude extrudeOf(std::vector<cad::Loop> loops, double depth,
                              cad::BooleanOp op = cad::BooleanOp::NewBody,
                              cad::SketchPlane plane = {}) {
    cad::Extrude extrude;
    extrude.plane = plane;
    extrude.profiles = {cad::Profile{std::move(loops)}};
    extrude.extent = {cad::ExtentType::OneSided, depth, 0.0};
    extrude.op = op;
    return extrude;
}

inline cad::Program programOf(std::vector<cad::Extrude> extrudes, std::string name = "test") {
    return {std::move(name), std::move(extrudes)};
}

/// A random but always valid part: a plate with up to 3 bosses (joined), pockets and through
/// holes (cut), on the XY plane and one side plane. Deterministic for a seed.
inline cad::Program randomPart(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto uniform = [&rng](double lo, double hi) {
        return lo + (hi - lo) * double(rng() >> 11) * (1.0 / 9007199254740992.0);
    };
    const double w = uniform(40, 120), h = uniform(30, 90), t = uniform(4, 15);
    cad::Program program = programOf({extrudeOf({rectangleLoop(0, 0, w, h)}, t)}, "random");
    const int bosses = int(rng() % 3) + 1;
    for (int i = 0; i < bosses; ++i) {
        const double r = uniform(3, std::min(w, h) / 5);
        const double cx = uniform(r + 2, w - r - 2), cy = uniform(r + 2, h - r - 2);
        cad::SketchPlane top;
        top.origin = {0, 0, t};
        program.extrudes.push_back(
            extrudeOf({circleLoop(cx, cy, r)}, uniform(3, 20), cad::BooleanOp::Join, top));
        program.extrudes.push_back(extrudeOf({circleLoop(cx, cy, r * 0.5)}, -(t + 40),
                                             cad::BooleanOp::Cut,
                                             cad::SketchPlane{{0, 0, t + 30}}));
    }
    // A slot pocket cut from the front face (plane x-z, normal +y), partly into the plate.
    cad::SketchPlane front;
    front.origin = {0, 0, 0};
    front.xAxis = {1, 0, 0};
    front.normal = {0, 1, 0}; // y axis of the sketch = normal x xAxis = -z
    const double len = uniform(5, w / 3), r = uniform(1, t / 4);
    program.extrudes.push_back(extrudeOf({slotLoop(w / 2, -t / 2, len, r)}, uniform(5, h / 2),
                                         cad::BooleanOp::Cut, front));
    return program;
}

} // namespace img2cad::test
