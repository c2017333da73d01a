// SPDX-License-Identifier: MIT
#include "cad/program_fit.h"

#include "cad/axis_rotation.h"
#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/metrics/chamfer.h"
#include "cad/normalization.h"
#include "cad/program_edit.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace img2cad::cad {
namespace {

/// The numbers the fit moves, per extrude; each is an offset from the program the search starts
/// from (the input, or its best turn).
enum Knob { AlongNormal, AlongX, AlongY, StretchX, StretchY, Distance1, Distance2, kKnobs };

bool isLength(int knob) {
    return knob != StretchX && knob != StretchY;
}

/// Centre of a sketch's curves' box (sketch coordinates): what the stretch keeps in place.
Vec2 sketchCentre(const Extrude& extrude) {
    BoundingBox box; // in the sketch plane: z stays 0
    const auto grow = [&box](Vec2 p) { box.add({p.x, p.y, 0.0}); };
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
    if (box.isEmpty()) return {0.0, 0.0};
    return {box.center().x, box.center().y};
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

} // namespace

ProgramFit fitToCloud(const Program& program, const std::vector<Vec3f>& cloud,
                      const ProgramFitOptions& options) {
    if (cloud.empty()) throw Error("cannot fit a program to an empty point cloud");
    const std::vector<Vec3f> target = thinned(cloud, options.cloudPoints);
    const double size = boundsOf(target).largestSide();
    if (!(size > 0.0)) throw Error("cannot fit a program to a point cloud without extent");

    // Coarser meshing than the metrics' (the points, not the mesh, carry the objective) and the
    // same sample seed for every trial, so that two trials differ by their solids alone. Trials
    // skip face unification and the validity check (neither moves a surface point; a tenth of a
    // trial, tests/bench/bench_cad); the input is checked, and the caller checks the program it
    // keeps (fitToCloud's contract).
    const TessellationOptions meshing{0.004, 0.3, true};
    const CompileOptions trialCompile = fitTrialCompileOptions();
    ProgramFit fit{program, 0.0, 0.0, 0};
    const auto surfaceOf = [&](const Program& trial, const CompileOptions& compiling) {
        ++fit.compiles;
        const TriangleMesh mesh = tessellate(compile(trial, compiling), meshing);
        return samplePoints(mesh, options.surfacePoints, 1).positions;
    };
    // A trial only matters when it beats the best so far (`bound`), so its distance need not
    // be finished once it cannot (chamferDistanceBelow): most trials miss.
    const auto objective = [&](const Program& trial, double bound) {
        try {
            return chamferDistanceBelow(surfaceOf(trial, trialCompile), target, bound);
        } catch (const std::exception&) {
            return std::numeric_limits<double>::infinity(); // e.g. a distance pushed through 0
        }
    };
    std::vector<Vec3f> surface;
    try {
        surfaceOf(program, CompileOptions{});
        surface = surfaceOf(program, trialCompile); // what trials are compared with
    } catch (const std::exception&) {
        throw Error("cannot fit a program that does not compile to a solid");
    }
    fit.before = fit.after = chamferDistance(surface, target);

    // The turn first: a candidate that lies on its side misses its cloud by more than its
    // numbers can make up, and trying the 24 turns on its points costs no compile. Measured on
    // the real clouds (docs/results.md, "Turns"): fitted best of K on the STEP parts 5.76 ->
    // 5.61 (-0.41 +- 0.14 per part, 32 closer, 14 further), real sequences 4.13 -> 4.04.
    if (options.tryTurns)
        if (std::optional<ProgramTurn> turned = turnedToCloud(program, surface, target)) {
            const double value = objective(turned->program, fit.after);
            if (value < fit.after) fit.program = std::move(turned->program), fit.after = value;
        }
    const Program start = fit.program; // the numbers move from here
    std::vector<Vec2> centres;
    for (const Extrude& extrude : start.extrudes)
        centres.push_back(sketchCentre(extrude));

    // Each number keeps its own step: doubled after a move that paid (to at most four times
    // the first), halved after a miss. A number far off then gets there in a few moves, and one
    // already right stops costing compiles once its step is below the smallest. One step for
    // all, halved only after a sweep without a move, could walk a far-off number back only a
    // first step per sweep; per-number steps took the fitted best of K on the STEP parts from
    // 6.84 to 5.76 (-1.07 +- 0.16 per part, 49 of 54 closer) and on the real sequences from
    // 5.19 to 4.13 (-0.48 +- 0.12) in the same time (docs/results.md, 2026-12-03).
    const double largestStep = 4.0 * options.step;
    std::vector<double> x(start.extrudes.size() * kKnobs, 0.0);
    std::vector<double> steps(x.size(), options.step);
    for (std::size_t i = 0; i < x.size(); ++i)
        if (int(i % kKnobs) == Distance2 &&
            start.extrudes[i / kKnobs].extent.type != ExtentType::TwoSided)
            steps[i] = 0.0; // a one-sided or symmetric extent has no second distance
    std::vector<int> lastMove(x.size(), 1); // the direction that paid off last, tried first
    const auto searching = [&] {
        return std::any_of(steps.begin(), steps.end(),
                           [&](double step) { return step >= options.smallestStep; });
    };
    while (searching() && fit.compiles < options.compiles) {
        for (std::size_t i = 0; i < x.size() && fit.compiles < options.compiles; ++i) {
            if (steps[i] < options.smallestStep) continue;
            const double delta = isLength(int(i % kKnobs)) ? steps[i] * size : steps[i];
            bool moved = false;
            for (const int sign : {lastMove[i], -lastMove[i]}) {
                if (fit.compiles >= options.compiles) break;
                std::vector<double> trial = x;
                trial[i] += sign * delta;
                Program candidate = withOffsets(start, centres, trial);
                const double value = objective(candidate, fit.after);
                if (value < fit.after) {
                    x = std::move(trial), lastMove[i] = sign, moved = true;
                    fit.after = value, fit.program = std::move(candidate);
                    break;
                }
            }
            steps[i] = moved ? std::min(largestStep, 2.0 * steps[i]) : 0.5 * steps[i];
        }
    }
    return fit;
}

std::optional<ProgramTurn> turnedToCloud(const Program& program, const std::vector<Vec3f>& points,
                                         const std::vector<Vec3f>& cloud) {
    if (points.empty() || cloud.empty()) throw Error("cannot turn a program without points");
    const BoundingBox goal = boundsOf(cloud);
    double best = chamferDistance(points, cloud);
    std::optional<ProgramTurn> turned;
    for (const AxisRotation& rotation : axisRotations()) {
        if (rotation.isIdentity()) continue;
        std::vector<Vec3f> trial;
        trial.reserve(points.size());
        for (const Vec3f& p : points)
            trial.push_back(toVec3f(rotation.apply(toVec3(p))));
        const BoundingBox box = boundsOf(trial);
        const double scale = goal.largestSide() / box.largestSide();
        // (p - box centre) * scale + goal centre, as a Normalization (which scales p - centre)
        const Normalization match{box.center() - goal.center() * (1.0 / scale), scale};
        for (Vec3f& p : trial)
            p = toVec3f(match.apply(toVec3(p)));
        const double distance = chamferDistanceBelow(trial, cloud, best);
        if (distance < best)
            best = distance,
            turned = ProgramTurn{match.apply(rotated(program, rotation)), rotation, match};
    }
    return turned;
}

} // namespace img2cad::cad
