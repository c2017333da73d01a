// SPDX-License-Identifier: MIT
#pragma once
// Repair of generated sketches. What a sampled program most often gets wrong is a loop whose
// curves cross: the curve-level codes carry small errors in turn and length, they accumulate
// along the loop, and the closing curve then cuts back across it (a bow-tie). Less often two
// loops of one profile cross. Both are mended here in the sketch plane, before the kernel sees
// the program, so that a nearly right candidate becomes a valid solid rather than an error.
// A sketch without crossings comes back unchanged, so designed programs never notice it.

#include "cad/program.h"

namespace img2cad::cad {

/// What repairSketches changed.
struct SketchRepairs {
    int untangledCrossings = 0; ///< 2-opt moves: two crossing curves reconnected the other way
    int flattenedArcs = 0;      ///< arcs that crossed their neighbour, replaced by their chord
    int mergedFolds = 0;        ///< two lines folding back over each other, merged into one
    int hulledLoops = 0;        ///< loops still tangled after the moves: their convex hull
    int shrunkLoops = 0;        ///< holes across a larger loop, shrunk inside it
    int droppedLoops = 0;       ///< degenerate loops, and loops crossing a larger loop
    int droppedCurves = 0;      ///< curves whose start and end coincide (a zero chord)
    bool any() const {
        return untangledCrossings + flattenedArcs + mergedFolds + hulledLoops + shrunkLoops +
                   droppedLoops + droppedCurves >
               0;
    }
};

/// The program with every loop simple and the loops of each profile apart:
/// - in a loop of several curves, a curve that starts where it ends (within the compiler's
///   closure tolerance, 1e-4 mm) is dropped;
/// - in a loop, two crossing curves that are not neighbours are reconnected the other way
///   (a 2-opt move: the curves between them run backwards, so every corner is kept; on a polygon
///   each move shortens it, hence the moves end); neighbours that cross or fold back (two lines
///   overlapping, an arc turning by more than pi - 0.2 rad where it meets its neighbour) are
///   mended: an arc among them becomes its chord, two lines become one; a loop still crossing
///   itself after
///   8 n^2 moves becomes its convex hull;
/// - in a profile, a loop that meets a larger one (by area) is shrunk about its centroid until it
///   is clear (factors 0.95 down to 0.3) when that centroid lies inside the larger loop, and
///   dropped otherwise; a profile, extrude left empty goes too.
/// Crossings are found on polylines: arcs subdivided every 0.05 rad within a loop, every 0.2 rad
/// (as the compiler's nesting check) between loops. Never throws; what the program still lacks
/// the compiler reports.
Program repairSketches(Program program, SketchRepairs* repairs = nullptr);

} // namespace img2cad::cad
