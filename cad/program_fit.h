// SPDX-License-Identifier: MIT
#pragma once
// Fitting a program's numbers to a point cloud. A generated program has the right operations
// but numbers that are only roughly right: the codebook's decoders regress them from a code, so
// a part that went through the codebook unchanged already misses its own cloud (the "codebook
// ceiling" of docs/results.md), and the whole part may lie turned from its cloud. The fit keeps
// the program's structure: it first turns the part by the best of the 24 axis-aligned rotations
// (when one brings it nearer), then moves, per extrude, the sketch plane along its normal and
// within itself, stretches the sketch along its two axes and changes the extent's distances,
// until the compiled solid's surface is as close as it gets to the cloud (Chamfer distance).
//
// Derivative-free on purpose: the solid comes from OpenCASCADE, so the only honest objective is
// the compiled one. A compass (pattern) search -- each number tried one step up and one step
// down, its own step doubled after a move that paid and halved after a miss -- needs no
// gradient, never accepts a worse program and spends at most the compiles it is given.

#include "cad/axis_rotation.h"
#include "cad/compiler.h"
#include "cad/geometry/vec.h"
#include "cad/normalization.h"
#include "cad/program.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace img2cad::cad {

struct ProgramFitOptions {
    int compiles = 60;               ///< objective evaluations allowed (each compiles once)
    std::size_t surfacePoints = 600; ///< points drawn on each trial solid
    std::size_t cloudPoints = 1000;  ///< the cloud is thinned to at most this many
    /// First step, as a share of the cloud's longest side (positions, distances) or as a
    /// relative stretch (sketch axes); a number's step grows to at most four times this.
    double step = 0.02;
    double smallestStep = 0.002; ///< the search ends when its steps fall below this share
    /// Before the numbers, try the program turned by each of the 24 axis-aligned rotations
    /// (matched to the cloud's box again) and start from the nearest.
    bool tryTurns = true;
};

/// How a fit compiles its trials: without face unification and the validity check, neither of
/// which moves a surface point (the input and the program a caller keeps are checked).
inline CompileOptions fitTrialCompileOptions() {
    CompileOptions options;
    options.unifyFaces = false;
    options.checkValidity = false;
    return options;
}

struct ProgramFit {
    Program program;     ///< the fitted program (the input when nothing better was found)
    double before = 0.0; ///< the objective (CD to the cloud) of the input
    double after = 0.0;  ///< of the fitted program
    int compiles = 0;    ///< evaluations spent
    bool improved() const { return after < before; }
};

/// Fits `program` to `cloud` (same frame and units). The input must compile and mesh; throws
/// cad::Error otherwise, or for a cloud that is empty or a single point. A trial that does not
/// compile is simply not taken, and the fitted program is not checked beyond that: callers that
/// need a valid solid check it (the reconstructor does). Deterministic: the same program and cloud
/// give the same fit with the same OpenCASCADE.
ProgramFit fitToCloud(const Program& program, const std::vector<Vec3f>& cloud,
                      const ProgramFitOptions& options = {});

/// A program turned about the origin and matched to a cloud's box again: `program` compiles to
/// the untouched program's solid mapped point by point by `apply`, so a caller holding that
/// solid can map it (cad::mapped) instead of compiling the turned program.
struct ProgramTurn {
    Program program;
    AxisRotation rotation;
    Normalization match; ///< after the rotation: the box's centre and longest side
    Vec3 apply(Vec3 p) const { return match.apply(rotation.apply(p)); }
};

/// The fit's first step on its own: of the 24 axis-aligned turns (cad/axis_rotation.h), the one
/// whose surface `points` (drawn on the program's solid), turned and matched to the cloud's box
/// again (centre, longest side, as the reconstructor matches a candidate to its frame), come
/// nearest `cloud`: the program so turned and matched; none when no turn beats it as it is. No
/// compile: the points are turned, not the solid. Throws cad::Error for empty points or cloud.
std::optional<ProgramTurn> turnedToCloud(const Program& program, const std::vector<Vec3f>& points,
                                         const std::vector<Vec3f>& cloud);

} // namespace img2cad::cad
