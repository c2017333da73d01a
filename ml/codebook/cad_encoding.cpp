// SPDX-License-Identifier: MIT
#include "ml/codebook/cad_encoding.h"

#include "ml/codebook/curve_fit.h"
#include "ml/error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <tuple>
#include <variant>

namespace img2cad::ml {

using cad::Vec2;
using cad::Vec3;

namespace {

constexpr double kPi = 3.14159265358979323846;
/// Grid (normalised units) on which sort keys are compared, so that a decoded program, whose
/// numbers differ from the original's in the last bits, sorts and starts its loops the same.
constexpr double kKeyQuantum = 1e-9;
/// Polygon resolution (radians) for the normalisation box: arcs off by under 0.03 %.
constexpr double kBoxMaxAngle = 0.05;

std::int64_t quantised(double value) {
    return std::llround(value / kKeyQuantum);
}

double wrapAngle(double angle) {
    angle = std::remainder(angle, 2.0 * kPi); // [-pi, pi]
    return angle <= -kPi ? angle + 2.0 * kPi : angle;
}

Vec2 rotated(Vec2 v, double angle) {
    const double c = std::cos(angle);
    const double s = std::sin(angle);
    return {c * v.x - s * v.y, s * v.x + c * v.y};
}

std::string where(std::size_t extrude, std::size_t profile, std::size_t loop) {
    return "extrude " + std::to_string(extrude) + ", profile " + std::to_string(profile) +
           ", loop " + std::to_string(loop);
}

/// Tangent angle at a curve's start and its sweep (0 for lines): the end tangent is their sum.
struct CurveFrame {
    double startTangent = 0.0;
    double sweep = 0.0;
};

/// Range of signed offsets along the normal swept by an extent.
std::pair<double, double> extentRange(const cad::Extent& extent) {
    switch (extent.type) {
    case cad::ExtentType::OneSided:
        return {std::min(0.0, extent.distance), std::max(0.0, extent.distance)};
    case cad::ExtentType::Symmetric:
        return {-std::fabs(extent.distance), std::fabs(extent.distance)};
    case cad::ExtentType::TwoSided:
        return {std::min(-extent.distance2, extent.distance),
                std::max(-extent.distance2, extent.distance)};
    }
    return {0.0, 0.0};
}

/// DeepCAD-style normalisation from the sketches alone (no kernel): the box of every sketch
/// polygon swept over its extent, centred and scaled so its largest side is 1.
Normalisation normalisationOf(const cad::Program& program) {
    cad::BoundingBox box;
    for (const cad::Extrude& extrude : program.extrudes) {
        const auto [lo, hi] = extentRange(extrude.extent);
        for (const cad::Profile& profile : extrude.profiles)
            for (const cad::Loop& loop : profile.loops)
                for (const Vec2 p : cad::loopPolygon(loop, kBoxMaxAngle)) {
                    const Vec3 q = extrude.plane.toModel(p);
                    box.add(q + extrude.plane.normal * lo);
                    box.add(q + extrude.plane.normal * hi);
                }
    }
    const double side = box.isEmpty() ? 0.0 : box.largestSide();
    if (!(side > 0.0) || !std::isfinite(side))
        throw Error("cannot encode program '" + program.name +
                    "': its sketches span no volume (empty or degenerate bounding box)");
    return {box.center(), side};
}

/// A loop's curves scaled into normalised sketch units, checked.
std::vector<cad::Curve> scaledCurves(const cad::Loop& loop, double inverseScale,
                                     const std::string& place) {
    if (loop.curves.empty()) throw Error("cannot encode " + place + ": the loop has no curves");
    std::vector<cad::Curve> curves;
    for (const cad::Curve& curve : loop.curves) {
        if (const auto* line = std::get_if<cad::Line>(&curve)) {
            curves.push_back(cad::Line{line->start * inverseScale, line->end * inverseScale});
        } else if (const auto* arc = std::get_if<cad::Arc>(&curve)) {
            if (!cad::arcGeometry(*arc))
                throw Error("cannot encode " + place +
                            ": an arc's three points are collinear or coincide");
            curves.push_back(cad::Arc{arc->start * inverseScale, arc->mid * inverseScale,
                                      arc->end * inverseScale});
        } else {
            const auto& circle = std::get<cad::Circle>(curve);
            if (loop.curves.size() != 1)
                throw Error("cannot encode " + place +
                            ": a circle shares its loop with other "
                            "curves");
            if (!(circle.radius > 0.0))
                throw Error("cannot encode " + place + ": a circle has no positive radius");
            curves.push_back(
                cad::Circle{circle.center * inverseScale, circle.radius * inverseScale});
        }
    }
    for (const cad::Curve& curve : curves)
        if (!cad::curveStart(curve).isFinite() || !cad::curveEnd(curve).isFinite())
            throw Error("cannot encode " + place + ": non-finite coordinates");
    return curves;
}

/// Canonical loop: counter-clockwise (the compiler orients loops itself, so orientation
/// carries no information) and starting at the curve whose start point is least by (x, y)
/// on the key grid, DeepCAD's bottom-left rule.
std::vector<cad::Curve> canonicalLoop(std::vector<cad::Curve> curves) {
    if (cad::signedArea(cad::loopPolygon(cad::Loop{curves})) < 0.0) {
        std::reverse(curves.begin(), curves.end());
        for (cad::Curve& curve : curves)
            curve = cad::reversed(curve);
    }
    const auto key = [](const cad::Curve& curve) {
        const Vec2 p = cad::curveStart(curve);
        return std::pair{quantised(p.x), quantised(p.y)};
    };
    std::size_t first = 0;
    for (std::size_t i = 1; i < curves.size(); ++i)
        if (key(curves[i]) < key(curves[first])) first = i;
    std::rotate(curves.begin(), curves.begin() + std::ptrdiff_t(first), curves.end());
    return curves;
}

/// Exact axis-aligned box of a loop in its sketch plane (arcs include their axis extremes).
std::pair<Vec2, Vec2> loopBox(const std::vector<cad::Curve>& curves) {
    Vec2 lo{INFINITY, INFINITY};
    Vec2 hi{-INFINITY, -INFINITY};
    const auto add = [&](Vec2 p) {
        lo = {std::min(lo.x, p.x), std::min(lo.y, p.y)};
        hi = {std::max(hi.x, p.x), std::max(hi.y, p.y)};
    };
    for (const cad::Curve& curve : curves) {
        if (const auto* circle = std::get_if<cad::Circle>(&curve)) {
            add(circle->center - Vec2{circle->radius, circle->radius});
            add(circle->center + Vec2{circle->radius, circle->radius});
            continue;
        }
        add(cad::curveStart(curve));
        add(cad::curveEnd(curve));
        if (const auto* arc = std::get_if<cad::Arc>(&curve)) {
            const auto geometry = cad::arcGeometry(*arc);
            const double a0 =
                std::min(geometry->startAngle, geometry->startAngle + geometry->sweep);
            const double a1 =
                std::max(geometry->startAngle, geometry->startAngle + geometry->sweep);
            // Every multiple of pi/2 inside the swept interval is an axis extreme.
            for (double k = std::ceil(a0 / (kPi / 2)); k * (kPi / 2) <= a1; k += 1.0)
                add(geometry->center +
                    Vec2{std::cos(k * kPi / 2), std::sin(k * kPi / 2)} * geometry->radius);
        }
    }
    return {lo, hi};
}

double loopScore(Vec2 lo, Vec2 hi) {
    const double w = hi.x - lo.x;
    const double h = hi.y - lo.y;
    return w * h + kScoreAlpha * std::hypot(w, h) - kScoreBeta * (lo.x + lo.y);
}

CurveFrame curveFrame(const cad::Curve& curve) {
    if (const auto* line = std::get_if<cad::Line>(&curve)) {
        const Vec2 d = line->end - line->start;
        return {std::atan2(d.y, d.x), 0.0};
    }
    if (const auto* arc = std::get_if<cad::Arc>(&curve)) {
        const auto geometry = cad::arcGeometry(*arc);
        const double side = geometry->sweep > 0.0 ? kPi / 2 : -kPi / 2;
        return {geometry->startAngle + side, geometry->sweep};
    }
    return {kPi / 2, 2.0 * kPi}; // a circle runs counter-clockwise from its rightmost point
}

/// CC rows of one canonical loop, followed by its EOS row. The heading is tracked exactly as
/// the decoder tracks it, so that decoding does not drift from the encoder's frames.
void appendLoopRows(const std::vector<cad::Curve>& curves, double startAngle,
                    std::vector<CcRow>& rows) {
    double heading = startAngle; // tangent at the end of the previous curve
    for (const cad::Curve& curve : curves) {
        CcRow row{};
        const CurveFrame frame = curveFrame(curve);
        if (const auto* circle = std::get_if<cad::Circle>(&curve)) {
            // Diameter as l; the offset cancels it, so the circle's displacement is zero.
            row[kCcLength] = 2.0 * circle->radius;
            row[kCcTurn] = wrapAngle(frame.startTangent - heading);
            row[kCcCurvature] = 1.0 / circle->radius;
            row[kCcOffsetX] = -row[kCcLength];
            row[kCcTypeArcCircle] = 1.0;
            rows.push_back(row);
            continue;
        }
        const Vec2 chord = cad::curveEnd(curve) - cad::curveStart(curve);
        const double length = chord.norm();
        row[kCcLength] = length;
        row[kCcTurn] = wrapAngle(frame.startTangent - heading);
        const double currentHeading = heading + row[kCcTurn];
        if (std::holds_alternative<cad::Line>(curve)) {
            row[kCcTypeLine] = 1.0;
            heading = currentHeading;
        } else {
            const Vec2 local = rotated(chord, -currentHeading);
            row[kCcCurvature] = 2.0 * std::sin(frame.sweep / 2.0) / length;
            row[kCcOffsetX] = local.x - length;
            row[kCcOffsetY] = local.y;
            row[kCcTypeArcCircle] = 1.0;
            heading = currentHeading + 2.0 * std::atan2(local.y, local.x);
        }
        rows.push_back(row);
    }
    CcRow eos{};
    eos[kCcTypeEos] = 1.0;
    rows.push_back(eos);
}

EbRow ebRow(const cad::Extrude& extrude, const Normalisation& n) {
    EbRow row{};
    const Vec3 normal = extrude.plane.normal;
    const Vec3 origin = (extrude.plane.origin - n.center) * (1.0 / n.scale);
    row[kEbNormalX] = normal.x;
    row[kEbNormalY] = normal.y;
    row[kEbNormalZ] = normal.z;
    row[kEbOriginX] = origin.x;
    row[kEbOriginY] = origin.y;
    row[kEbOriginZ] = origin.z;
    row[kEbDepth] = extrude.extent.distance / n.scale;
    switch (extrude.op) {
    case cad::BooleanOp::NewBody:
        row[kEbOpNew] = 1.0;
        break;
    case cad::BooleanOp::Join:
        row[kEbOpJoin] = 1.0;
        break;
    case cad::BooleanOp::Cut:
        row[kEbOpCut] = 1.0;
        break;
    case cad::BooleanOp::Intersect:
        row[kEbOpIntersect] = 1.0;
        break;
    }
    const Vec3 reference = referenceXAxis(normal);
    const Vec3 x = extrude.plane.xAxis;
    row[kEbXAxisAngle] = wrapAngle(std::atan2(normal.cross(reference).dot(x), reference.dot(x)));
    switch (extrude.extent.type) {
    case cad::ExtentType::OneSided:
        row[kEbExtentOneSided] = 1.0;
        break;
    case cad::ExtentType::Symmetric:
        row[kEbExtentSymmetric] = 1.0;
        break;
    case cad::ExtentType::TwoSided:
        row[kEbExtentTwoSided] = 1.0;
        row[kEbDepth2] = extrude.extent.distance2 / n.scale;
        break;
    }
    return row;
}

/// Index of the largest of `count` values from `first` (first on ties).
template <typename Row> std::size_t argmax(const Row& row, std::size_t first, std::size_t count) {
    std::size_t best = first;
    for (std::size_t i = first + 1; i < first + count; ++i)
        if (row[i] > row[best]) best = i;
    return best - first;
}

/// The first EOS row at or after `row` (the end of that loop's curves), or the rows' end.
std::size_t loopEnd(const std::vector<CcRow>& curves, std::size_t row) {
    while (row < curves.size() && argmax(curves[row], kCcTypeLine, 3) != 2)
        ++row;
    return row;
}

/// One loop from its SP row and CC rows, in normalised sketch units. `repair`: a one-curve loop
/// typed as a line is read as what it must be, a circle (the commonest decoding failure of
/// sampled sequences left after the others were repaired).
cad::Loop decodeLoop(const SpRow& sp, const CcRow* rows, std::size_t count,
                     const std::string& place, bool repair = false) {
    if (count == 0) throw Error("cannot decode " + place + ": the loop has no curves");
    const Vec2 start{sp[kSpStartX], sp[kSpStartY]};
    double heading = sp[kSpStartAngle];
    cad::Loop loop;
    if (count == 1) {
        const CcRow& row = rows[0];
        if (argmax(row, kCcTypeLine, 3) != 1 && !repair)
            throw Error("cannot decode " + place + ": a one-curve loop must be a circle");
        // The only closed single curve is a circle; l is its diameter (curve_fit.h).
        const double radius = fitCircleRadius(row[kCcLength], row[kCcCurvature]);
        if (!(radius > 0.0)) throw Error("cannot decode " + place + ": circle without radius");
        const Vec2 center = start + rotated(Vec2{0.0, radius}, heading + row[kCcTurn]);
        loop.curves.push_back(cad::Circle{center, radius});
        return loop;
    }
    // Walk the loop: every curve's end point (and an arc's sweep) from the relative features.
    // A line's chord lies along its tangent by definition, so its offsets are read as zero:
    // a model's small non-zero offsets would only bend it (median CD 4.06 -> 3.52 x10^2 on
    // 150 test programs; validity unchanged). An arc's chord is the one most consistent with
    // all four of its columns (curve_fit.h).
    std::vector<Vec2> ends(count);
    std::vector<double> sweeps(count, 0.0);
    std::vector<bool> arcs(count, false);
    Vec2 point = start;
    for (std::size_t i = 0; i < count; ++i) {
        const CcRow& row = rows[i];
        heading += row[kCcTurn];
        arcs[i] = argmax(row, kCcTypeLine, 3) != 0;
        Vec2 local{row[kCcLength], 0.0};
        if (arcs[i]) {
            const ArcChord chord =
                fitArcChord(row[kCcLength], row[kCcOffsetX], row[kCcOffsetY], row[kCcCurvature]);
            local = Vec2{std::cos(chord.halfSweep), std::sin(chord.halfSweep)} * chord.length;
            sweeps[i] = 2.0 * chord.halfSweep;
        }
        point = point + rotated(local, heading);
        ends[i] = point;
        heading += sweeps[i];
    }
    // The loop closes by definition: the closure residual is a loss, not geometry. A model's
    // walk misses the start by a little; that miss is spread over the vertices in proportion
    // to the distance walked (Bowditch's rule for survey traverses) rather than dumped into the
    // last curve, which would then cross the first. Exact features miss by nothing.
    const Vec2 miss = ends.back() - start;
    std::vector<double> walked(count + 1, 0.0);
    for (std::size_t i = 0; i < count; ++i)
        walked[i + 1] = walked[i] + (ends[i] - (i == 0 ? start : ends[i - 1])).norm();
    const double total = walked.back() > 0.0 ? walked.back() : 1.0;
    for (std::size_t i = 0; i < count; ++i)
        ends[i] = ends[i] - miss * (walked[i + 1] / total);
    ends.back() = start;

    Vec2 from = start;
    for (std::size_t i = 0; i < count; ++i) {
        const Vec2 end = ends[i];
        if (!arcs[i]) {
            loop.curves.push_back(cad::Line{from, end});
        } else {
            // The arc through its adjusted chord with the decoded sweep: its mid point lies on
            // the chord's perpendicular bisector, at the sagitta of that sweep.
            const Vec2 chord = end - from;
            const double halfSweep = sweeps[i] / 2.0;
            const Vec2 normal{-chord.y, chord.x};
            const Vec2 mid = from + chord * 0.5 + normal * (-0.5 * std::tan(halfSweep / 2.0));
            loop.curves.push_back(cad::Arc{from, mid, end});
        }
        from = end;
    }
    return loop;
}

template <std::size_t N> FeatureMatrix matrixOf(const std::vector<std::array<double, N>>& rows) {
    FeatureMatrix matrix{rows.size(), N, {}};
    matrix.values.reserve(rows.size() * N);
    for (const auto& row : rows)
        for (const double value : row)
            matrix.values.push_back(float(value));
    return matrix;
}

template <std::size_t N>
std::vector<std::array<double, N>> rowsOf(const FeatureMatrix& matrix, const char* level) {
    if (matrix.cols != N || matrix.values.size() != matrix.rows * matrix.cols)
        throw Error(std::string(level) + " matrix has " + std::to_string(matrix.rows) + " x " +
                    std::to_string(matrix.cols) + " shape for " +
                    std::to_string(matrix.values.size()) + " values; expected " +
                    std::to_string(N) + " columns");
    std::vector<std::array<double, N>> rows(matrix.rows);
    for (std::size_t r = 0; r < matrix.rows; ++r)
        for (std::size_t c = 0; c < N; ++c)
            rows[r][c] = double(matrix.values[r * N + c]);
    return rows;
}

} // namespace

Vec3 referenceXAxis(Vec3 normal) {
    const double a[3] = {std::fabs(normal.x), std::fabs(normal.y), std::fabs(normal.z)};
    const std::size_t least = std::size_t(std::min_element(a, a + 3) - a);
    const Vec3 axis = least == 0 ? Vec3{1, 0, 0} : least == 1 ? Vec3{0, 1, 0} : Vec3{0, 0, 1};
    return (axis - normal * axis.dot(normal)).normalized();
}

EncodedProgram encodeProgram(const cad::Program& program) {
    if (program.extrudes.empty())
        throw Error("cannot encode program '" + program.name + "': it has no extrudes");
    EncodedProgram encoded;
    encoded.name = program.name;
    encoded.normalisation = normalisationOf(program);
    const double inverseScale = 1.0 / encoded.normalisation.scale;

    for (std::size_t e = 0; e < program.extrudes.size(); ++e) {
        const cad::Extrude& extrude = program.extrudes[e];
        if (!extrude.plane.normal.isFinite() || !extrude.plane.origin.isFinite() ||
            !extrude.plane.xAxis.isFinite() || !std::isfinite(extrude.extent.distance) ||
            !std::isfinite(extrude.extent.distance2))
            throw Error("cannot encode extrude " + std::to_string(e) +
                        ": non-finite plane or extent");
        EncodedExtrude out;
        out.eb = ebRow(extrude, encoded.normalisation);

        struct LoopItem {
            std::vector<cad::Curve> curves;
            std::size_t profile = 0;
            std::size_t order = 0;
            double score = 0.0;
            std::tuple<std::int64_t, std::int64_t, std::int64_t> key;
        };
        std::vector<LoopItem> items;
        for (std::size_t p = 0; p < extrude.profiles.size(); ++p)
            for (std::size_t l = 0; l < extrude.profiles[p].loops.size(); ++l) {
                LoopItem item;
                item.curves = canonicalLoop(
                    scaledCurves(extrude.profiles[p].loops[l], inverseScale, where(e, p, l)));
                const auto [lo, hi] = loopBox(item.curves);
                item.profile = p;
                item.order = items.size();
                item.score = loopScore(lo, hi);
                // Descending score; ties by the box's (x, y) corner, then source order.
                item.key = {-quantised(item.score), quantised(lo.x), quantised(lo.y)};
                items.push_back(std::move(item));
            }
        if (items.empty())
            throw Error("cannot encode extrude " + std::to_string(e) + ": it has no loops");
        std::stable_sort(items.begin(), items.end(),
                         [](const LoopItem& a, const LoopItem& b) { return a.key < b.key; });

        // Profiles are renumbered in order of first appearance, so the id is canonical.
        std::vector<std::ptrdiff_t> profileId(extrude.profiles.size(), -1);
        std::ptrdiff_t nextId = 0;
        for (const LoopItem& item : items) {
            if (profileId[item.profile] < 0) profileId[item.profile] = nextId++;
            SpRow sp{};
            const Vec2 start = cad::curveStart(item.curves.front());
            sp[kSpScore] = item.score;
            sp[kSpStartX] = start.x;
            sp[kSpStartY] = start.y;
            sp[kSpStartAngle] = wrapAngle(curveFrame(item.curves.front()).startTangent);
            sp[kSpProfile] = double(profileId[item.profile]);
            out.loops.push_back(sp);
            appendLoopRows(item.curves, sp[kSpStartAngle], out.curves);
        }
        encoded.extrudes.push_back(std::move(out));
    }
    return encoded;
}

cad::Program decodeProgram(const EncodedProgram& encoded, DecodeMode mode) {
    const bool repair = mode == DecodeMode::Repair;
    const Normalisation& n = encoded.normalisation;
    if (!(n.scale > 0.0) || !std::isfinite(n.scale) || !n.center.isFinite())
        throw Error("cannot decode: invalid normalisation");
    cad::Program program;
    program.name = encoded.name;
    for (std::size_t e = 0; e < encoded.extrudes.size(); ++e) {
        const EncodedExtrude& in = encoded.extrudes[e];
        const EbRow& eb = in.eb;
        cad::Extrude extrude;
        const Vec3 normal{eb[kEbNormalX], eb[kEbNormalY], eb[kEbNormalZ]};
        if (!(normal.norm() > 0.0) || !normal.isFinite())
            throw Error("cannot decode extrude " + std::to_string(e) + ": zero sketch normal");
        extrude.plane.normal = normal.normalized();
        const Vec3 reference = referenceXAxis(extrude.plane.normal);
        const double gamma = eb[kEbXAxisAngle];
        extrude.plane.xAxis =
            reference * std::cos(gamma) + extrude.plane.normal.cross(reference) * std::sin(gamma);
        extrude.plane.origin =
            Vec3{eb[kEbOriginX], eb[kEbOriginY], eb[kEbOriginZ]} * n.scale + n.center;
        constexpr cad::BooleanOp kOps[] = {cad::BooleanOp::NewBody, cad::BooleanOp::Join,
                                           cad::BooleanOp::Cut, cad::BooleanOp::Intersect};
        extrude.op = kOps[argmax(eb, kEbOpNew, 4)];
        constexpr cad::ExtentType kTypes[] = {cad::ExtentType::OneSided, cad::ExtentType::Symmetric,
                                              cad::ExtentType::TwoSided};
        extrude.extent.type = kTypes[argmax(eb, kEbExtentOneSided, 3)];
        extrude.extent.distance = eb[kEbDepth] * n.scale;
        if (extrude.extent.type == cad::ExtentType::TwoSided)
            extrude.extent.distance2 = eb[kEbDepth2] * n.scale;

        std::size_t row = 0;
        for (std::size_t l = 0; l < in.loops.size(); ++l) {
            const std::string place =
                "extrude " + std::to_string(e) + ", loop " + std::to_string(l);
            const std::size_t first = row;
            row = loopEnd(in.curves, row);
            if (row == in.curves.size() && !repair)
                throw Error("cannot decode " + place + ": its curves end without EOS");
            cad::Loop loop;
            try {
                loop =
                    decodeLoop(in.loops[l], in.curves.data() + first, row - first, place, repair);
            } catch (const Error&) {
                if (!repair) throw; // repaired: `loop` stays empty, dropped once its EOS is skipped
            }
            if (row < in.curves.size()) ++row; // the EOS (a repaired loop may have none)
            if (loop.curves.empty()) continue;
            for (cad::Curve& curve : loop.curves)
                curve = cad::scaledAbout(curve, Vec2{}, n.scale); // to mm
            const double id = std::round(in.loops[l][kSpProfile]);
            if (!(id >= 0.0) || id > double(in.loops.size())) {
                if (repair) continue; // drop the loop
                throw Error("cannot decode " + place + ": profile id out of range");
            }
            if (extrude.profiles.size() <= std::size_t(id))
                extrude.profiles.resize(std::size_t(id) + 1);
            extrude.profiles[std::size_t(id)].loops.push_back(std::move(loop));
        }
        if (row < in.curves.size() && !repair)
            throw Error("cannot decode extrude " + std::to_string(e) + ": " +
                        std::to_string(in.curves.size() - row) +
                        " CC rows after the last loop's EOS");
        // Ids a network skipped would leave empty profiles: drop them.
        extrude.profiles.erase(
            std::remove_if(extrude.profiles.begin(), extrude.profiles.end(),
                           [](const cad::Profile& p) { return p.loops.empty(); }),
            extrude.profiles.end());
        if (repair && extrude.profiles.empty()) continue;
        program.extrudes.push_back(std::move(extrude));
    }
    if (repair && program.extrudes.empty())
        throw Error("cannot decode: no extrude could be repaired");
    return program;
}

std::vector<cad::Loop> decodeExtrudeLoops(const std::vector<SpRow>& loops,
                                          const std::vector<CcRow>& curves) {
    std::vector<cad::Loop> result;
    std::size_t row = 0;
    for (const SpRow& sp : loops) {
        const std::size_t first = row;
        row = loopEnd(curves, row);
        cad::Loop loop;
        try {
            loop = decodeLoop(sp, curves.data() + first, row - first, "a loop");
        } catch (const Error&) {
        }
        result.push_back(std::move(loop));
        if (row < curves.size()) ++row; // its EOS
    }
    return result;
}

double closureResidual(const std::vector<CcRow>& loopCurves) {
    Vec2 sum;
    double heading = 0.0;
    for (const CcRow& row : loopCurves) {
        const std::size_t type = argmax(row, kCcTypeLine, 3);
        if (type == 2) continue;
        heading += row[kCcTurn];
        const Vec2 local{row[kCcLength] + row[kCcOffsetX], row[kCcOffsetY]};
        sum = sum + rotated(local, heading);
        if (type == 1) heading += 2.0 * std::atan2(local.y, local.x);
    }
    return sum.dot(sum);
}

double closureResidual(const EncodedProgram& encoded) {
    double total = 0.0;
    for (const EncodedExtrude& extrude : encoded.extrudes) {
        std::vector<CcRow> loop;
        for (const CcRow& row : extrude.curves) {
            if (argmax(row, kCcTypeLine, 3) == 2) {
                total += closureResidual(loop);
                loop.clear();
            } else {
                loop.push_back(row);
            }
        }
        total += closureResidual(loop);
    }
    return total;
}

ProgramMatrices toMatrices(const EncodedProgram& encoded) {
    ProgramMatrices matrices;
    matrices.name = encoded.name;
    matrices.normalisation = encoded.normalisation;
    std::vector<EbRow> eb;
    for (const EncodedExtrude& extrude : encoded.extrudes) {
        eb.push_back(extrude.eb);
        matrices.sp.push_back(matrixOf(extrude.loops));
        matrices.cc.push_back(matrixOf(extrude.curves));
    }
    matrices.eb = matrixOf(eb);
    return matrices;
}

EncodedProgram fromMatrices(const ProgramMatrices& matrices) {
    const auto eb = rowsOf<kEbDim>(matrices.eb, "EB");
    if (matrices.sp.size() != eb.size() || matrices.cc.size() != eb.size())
        throw Error("EB matrix has " + std::to_string(eb.size()) + " rows but there are " +
                    std::to_string(matrices.sp.size()) + " SP and " +
                    std::to_string(matrices.cc.size()) + " CC matrices");
    EncodedProgram encoded;
    encoded.name = matrices.name;
    encoded.normalisation = matrices.normalisation;
    for (std::size_t e = 0; e < eb.size(); ++e)
        encoded.extrudes.push_back(
            {eb[e], rowsOf<kSpDim>(matrices.sp[e], "SP"), rowsOf<kCcDim>(matrices.cc[e], "CC")});
    return encoded;
}

} // namespace img2cad::ml

namespace img2cad::ml {

FlatProgram encodeFlat(const cad::Program& program) {
    // The hierarchical round trip yields the canonical program (loop order, orientation and
    // start, arc mid points), so both encodings share one order.
    const EncodedProgram encoded = encodeProgram(program);
    const cad::Program canonical = decodeProgram(encoded);
    FlatProgram flat{encoded.name, encoded.normalisation, {}};
    const double inverseScale = 1.0 / flat.normalisation.scale;
    const auto add = [&](std::size_t type, std::initializer_list<double> params) {
        FlatRow row{};
        row[type] = 1.0;
        std::size_t column = kFlatParams;
        for (const double value : params)
            row[column++] = value * inverseScale;
        flat.rows.push_back(row);
        return &flat.rows.back();
    };
    for (std::size_t e = 0; e < canonical.extrudes.size(); ++e) {
        for (const cad::Profile& profile : canonical.extrudes[e].profiles) {
            for (const cad::Loop& loop : profile.loops) {
                for (const cad::Curve& curve : loop.curves) {
                    if (const auto* line = std::get_if<cad::Line>(&curve))
                        add(kFlatTypeLine, {line->start.x, line->start.y});
                    else if (const auto* arc = std::get_if<cad::Arc>(&curve))
                        add(kFlatTypeArc, {arc->start.x, arc->start.y, arc->mid.x, arc->mid.y});
                    else {
                        const auto& circle = std::get<cad::Circle>(curve);
                        add(kFlatTypeCircle, {circle.center.x, circle.center.y, circle.radius});
                    }
                }
                add(kFlatTypeEndLoop, {});
            }
            add(kFlatTypeEndProfile, {});
        }
        FlatRow* row = add(kFlatTypeExtrude, {});
        std::copy(encoded.extrudes[e].eb.begin(), encoded.extrudes[e].eb.end(),
                  row->begin() + kFlatParams);
    }
    return flat;
}

cad::Program decodeFlat(const FlatProgram& flat) {
    const double scale = flat.normalisation.scale;
    if (!(scale > 0.0) || !std::isfinite(scale)) throw Error("cannot decode: invalid scale");
    cad::Program program;
    program.name = flat.name;
    // The curves of the open loop as (type, row); ends are known only when the next starts.
    std::vector<const FlatRow*> pending;
    cad::Profile profile;
    cad::Extrude extrude;
    const auto point = [&](const FlatRow& row, std::size_t i) {
        return Vec2{row[kFlatParams + i], row[kFlatParams + i + 1]} * scale;
    };
    for (std::size_t r = 0; r < flat.rows.size(); ++r) {
        const FlatRow& row = flat.rows[r];
        const std::size_t type = argmax(row, kFlatTypeLine, kFlatParams);
        if (type <= kFlatTypeCircle) {
            pending.push_back(&row);
        } else if (type == kFlatTypeEndLoop) {
            if (pending.empty())
                throw Error("cannot decode flat row " + std::to_string(r) + ": empty loop");
            cad::Loop loop;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                const FlatRow& curve = *pending[i];
                const std::size_t curveType = argmax(curve, kFlatTypeLine, kFlatParams);
                const Vec2 end = point(*pending[(i + 1) % pending.size()], 0);
                if (curveType == kFlatTypeLine)
                    loop.curves.push_back(cad::Line{point(curve, 0), end});
                else if (curveType == kFlatTypeArc)
                    loop.curves.push_back(cad::Arc{point(curve, 0), point(curve, 2), end});
                else
                    loop.curves.push_back(
                        cad::Circle{point(curve, 0), curve[kFlatParams + 2] * scale});
            }
            profile.loops.push_back(std::move(loop));
            pending.clear();
        } else if (type == kFlatTypeEndProfile) {
            extrude.profiles.push_back(std::move(profile));
            profile = {};
        } else {
            // The EB part decodes through the hierarchical decoder's plane and extent rules.
            EncodedExtrude eb;
            std::copy(row.begin() + kFlatParams, row.end(), eb.eb.begin());
            const cad::Program one = decodeProgram({"", flat.normalisation, {eb}});
            extrude.plane = one.extrudes[0].plane;
            extrude.extent = one.extrudes[0].extent;
            extrude.op = one.extrudes[0].op;
            program.extrudes.push_back(std::move(extrude));
            extrude = {};
        }
    }
    if (!pending.empty() || !profile.loops.empty() || !extrude.profiles.empty())
        throw Error("cannot decode flat rows: the last sketch has no extrude row");
    return program;
}

FeatureMatrix flatMatrix(const FlatProgram& flat) {
    return matrixOf(flat.rows);
}

} // namespace img2cad::ml
