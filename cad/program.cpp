// SPDX-License-Identifier: MIT
#include "cad/program.h"

#include "cad/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace img2cad::cad {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Plane axes come from files and decoders: unit and orthogonal to this tolerance.
constexpr double kAxisTolerance = 1e-6;

std::string format(Vec2 p) {
    std::ostringstream text;
    text << "(" << p.x << ", " << p.y << ")";
    return text.str();
}

struct Validator {
    double closureTolerance;
    ProgramLocation where;

    [[noreturn]] void fail(const std::string& message) const { throw Error(message, where); }

    void requireFinite(Vec2 p, const char* what) const {
        if (!p.isFinite()) fail(std::string(what) + " is not a finite number");
        if (std::fabs(p.x) > ProgramLimits::kMaxCoordinate ||
            std::fabs(p.y) > ProgramLimits::kMaxCoordinate)
            fail(std::string(what) + " " + format(p) + " is farther than 10 km from the origin");
    }

    void checkPlane(const SketchPlane& plane) const {
        if (!plane.origin.isFinite() || !plane.xAxis.isFinite() || !plane.normal.isFinite())
            fail("sketch plane has a coordinate that is not a finite number");
        if (std::fabs(plane.xAxis.norm() - 1.0) > kAxisTolerance)
            fail("sketch plane x axis is not a unit vector");
        if (std::fabs(plane.normal.norm() - 1.0) > kAxisTolerance)
            fail("sketch plane normal is not a unit vector");
        if (std::fabs(plane.xAxis.dot(plane.normal)) > kAxisTolerance)
            fail("sketch plane x axis is not perpendicular to its normal");
    }

    void checkCurve(const Curve& curve) const {
        if (const auto* line = std::get_if<Line>(&curve)) {
            requireFinite(line->start, "line start");
            requireFinite(line->end, "line end");
            if ((line->end - line->start).norm() <= closureTolerance)
                fail("zero-length line at " + format(line->start));
        } else if (const auto* arc = std::get_if<Arc>(&curve)) {
            requireFinite(arc->start, "arc start");
            requireFinite(arc->mid, "arc mid point");
            requireFinite(arc->end, "arc end");
            if ((arc->end - arc->start).norm() <= closureTolerance)
                fail("arc starts and ends at the same point " + format(arc->start) +
                     " (a full turn must be a circle)");
            if (!arcGeometry(*arc))
                fail("degenerate arc: its three points " + format(arc->start) + ", " +
                     format(arc->mid) + ", " + format(arc->end) + " are collinear");
        } else {
            const auto& circle = std::get<Circle>(curve);
            requireFinite(circle.center, "circle centre");
            if (!std::isfinite(circle.radius)) fail("circle radius is not a finite number");
            if (circle.radius <= closureTolerance)
                fail("circle radius " + std::to_string(circle.radius) + " mm is not positive");
        }
    }

    void checkLoop(const Loop& loop) {
        if (loop.curves.empty()) fail("loop has no curves");
        if (loop.curves.size() > ProgramLimits::kMaxCurvesPerLoop)
            fail("loop has " + std::to_string(loop.curves.size()) + " curves; the limit is " +
                 std::to_string(ProgramLimits::kMaxCurvesPerLoop));
        const bool hasCircle = std::any_of(loop.curves.begin(), loop.curves.end(), [](auto& c) {
            return std::holds_alternative<Circle>(c);
        });
        if (hasCircle && loop.curves.size() > 1) fail("a circle must be alone in its loop");
        for (std::size_t i = 0; i < loop.curves.size(); ++i) {
            where.curve = int(i);
            checkCurve(loop.curves[i]);
        }
        for (std::size_t i = 0; i < loop.curves.size() && !hasCircle; ++i) {
            const std::size_t next = (i + 1) % loop.curves.size();
            const Vec2 end = curveEnd(loop.curves[i]);
            const Vec2 start = curveStart(loop.curves[next]);
            const double gap = (start - end).norm();
            if (gap > closureTolerance) {
                where.curve = int(i);
                std::ostringstream text;
                text << "loop is open: curve " << i << " ends at " << format(end) << " but curve "
                     << next << " starts at " << format(start) << " (gap " << gap << " mm)";
                fail(text.str());
            }
        }
        where.curve = -1;
    }

    void checkExtent(const Extent& extent) const {
        if (!std::isfinite(extent.distance) || !std::isfinite(extent.distance2))
            fail("extrude distance is not a finite number");
        if (std::fabs(extent.distance) > ProgramLimits::kMaxCoordinate ||
            std::fabs(extent.distance2) > ProgramLimits::kMaxCoordinate)
            fail("extrude distance is longer than 10 km");
        double depth = 0.0;
        switch (extent.type) {
        case ExtentType::OneSided:
            depth = std::fabs(extent.distance);
            break;
        case ExtentType::Symmetric:
            depth = 2.0 * extent.distance;
            break;
        case ExtentType::TwoSided:
            depth = extent.distance + extent.distance2;
            break;
        }
        if (!(depth > closureTolerance))
            fail("extrude depth " + std::to_string(depth) + " mm is not positive");
    }
};

} // namespace

const char* booleanOpName(BooleanOp op) {
    switch (op) {
    case BooleanOp::NewBody:
        return "NewBody";
    case BooleanOp::Join:
        return "Join";
    case BooleanOp::Cut:
        return "Cut";
    case BooleanOp::Intersect:
        return "Intersect";
    }
    return "?";
}

const char* extentTypeName(ExtentType type) {
    switch (type) {
    case ExtentType::OneSided:
        return "OneSided";
    case ExtentType::Symmetric:
        return "Symmetric";
    case ExtentType::TwoSided:
        return "TwoSided";
    }
    return "?";
}

std::size_t curveCount(const Program& program) {
    std::size_t count = 0;
    for (const Extrude& extrude : program.extrudes)
        for (const Profile& profile : extrude.profiles)
            for (const Loop& loop : profile.loops)
                count += loop.curves.size();
    return count;
}

Vec2 curveStart(const Curve& curve) {
    if (const auto* line = std::get_if<Line>(&curve)) return line->start;
    if (const auto* arc = std::get_if<Arc>(&curve)) return arc->start;
    const auto& circle = std::get<Circle>(curve);
    return circle.center + Vec2{circle.radius, 0.0};
}

Vec2 curveEnd(const Curve& curve) {
    if (const auto* line = std::get_if<Line>(&curve)) return line->end;
    if (const auto* arc = std::get_if<Arc>(&curve)) return arc->end;
    return curveStart(curve);
}

Curve reversed(const Curve& curve) {
    if (const auto* line = std::get_if<Line>(&curve)) return Line{line->end, line->start};
    if (const auto* arc = std::get_if<Arc>(&curve)) return Arc{arc->end, arc->mid, arc->start};
    return curve;
}

Curve scaledAbout(const Curve& curve, Vec2 centre, double factor) {
    const auto scaled = [&](Vec2 p) { return centre + (p - centre) * factor; };
    if (const auto* line = std::get_if<Line>(&curve))
        return Line{scaled(line->start), scaled(line->end)};
    if (const auto* arc = std::get_if<Arc>(&curve))
        return Arc{scaled(arc->start), scaled(arc->mid), scaled(arc->end)};
    const auto& circle = std::get<Circle>(curve);
    return Circle{scaled(circle.center), circle.radius * factor};
}

Vec2 ArcGeometry::pointAt(double t) const {
    const double angle = startAngle + sweep * t;
    return center + Vec2{std::cos(angle), std::sin(angle)} * radius;
}

std::optional<ArcGeometry> arcGeometry(const Arc& arc) {
    // Circumcentre of the triangle (start, mid, end), relative to start for precision.
    const Vec2 b = arc.mid - arc.start;
    const Vec2 c = arc.end - arc.start;
    const double d = 2.0 * b.cross(c);
    const double scale = std::max(b.norm(), c.norm());
    if (!(scale > 0.0) || std::fabs(d) <= 1e-12 * scale * scale) return std::nullopt;
    const double bb = b.dot(b);
    const double cc = c.dot(c);
    const Vec2 center = arc.start + Vec2{(c.y * bb - b.y * cc) / d, (b.x * cc - c.x * bb) / d};

    ArcGeometry geometry;
    geometry.center = center;
    geometry.radius = (arc.start - center).norm();
    const auto angleOf = [&](Vec2 p) { return std::atan2(p.y - center.y, p.x - center.x); };
    geometry.startAngle = angleOf(arc.start);
    double sweep = angleOf(arc.end) - geometry.startAngle;
    // d > 0: start -> mid -> end turns left, i.e. the arc runs counter-clockwise.
    if (d > 0.0) {
        while (sweep <= 0.0)
            sweep += 2.0 * kPi;
    } else {
        while (sweep >= 0.0)
            sweep -= 2.0 * kPi;
    }
    geometry.sweep = sweep;
    return geometry;
}

std::vector<Vec2> loopPolygon(const Loop& loop, double maxAngle) {
    std::vector<Vec2> polygon;
    for (const Curve& curve : loop.curves) {
        if (const auto* line = std::get_if<Line>(&curve)) {
            polygon.push_back(line->start);
        } else if (const auto* arc = std::get_if<Arc>(&curve)) {
            const auto geometry = arcGeometry(*arc);
            if (!geometry) {
                polygon.push_back(arc->start);
                continue;
            }
            const int steps = std::max(2, int(std::ceil(std::fabs(geometry->sweep) / maxAngle)));
            for (int i = 0; i < steps; ++i)
                polygon.push_back(geometry->pointAt(double(i) / steps));
        } else {
            const auto& circle = std::get<Circle>(curve);
            const int steps = std::max(8, int(std::ceil(2.0 * kPi / maxAngle)));
            for (int i = 0; i < steps; ++i) {
                const double angle = 2.0 * kPi * i / steps;
                polygon.push_back(circle.center +
                                  Vec2{std::cos(angle), std::sin(angle)} * circle.radius);
            }
        }
    }
    return polygon;
}

double signedArea(const std::vector<Vec2>& polygon) {
    double twice = 0.0;
    for (std::size_t i = 0; i < polygon.size(); ++i)
        twice += polygon[i].cross(polygon[(i + 1) % polygon.size()]);
    return 0.5 * twice;
}

bool containsPoint(const std::vector<Vec2>& polygon, Vec2 point) {
    bool inside = false;
    for (std::size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
        const Vec2 a = polygon[i];
        const Vec2 b = polygon[j];
        if ((a.y > point.y) != (b.y > point.y) &&
            point.x < (b.x - a.x) * (point.y - a.y) / (b.y - a.y) + a.x)
            inside = !inside;
    }
    return inside;
}

namespace {

double orientation(Vec2 a, Vec2 b, Vec2 c) {
    return (b - a).cross(c - a);
}

bool onSegment(Vec2 a, Vec2 b, Vec2 p) {
    return std::fmin(a.x, b.x) <= p.x && p.x <= std::fmax(a.x, b.x) && std::fmin(a.y, b.y) <= p.y &&
           p.y <= std::fmax(a.y, b.y);
}

BoundingBox boxOf(const std::vector<Vec2>& polygon) {
    BoundingBox box;
    for (Vec2 p : polygon)
        box.add({p.x, p.y, 0.0});
    return box;
}

} // namespace

bool segmentsMeet(Vec2 a, Vec2 b, Vec2 c, Vec2 d) {
    const double o1 = orientation(a, b, c), o2 = orientation(a, b, d);
    const double o3 = orientation(c, d, a), o4 = orientation(c, d, b);
    if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)))
        return true;
    return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
           (o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b));
}

bool boundariesMeet(const std::vector<Vec2>& a, const std::vector<Vec2>& b) {
    const BoundingBox boxA = boxOf(a), boxB = boxOf(b);
    if (boxA.max.x < boxB.min.x || boxB.max.x < boxA.min.x || boxA.max.y < boxB.min.y ||
        boxB.max.y < boxA.min.y)
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Vec2 a0 = a[i], a1 = a[(i + 1) % a.size()];
        for (std::size_t j = 0; j < b.size(); ++j)
            if (segmentsMeet(a0, a1, b[j], b[(j + 1) % b.size()])) return true;
    }
    return false;
}

void validate(const Program& program, double closureTolerance) {
    if (program.extrudes.empty()) throw Error("the program has no extrude operations");
    if (program.extrudes.size() > ProgramLimits::kMaxExtrudes)
        throw Error("the program has " + std::to_string(program.extrudes.size()) +
                    " extrudes; the limit is " + std::to_string(ProgramLimits::kMaxExtrudes));
    const std::size_t curves = curveCount(program);
    if (curves > ProgramLimits::kMaxTotalCurves)
        throw Error("the program has " + std::to_string(curves) + " curves; the limit is " +
                    std::to_string(ProgramLimits::kMaxTotalCurves));

    Validator validator{closureTolerance, {}};
    for (std::size_t e = 0; e < program.extrudes.size(); ++e) {
        const Extrude& extrude = program.extrudes[e];
        validator.where = {int(e)};
        validator.checkPlane(extrude.plane);
        validator.checkExtent(extrude.extent);
        if (extrude.profiles.empty()) validator.fail("extrude has no profiles");
        for (std::size_t p = 0; p < extrude.profiles.size(); ++p) {
            validator.where = {int(e), int(p)};
            if (extrude.profiles[p].loops.empty()) validator.fail("profile has no loops");
            for (std::size_t l = 0; l < extrude.profiles[p].loops.size(); ++l) {
                validator.where = {int(e), int(p), int(l)};
                validator.checkLoop(extrude.profiles[p].loops[l]);
            }
        }
    }
}

} // namespace img2cad::cad
