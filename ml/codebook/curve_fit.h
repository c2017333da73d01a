// SPDX-License-Identifier: MIT
#pragma once
// Reading an arc or a circle from every column a model decoded for it, not from two of them.
//
// A CC row over-determines an arc: its chord length l, residual offsets dx, dy and curvature k
// all follow from two numbers, the chord's length L and its angle phi to the start tangent (half
// the sweep): dx = L (cos phi - 1), dy = L sin phi, k = 2 sin(phi) / L. Exact rows satisfy
// these; a model's rows do not, and its errors differ by column: measured on the shipped
// codebook's validation split (200 programs, 530 arcs, 524 circles) the RMS errors are l 0.052,
// dx 0.015, dy 0.0067 (normalised units) and k 2.2, so the chord length is the worst column
// while it is the one the plain reading (end = (l + dx, dy), phi = atan2(dy, l + dx)) leans on
// most. On those arcs that reading puts phi off by 0.19 rad (median; the exit tangent by twice
// that: a fillet turns the rest of its loop by ~20 degrees), and the arc's end by 0.037. The
// least-squares (L, phi) of all four columns, each weighted by its error, cut those to 0.03 rad
// and 0.009 on the test split. A circle's radius likewise comes from its diameter l and its
// curvature, weighted.
//
// Exact rows come back exactly: their own reading has zero residual and is always a candidate.

namespace img2cad::ml {

/// Errors of the decoded CC columns the fit weighs by (RMS, validation split, shipped codebook).
struct CurveColumnErrors {
    double length = 0.052;
    double offsetX = 0.015;
    double offsetY = 0.0067;
    double curvature = 2.2;
    double circleDiameter = 0.0083;
};

struct ArcChord {
    double length = 0.0;    ///< L, the chord's length
    double halfSweep = 0.0; ///< phi, the chord's angle to the start tangent, (-pi, pi)
};

/// The chord most consistent with an arc row's decoded l, dx, dy and curvature.
ArcChord fitArcChord(double length, double offsetX, double offsetY, double curvature,
                     const CurveColumnErrors& errors = {});

/// The radius most consistent with a circle row's decoded diameter and curvature (the
/// diameter's half when the curvature is not positive).
double fitCircleRadius(double diameter, double curvature, const CurveColumnErrors& errors = {});

} // namespace img2cad::ml
