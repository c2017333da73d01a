// SPDX-License-Identifier: MIT
#pragma once
// The editable CAD program: an ordered list of sketch-and-extrude operations, in millimetres.
// This is the language the models speak (paper section 3.1) and what the compiler turns into
// a solid. Plain values: copy, compare and send across threads freely.

#include "cad/geometry/vec.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace img2cad::cad {

/// Straight segment from `start` to `end` (sketch coordinates, mm).
struct Line {
    Vec2 start;
    Vec2 end;
    bool operator==(const Line& o) const { return start == o.start && end == o.end; }
};

/// Circular arc through three points: unambiguous, and exactly how DeepCAD's compiler
/// builds arcs (GC_MakeArcOfCircle(start, mid, end)).
struct Arc {
    Vec2 start;
    Vec2 mid;
    Vec2 end;
    bool operator==(const Arc& o) const { return start == o.start && mid == o.mid && end == o.end; }
};

/// Full circle; a loop that holds a circle holds nothing else.
struct Circle {
    Vec2 center;
    double radius = 0.0;
    bool operator==(const Circle& o) const { return center == o.center && radius == o.radius; }
};

using Curve = std::variant<Line, Arc, Circle>;

/// A closed chain of curves: each curve starts where the previous one ends and the last ends
/// where the first starts. Orientation is free: the compiler orients loops itself.
struct Loop {
    std::vector<Curve> curves;
    bool operator==(const Loop& o) const { return curves == o.curves; }
};

/// A region of a sketch: loops that do not cross. Which loop is a boundary and which a hole
/// follows from nesting (even depth = boundary, odd depth = hole), so loops may come in any
/// order, and an island inside a hole is simply another boundary.
struct Profile {
    std::vector<Loop> loops;
    bool operator==(const Profile& o) const { return loops == o.loops; }
};

/// Sketch plane: a sketch point (u, v) lies at origin + u * xAxis + v * (normal x xAxis).
/// `normal` is also the extrusion direction. Both axes are unit and orthogonal.
struct SketchPlane {
    Vec3 origin;
    Vec3 xAxis{1, 0, 0};
    Vec3 normal{0, 0, 1};
    Vec3 yAxis() const { return normal.cross(xAxis); }
    Vec3 toModel(Vec2 p) const { return origin + xAxis * p.x + yAxis() * p.y; }
    bool operator==(const SketchPlane& o) const {
        return origin == o.origin && xAxis == o.xAxis && normal == o.normal;
    }
};

enum class ExtentType {
    OneSided,  ///< from the plane to `distance` along the normal
    Symmetric, ///< `distance` to each side of the plane (total depth 2 x distance, as DeepCAD)
    TwoSided,  ///< `distance` along the normal and `distance2` against it
};

struct Extent {
    ExtentType type = ExtentType::OneSided;
    double distance = 0.0;  ///< mm; negative extrudes against the normal (one-sided only)
    double distance2 = 0.0; ///< mm; only for TwoSided
    bool operator==(const Extent& o) const {
        return type == o.type && distance == o.distance && distance2 == o.distance2;
    }
};

enum class BooleanOp {
    NewBody,   ///< adds a body (fused with the bodies so far, as DeepCAD does)
    Join,      ///< fuses with the body so far
    Cut,       ///< subtracts from the body so far
    Intersect, ///< keeps the common part with the body so far
};

struct Extrude {
    SketchPlane plane;
    std::vector<Profile> profiles;
    Extent extent;
    BooleanOp op = BooleanOp::NewBody;
    bool operator==(const Extrude& o) const {
        return plane == o.plane && profiles == o.profiles && extent == o.extent && op == o.op;
    }
};

struct Program {
    std::string name;
    std::vector<Extrude> extrudes;
    bool operator==(const Program& o) const { return name == o.name && extrudes == o.extrudes; }
};

/// Bounds that keep a hostile or broken program from exhausting the machine; far above
/// anything a designer or a model produces (DeepCAD: 10 extrudes, 15 curves per loop).
struct ProgramLimits {
    static constexpr std::size_t kMaxExtrudes = 1000;
    static constexpr std::size_t kMaxCurvesPerLoop = 10000;
    static constexpr std::size_t kMaxTotalCurves = 100000;
    static constexpr double kMaxCoordinate = 1e7; ///< mm (10 km)
};

const char* booleanOpName(BooleanOp op);
const char* extentTypeName(ExtentType type);
std::size_t curveCount(const Program& program);

/// Start and end point of a curve (a circle starts and ends on its rightmost point).
Vec2 curveStart(const Curve& curve);
Vec2 curveEnd(const Curve& curve);
/// The curve traversed the other way (a circle is returned unchanged).
Curve reversed(const Curve& curve);
/// The curve scaled by `factor` about `centre` (points move, a circle's radius scales).
Curve scaledAbout(const Curve& curve, Vec2 centre, double factor);

/// Centre form of a three-point arc. `sweep` is signed: positive counter-clockwise.
struct ArcGeometry {
    Vec2 center;
    double radius = 0.0;
    double startAngle = 0.0;      ///< radians, of start - center
    double sweep = 0.0;           ///< radians, in (-2 pi, 2 pi)
    Vec2 pointAt(double t) const; ///< t in [0, 1] from start to end
};
/// Fails (nullopt) when the three points are (nearly) collinear or coincide.
std::optional<ArcGeometry> arcGeometry(const Arc& arc);

/// A loop as a closed polygon (last point not repeated); arcs and circles are subdivided so
/// that no chord spans more than `maxAngle` radians. For areas, orientation and containment.
std::vector<Vec2> loopPolygon(const Loop& loop, double maxAngle = 0.2);
/// Signed area of a closed polygon: positive when counter-clockwise.
double signedArea(const std::vector<Vec2>& polygon);
/// Even-odd point-in-polygon test.
bool containsPoint(const std::vector<Vec2>& polygon, Vec2 point);
/// True when the closed segments a-b and c-d share a point (cross, touch or overlap).
bool segmentsMeet(Vec2 a, Vec2 b, Vec2 c, Vec2 d);
/// True when the boundaries of two closed polygons cross or touch.
bool boundariesMeet(const std::vector<Vec2>& a, const std::vector<Vec2>& b);

/// Checks everything that can be checked without the kernel: finite numbers, sizes within
/// ProgramLimits, unit orthogonal plane axes, non-degenerate curves, closed loops (within
/// `closureTolerance` mm), extents with non-zero depth. Throws cad::Error naming the place.
void validate(const Program& program, double closureTolerance);

} // namespace img2cad::cad
