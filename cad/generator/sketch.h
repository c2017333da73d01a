// SPDX-License-Identifier: MIT
#pragma once
// Loop, plane and extrude builders shared by the part families: the shapes designers sketch
// (rounded rectangles, slots, D-bores, bolt circles, gear teeth, bent strips).

#include "cad/generator/random.h"
#include "cad/program.h"

#include <vector>

namespace img2cad::cad::generator {

constexpr double kPi = 3.14159265358979323846;

Vec2 polar(Vec2 centre, double radius, double angle);

Loop circleLoop(Vec2 centre, double radius);
Loop rectangleLoop(double x0, double y0, double x1, double y1);
/// Axis-aligned rectangle centred on `centre`; corners rounded by `radius` when it is > 0.
Loop roundedRectangleLoop(Vec2 centre, double width, double height, double radius);
/// Stadium around the segment a-b (any direction) with the given radius.
Loop slotLoop(Vec2 a, Vec2 b, double radius);
/// Closed polygon of lines through `points`.
Loop polygonLoop(const std::vector<Vec2>& points);
Loop regularPolygonLoop(Vec2 centre, double circumradius, int sides, double phase);
/// Circle of `radius` with a flat chord at height `flat` above the centre (a D-shaft bore).
Loop dShapeLoop(Vec2 centre, double radius, double flat);
/// Bore with a rectangular keyway notch on top.
Loop keyedBoreLoop(Vec2 centre, double radius, double keyWidth, double keyDepth);
/// Spur-gear outline: per tooth a flank line, a tip arc, a flank line and a root arc.
Loop gearLoop(Vec2 centre, double rootRadius, double tipRadius, int teeth);
/// Knurled / lobed outline: `lobes` outward arcs alternating with inward arcs around `radius`.
Loop scallopLoop(Vec2 centre, double radius, int lobes, double bump, double dip);
/// Outline of a strip of thickness `thickness` along an open polyline (mitred bends).
Loop thickPolylineLoop(const std::vector<Vec2>& path, double thickness);

/// (u, v) -> (x, y), extruding along +z.
SketchPlane planeXY(double z);
/// (u, v) -> (x, z), extruding along -y (front view).
SketchPlane planeXZ(double y);
/// (u, v) -> (y, z), extruding along +x (side view).
SketchPlane planeYZ(double x);

Extent oneSided(double distance);
Extent symmetric(double distance);
Extent twoSided(double distance, double distance2);

/// An extrude of one profile made of `loops` (roles follow nesting).
Extrude extrudeLoops(const SketchPlane& plane, std::vector<Loop> loops, Extent extent,
                     BooleanOp op);
/// An extrude of disjoint loops (holes, bosses), grouped into profiles of at most
/// `kMaxLoopsPerProfile` loops.
Extrude extrudeIslands(const SketchPlane& plane, const std::vector<Loop>& loops, Extent extent,
                       BooleanOp op);

constexpr int kMaxLoopsPerProfile = 6;

/// Clearance-hole diameter of a metric screw (M2..M12, medium fit) no larger than
/// `maxDiameter`; the smallest one when none fits.
double clearanceHole(Random& random, double maxDiameter, double minDiameter = 0.0);
/// `count` points evenly on a circle (a bolt circle), the first at `phase`.
std::vector<Vec2> boltCircle(Vec2 centre, double radius, int count, double phase);

} // namespace img2cad::cad::generator
