// SPDX-License-Identifier: MIT
// Turned stepped shaft (motor / gearbox shaft): stacked cylinders with a keyway, a flat for a
// set screw, a cross hole for a pin and a centre hole.
#include "cad/generator/families/families.h"
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Program makeSteppedShaft(Random& random) {
    const int steps = random.integer(2, 5);
    std::vector<double> radii, lengths, starts;
    double z = 0;
    double previous = 0;
    for (int i = 0; i < steps; ++i) {
        double r = random.dimension(2, 25);
        if (i > 0 && std::abs(r - previous) < 1)
            r = previous + (random.chance(0.5) || previous < 4 ? 1.5 : -1.5);
        radii.push_back(r);
        lengths.push_back(
            random.dimension(std::max(3.0, r * 0.3), std::min(70.0, std::max(8.0, r * 5))));
        starts.push_back(z);
        z += lengths.back();
        previous = r;
    }
    const double total = z;

    Program program;
    for (int i = 0; i < steps; ++i)
        program.extrudes.push_back(extrudeLoops(
            planeXY(starts[std::size_t(i)]), {circleLoop({0, 0}, radii[std::size_t(i)])},
            oneSided(lengths[std::size_t(i)]), i == 0 ? BooleanOp::NewBody : BooleanOp::Join));
    // Features go on different steps so that they never overlap.
    std::vector<int> order(static_cast<std::size_t>(steps), 0);
    for (int i = 0; i < steps; ++i)
        order[std::size_t(i)] = i;
    for (int i = steps - 1; i > 0; --i)
        std::swap(order[std::size_t(i)], order[std::size_t(random.integer(i + 1))]);
    int next = 0;
    const auto stepAt = [&](int k) { return std::size_t(order[std::size_t(k)]); };

    if (next < steps && random.chance(0.6)) {
        const std::size_t s = stepAt(next++);
        const double r = radii[s], len = lengths[s];
        const double kw = std::max(1.0, std::round(r * 0.5 * 2) / 2);
        const double kd = std::max(0.5, std::round(r * 0.3 * 2) / 2);
        const double slotLen = len - kw - 2;
        if (r >= 4 && slotLen > 1) {
            const double zc = starts[s] + len / 2;
            const double half = random.uniform(0.3, 0.5) * slotLen;
            // Sketched on a plane inside the shaft (u = y, v = z), cut outwards along +x.
            program.extrudes.push_back(
                extrudeLoops(planeYZ(r - kd), {slotLoop({0, zc - half}, {0, zc + half}, kw / 2)},
                             oneSided(kd + 1), BooleanOp::Cut));
        }
    }
    if (next < steps && random.chance(0.4)) {
        // A flat for a set screw along the whole end step.
        const std::size_t s = stepAt(next++);
        const double r = radii[s];
        const bool last = s + 1 == std::size_t(steps);
        const bool first = s == 0;
        if (first || last) {
            const double z0 = first ? -1 : starts[s] + lengths[s] * 0.3;
            const double z1 = first ? lengths[s] * 0.7 : total + 1;
            program.extrudes.push_back(extrudeLoops(planeXZ(-r * 0.8),
                                                    {rectangleLoop(-r - 1, z0, r + 1, z1)},
                                                    oneSided(r), BooleanOp::Cut));
        }
    }
    if (next < steps && random.chance(0.4)) {
        const std::size_t s = stepAt(next++);
        const double r = radii[s];
        const double hole = random.dimension(std::min(1.0, r * 0.3), std::max(1.0, r * 0.4));
        if (lengths[s] > 2 * hole + 3)
            program.extrudes.push_back(
                extrudeLoops(planeXZ(0), {circleLoop({0, starts[s] + lengths[s] / 2}, hole)},
                             symmetric(r + 1), BooleanOp::Cut));
    }
    if (random.chance(0.4)) {
        const double r = radii.back();
        const double hole = random.dimension(std::min(1.0, r * 0.2), std::max(1.0, r * 0.4));
        program.extrudes.push_back(extrudeLoops(planeXY(total), {circleLoop({0, 0}, hole)},
                                                oneSided(-std::min(lengths.back() * 0.8, hole * 4)),
                                                BooleanOp::Cut));
    }
    return program;
}

} // namespace img2cad::cad::generator
