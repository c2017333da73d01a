// SPDX-License-Identifier: MIT
#pragma once
// Face unification (ShapeUpgrade_UnifySameDomain) behind a time and memory limit. OCC 7.6's
// can loop for good and grow without bound on some solids (OCCT bugs 0032949 and #925, fixed
// upstream after 7.6); no progress indicator or flag stops it from outside, so it runs in a
// helper process (forked on first use) that is killed, and started again on the next merge,
// when it outruns its limits.

#include <TopoDS_Shape.hxx>

#include <cstddef>

namespace img2cad::cad {

struct FaceUnificationLimits {
    /// Wall-clock seconds the merge may take: it takes milliseconds (1.7 ms for a 24-face
    /// fitted candidate), a looping one never ends.
    double seconds = 5.0;
    /// Memory it may ask for beyond the process's own (the looping merge grows by about a
    /// gigabyte every few seconds: 24 GB before the system killed an eval, docs/results.md).
    std::size_t extraBytes = std::size_t(2) << 30;
};

/// `shape` with the pieces its booleans left of one planar face merged (the edges of curved
/// faces kept as they are: merging those is where 7.6 loops most, fuzz/regressions/
/// occ_compile/unify-loop.json), or `shape` unchanged when the merge fails, outruns `limits`
/// or no helper process can be started. Never hangs; thread-safe (merges take turns).
TopoDS_Shape unifiedFaces(const TopoDS_Shape& shape, const FaceUnificationLimits& limits = {});

} // namespace img2cad::cad
