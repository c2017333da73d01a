// SPDX-License-Identifier: MIT
#pragma once
// Program -> solid, with OpenCASCADE: wires with explicit tolerances, faces with holes,
// prisms, booleans, safe shape healing, and a validity check. Never returns a broken shape.

#include "cad/program.h"
#include "cad/shape.h"

namespace img2cad::cad {

struct CompileOptions {
    /// Largest gap (mm) accepted between consecutive curves of a loop; the ends are then
    /// welded into one vertex. Programs decoded from tokens may need a looser value.
    double closureTolerance = 1e-4;
    /// Merge coplanar / co-cylindrical faces split by the booleans (what CAD systems show).
    bool unifyFaces = true;
    /// Check the result with BRepCheck_Analyzer (and heal it with ShapeFix when the check
    /// fails). Only a caller that measures throw-away trials turns this off (the program fit:
    /// its trials are sampled, never kept); such a caller compiles its final program again
    /// with the check, since an unchecked solid may be broken.
    bool checkValidity = true;
};

/// Compiles the program into one solid or a compound of solids, checked by
/// BRepCheck_Analyzer unless `options.checkValidity` is off. Thread-safe (no shared state). Throws
/// cad::Error naming the operation, profile, loop and curve at fault (open loop, self-intersection,
/// zero-length curve, empty boolean result, ...).
Shape compile(const Program& program, const CompileOptions& options = {});

} // namespace img2cad::cad
