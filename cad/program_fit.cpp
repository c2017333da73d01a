// SPDX-License-Identifier: MIT
#include "cad/program_fit.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/metrics/chamfer.h"
#include "cad/program_edit.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace img2cad::cad {
namespace {

/// The numbers the fit moves, per extrude; each is an offset from the input program.
enum Knob { AlongNormal, AlongX, AlongY, StretchX, StretchY, Distance1, Distance2, kKnobs };

bool isLength(int knob) {
    return knob != StretchX && knob != StretchY;
}

/// Centre of a sketch's curves' box (sketch coordinates): what the stretch keeps in place.
Vec2 sketchCentre(const Extrude& extrude) {
    double lo[2] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max()};
    double hi[2] = {-lo[0], -lo[1]};
    const auto grow = [&](Vec2 p) {
        lo[0] = std::min(lo[0], p.x), hi[0] = std::max(hi[0], p.x);
        lo[1] = std::min(lo[1], p.y), hi[1] = std::max(hi[1], p.y);
    };
    for (const Profile& profile : extrude.profiles)
        for (const Loop& loop : profile.loops)
            for (const Curve& curve : loop.curves) {
                if (const auto* circle = std::get_if<Circle>(&curve)) {
                    grow({circle->center.x - circle->radius, circle->center.y - circle->radius});
                    grow({circle->center.x + circle->radius, circle->center.y + circle->radius});
                } else {
                    grow(curveStart(curve)), grow(curveEnd(curve));
                }
            }
    if (lo[0] > hi[0]) return {0.0, 0.0};
    return {0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1])};
}

/// Stretches a sketch about `centre` by (sx, sy) along its axes. A three-point arc stays an arc
/// through its three moved points, so loops stay closed; a circle cannot become an ellipse and
/// takes the geometric mean.
void stretch(Extrude& extrude, Vec2 centre, double sx, double sy) {
    mapSketchPoints(
        extrude,
        [&](Vec2 p) {
            return Vec2{centre.x + (p.x - centre.x) * sx, centre.y + (p.y - centre.y) * sy};
        },
        std::sqrt(sx * sy));
}

/// The input program with the knobs' offsets `x` (kKnobs per extrude) applied.
Program withOffsets(const Program& input, const std::vector<Vec2>& centres,
                    const std::vector<double>& x) {
    Program program = input;
    for (std::size_t e = 0; e < program.extrudes.size(); ++e) {
        Extrude& extrude = program.extrudes[e];
        const double* k = &x[e * kKnobs];
        extrude.plane.origin = extrude.plane.origin + extrude.plane.normal * k[AlongNormal] +
                               extrude.plane.xAxis * k[AlongX] + extrude.plane.yAxis() * k[AlongY];
        if (k[StretchX] != 0.0 || k[StretchY] != 0.0)
            stretch(extrude, centres[e], std::exp(k[StretchX]), std::exp(k[StretchY]));
        extrude.extent.distance += k[Distance1];
        extrude.extent.distance2 += k[Distance2];
    }
    return program;
}

/// Every `stride`-th point, so that at most `count` remain.
std::vector<Vec3f> thinned(const std::vector<Vec3f>& cloud, std::size_t count) {
    if (cloud.size() <= count) return cloud;
    std::vector<Vec3f> kept;
    kept.reserve(count);
    const double stride = double(cloud.size()) / double(count);
    for (std::size_t i = 0; i < count; ++i)
        kept.push_back(cloud[std::size_t(double(i) * stride)]);
    return kept;
}

double longestSide(const std::vector<Vec3f>& cloud) {
    Vec3f lo = cloud.front(), hi = cloud.front();
    for (const Vec3f& p : cloud) {
        lo = {std::min(lo.x, p.x), std::min(lo.y, p.y), std::min(lo.z, p.z)};
        hi = {std::max(hi.x, p.x), std::max(hi.y, p.y), std::max(hi.z, p.z)};
    }
    return std::max({double(hi.x - lo.x), double(hi.y - lo.y), double(hi.z - lo.z)});
}

} // namespace

ProgramFit fitToCloud(const Program& program, const std::vector<Vec3f>& cloud,
                      const ProgramFitOptions& options) {
    if (cloud.empty()) throw Error("cannot fit a program to an empty point cloud");
    const std::vector<Vec3f> target = thinned(cloud, options.cloudPoints);
    const double size = longestSide(target);
    if (!(size > 0.0)) throw Error("cannot fit a program to a point cloud without extent");
    std::vector<Vec2> centres;
    for (const Extrude& extrude : program.extrudes)
        centres.push_back(sketchCentre(extrude));

    // Coarser meshing than the metrics' (the points, not the mesh, carry the objective) and the
    // same sample seed for every trial, so that two trials differ by their solids alone.
    const TessellationOptions meshing{0.004, 0.3, true};
    ProgramFit fit{program, 0.0, 0.0, 0};
    const auto objective = [&](const Program& trial) {
        ++fit.compiles;
        try {
            const TriangleMesh mesh = tessellate(compile(trial), meshing);
            return chamferDistance(samplePoints(mesh, options.surfacePoints, 1).positions, target);
        } catch (const std::exception&) {
            return std::numeric_limits<double>::infinity(); // e.g. a distance pushed through 0
        }
    };
    fit.before = fit.after = objective(program);
    if (!std::isfinite(fit.before))
        throw Error("cannot fit a program that does not compile to a solid");

    std::vector<double> x(program.extrudes.size() * kKnobs, 0.0);
    std::vector<int> lastMove(x.size(), 1); // the direction that paid off last, tried first
    double step = options.step;
    while (step >= options.smallestStep && fit.compiles < options.compiles) {
        bool better = false;
        for (std::size_t i = 0; i < x.size() && fit.compiles < options.compiles; ++i) {
            const int knob = int(i % kKnobs);
            const Extrude& extrude = program.extrudes[i / kKnobs];
            if (knob == Distance2 && extrude.extent.type != ExtentType::TwoSided) continue;
            const double delta = isLength(knob) ? step * size : step;
            for (const int sign : {lastMove[i], -lastMove[i]}) {
                if (fit.compiles >= options.compiles) break;
                std::vector<double> trial = x;
                trial[i] += sign * delta;
                Program candidate = withOffsets(program, centres, trial);
                const double value = objective(candidate);
                if (value < fit.after) {
                    x = std::move(trial), lastMove[i] = sign, better = true;
                    fit.after = value, fit.program = std::move(candidate);
                    break;
                }
            }
        }
        if (!better) step *= 0.5;
    }
    return fit;
}

} // namespace img2cad::cad
