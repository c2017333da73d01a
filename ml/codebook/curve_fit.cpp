// SPDX-License-Identifier: MIT
#include "ml/codebook/curve_fit.h"

#include <algorithm>
#include <cmath>

namespace img2cad::ml {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinLength = 1e-6; // normalised units: a chord this short is a point

struct ArcResidual {
    double l, dx, dy, k;   // the decoded columns
    double wl, wx, wy, wk; // 1 / error^2
    double cost(double length, double phi) const {
        const double a = std::cos(phi) - 1.0, b = std::sin(phi);
        const double rl = l - length, rx = dx - length * a, ry = dy - length * b,
                     rk = k - 2.0 * b / length;
        return wl * rl * rl + wx * rx * rx + wy * ry * ry + wk * rk * rk;
    }
    /// The best length for a given phi: the linear terms' closed form, then Newton steps for
    /// the curvature term (convex near the optimum; a step that does not lower the cost stops).
    double bestLength(double phi) const {
        const double a = std::cos(phi) - 1.0, b = std::sin(phi);
        double length = (wl * l + wx * dx * a + wy * dy * b) / (wl + wx * a * a + wy * b * b);
        length = std::max(length, kMinLength);
        for (int i = 0; i < 6; ++i) {
            const double kOfLength = 2.0 * b / length; // the curvature this length implies
            const double dk = -kOfLength / length, ddk = -2.0 * dk / length; // its derivatives
            const double rk = k - kOfLength;
            const double g = -2.0 * wl * (l - length) - 2.0 * wx * a * (dx - length * a) -
                             2.0 * wy * b * (dy - length * b) - 2.0 * wk * rk * dk;
            const double h = 2.0 * (wl + wx * a * a + wy * b * b) + 2.0 * wk * (dk * dk - rk * ddk);
            if (!(h > 0.0)) break;
            const double next = std::max(length - g / h, 0.5 * length);
            if (!(cost(next, phi) < cost(length, phi))) break;
            length = next;
        }
        return length;
    }
};

double square(double x) {
    return x * x;
}

} // namespace

ArcChord fitArcChord(double length, double offsetX, double offsetY, double curvature,
                     const CurveColumnErrors& errors) {
    const ArcResidual r{length,
                        offsetX,
                        offsetY,
                        curvature,
                        1.0 / square(errors.length),
                        1.0 / square(errors.offsetX),
                        1.0 / square(errors.offsetY),
                        1.0 / square(errors.curvature)};
    // The plain reading is a candidate: exact rows keep it exactly (zero residual).
    ArcChord best{std::hypot(length + offsetX, offsetY), std::atan2(offsetY, length + offsetX)};
    double bestCost = best.length > kMinLength ? r.cost(best.length, best.halfSweep) : HUGE_VAL;
    const auto consider = [&](double phi) {
        const double l = r.bestLength(phi);
        const double c = r.cost(l, phi);
        if (c < bestCost) {
            bestCost = c;
            best = {l, phi};
        }
    };
    // A coarse scan of phi, then finer ones around the best (the cost is smooth in phi).
    constexpr int kCoarse = 144;
    const double coarse = 2.0 * kPi / kCoarse;
    for (int i = 0; i < kCoarse; ++i)
        consider(-kPi + coarse * (i + 0.5));
    for (double step = coarse / 8.0; step > 1e-5; step /= 8.0) {
        const double centre = best.halfSweep;
        for (int i = -8; i <= 8; ++i)
            if (i != 0) consider(std::clamp(centre + step * i, -kPi + 1e-9, kPi - 1e-9));
    }
    return best;
}

double fitCircleRadius(double diameter, double curvature, const CurveColumnErrors& errors) {
    const double fromDiameter = diameter / 2.0;
    if (!(curvature > 0.0) || !(fromDiameter > 0.0)) return fromDiameter;
    const double fromCurvature = 1.0 / curvature;
    // Inverse-variance weights: the diameter's half errs by half its error; 1 / k by
    // error(k) r^2 at radius r (read at the diameter's estimate).
    const double varDiameter = square(errors.circleDiameter / 2.0);
    const double varCurvature = square(errors.curvature * fromDiameter * fromDiameter);
    return (fromDiameter / varDiameter + fromCurvature / varCurvature) /
           (1.0 / varDiameter + 1.0 / varCurvature);
}

} // namespace img2cad::ml
