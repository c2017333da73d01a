// SPDX-License-Identifier: MIT
#include "cad/generator/sketch.h"

#include <algorithm>
#include <cmath>

namespace img2cad::cad::generator {

Vec2 polar(Vec2 centre, double radius, double angle) {
    return {centre.x + radius * std::cos(angle), centre.y + radius * std::sin(angle)};
}

Loop circleLoop(Vec2 centre, double radius) {
    return {{Circle{centre, radius}}};
}

Loop rectangleLoop(double x0, double y0, double x1, double y1) {
    return polygonLoop({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}});
}

Loop roundedRectangleLoop(Vec2 centre, double width, double height, double radius) {
    const double hx = width / 2, hy = height / 2;
    if (radius <= 0)
        return rectangleLoop(centre.x - hx, centre.y - hy, centre.x + hx, centre.y + hy);
    const double r = std::min(radius, std::min(hx, hy) * 0.95);
    Loop loop;
    // Corner arc centres, counter-clockwise from the bottom right.
    const Vec2 corners[4] = {
        {hx - r, -hy + r}, {hx - r, hy - r}, {-hx + r, hy - r}, {-hx + r, -hy + r}};
    const double startAngles[4] = {-kPi / 2, 0, kPi / 2, kPi};
    for (int i = 0; i < 4; ++i) {
        const Vec2 c = centre + corners[i];
        const double a = startAngles[i];
        const Vec2 arcStart = polar(c, r, a), arcEnd = polar(c, r, a + kPi / 2);
        const Vec2 next = centre + corners[(i + 1) % 4];
        loop.curves.push_back(Arc{arcStart, polar(c, r, a + kPi / 4), arcEnd});
        loop.curves.push_back(Line{arcEnd, polar(next, r, a + kPi / 2)});
    }
    return loop;
}

Loop slotLoop(Vec2 a, Vec2 b, double radius) {
    const double angle = std::atan2(b.y - a.y, b.x - a.x);
    const Vec2 n = polar({0, 0}, radius, angle + kPi / 2);
    return {{Line{a - n, b - n}, Arc{b - n, polar(b, radius, angle), b + n}, Line{b + n, a + n},
             Arc{a + n, polar(a, radius, angle + kPi), a - n}}};
}

Loop polygonLoop(const std::vector<Vec2>& points) {
    Loop loop;
    for (std::size_t i = 0; i < points.size(); ++i)
        loop.curves.push_back(Line{points[i], points[(i + 1) % points.size()]});
    return loop;
}

Loop regularPolygonLoop(Vec2 centre, double circumradius, int sides, double phase) {
    std::vector<Vec2> points;
    for (int i = 0; i < sides; ++i)
        points.push_back(polar(centre, circumradius, phase + 2 * kPi * i / sides));
    return polygonLoop(points);
}

Loop dShapeLoop(Vec2 centre, double radius, double flat) {
    const double half = std::sqrt(radius * radius - flat * flat);
    const Vec2 right = centre + Vec2{half, flat}, left = centre + Vec2{-half, flat};
    return {{Arc{right, centre + Vec2{0, -radius}, left}, Line{left, right}}};
}

Loop keyedBoreLoop(Vec2 centre, double radius, double keyWidth, double keyDepth) {
    const double hw = keyWidth / 2;
    const double y0 = std::sqrt(radius * radius - hw * hw);
    const double top = radius + keyDepth;
    return {{Arc{centre + Vec2{hw, y0}, centre + Vec2{0, -radius}, centre + Vec2{-hw, y0}},
             Line{centre + Vec2{-hw, y0}, centre + Vec2{-hw, top}},
             Line{centre + Vec2{-hw, top}, centre + Vec2{hw, top}},
             Line{centre + Vec2{hw, top}, centre + Vec2{hw, y0}}}};
}

Loop gearLoop(Vec2 centre, double rootRadius, double tipRadius, int teeth) {
    const double pitch = 2 * kPi / teeth;
    // Involute flanks narrow towards the tip; straight lines between these angles imitate it.
    const double tipHalf = pitch * 0.17, baseHalf = pitch * 0.28;
    Loop loop;
    for (int i = 0; i < teeth; ++i) {
        const double c = pitch * i;
        const Vec2 rootEnd = polar(centre, rootRadius, c - baseHalf);
        const Vec2 tipStart = polar(centre, tipRadius, c - tipHalf);
        const Vec2 tipEnd = polar(centre, tipRadius, c + tipHalf);
        const Vec2 rootStart = polar(centre, rootRadius, c + baseHalf);
        loop.curves.push_back(Line{rootEnd, tipStart});
        loop.curves.push_back(Arc{tipStart, polar(centre, tipRadius, c), tipEnd});
        loop.curves.push_back(Line{tipEnd, rootStart});
        loop.curves.push_back(Arc{rootStart, polar(centre, rootRadius, c + pitch / 2),
                                  polar(centre, rootRadius, c + pitch - baseHalf)});
    }
    return loop;
}

Loop scallopLoop(Vec2 centre, double radius, int lobes, double bump, double dip) {
    const double step = 2 * kPi / lobes;
    Loop loop;
    for (int i = 0; i < lobes; ++i) {
        const double a0 = step * i, a1 = a0 + step * 0.55, a2 = step * (i + 1);
        loop.curves.push_back(Arc{polar(centre, radius, a0),
                                  polar(centre, radius + bump, (a0 + a1) / 2),
                                  polar(centre, radius, a1)});
        loop.curves.push_back(Arc{polar(centre, radius, a1),
                                  polar(centre, radius - dip, (a1 + a2) / 2),
                                  polar(centre, radius, a2)});
    }
    return loop;
}

Loop thickPolylineLoop(const std::vector<Vec2>& path, double thickness) {
    const double h = thickness / 2;
    const auto normalOf = [](Vec2 a, Vec2 b) {
        const Vec2 d = b - a;
        const double n = d.norm();
        return Vec2{-d.y / n, d.x / n};
    };
    std::vector<Vec2> left, right;
    for (std::size_t i = 0; i < path.size(); ++i) {
        Vec2 offset;
        if (i == 0) {
            offset = normalOf(path[0], path[1]) * h;
        } else if (i + 1 == path.size()) {
            offset = normalOf(path[i - 1], path[i]) * h;
        } else {
            // Mitre: the offset lines of both segments meet on the bisector.
            const Vec2 n1 = normalOf(path[i - 1], path[i]), n2 = normalOf(path[i], path[i + 1]);
            offset = (n1 + n2) * (h / (1 + n1.dot(n2)));
        }
        left.push_back(path[i] + offset);
        right.push_back(path[i] - offset);
    }
    std::vector<Vec2> outline(left.begin(), left.end());
    outline.insert(outline.end(), right.rbegin(), right.rend());
    return polygonLoop(outline);
}

SketchPlane planeXY(double z) {
    return {{0, 0, z}, {1, 0, 0}, {0, 0, 1}};
}

SketchPlane planeXZ(double y) {
    return {{0, y, 0}, {1, 0, 0}, {0, -1, 0}};
}

SketchPlane planeYZ(double x) {
    return {{x, 0, 0}, {0, 1, 0}, {1, 0, 0}};
}

Extent oneSided(double distance) {
    return {ExtentType::OneSided, distance, 0.0};
}

Extent symmetric(double distance) {
    return {ExtentType::Symmetric, distance, 0.0};
}

Extent twoSided(double distance, double distance2) {
    return {ExtentType::TwoSided, distance, distance2};
}

Extrude extrudeLoops(const SketchPlane& plane, std::vector<Loop> loops, Extent extent,
                     BooleanOp op) {
    Extrude extrude;
    extrude.plane = plane;
    extrude.profiles = {Profile{std::move(loops)}};
    extrude.extent = extent;
    extrude.op = op;
    return extrude;
}

Extrude extrudeIslands(const SketchPlane& plane, const std::vector<Loop>& loops, Extent extent,
                       BooleanOp op) {
    Extrude extrude;
    extrude.plane = plane;
    for (std::size_t i = 0; i < loops.size(); ++i) {
        if (i % kMaxLoopsPerProfile == 0) extrude.profiles.emplace_back();
        extrude.profiles.back().loops.push_back(loops[i]);
    }
    extrude.extent = extent;
    extrude.op = op;
    return extrude;
}

double clearanceHole(Random& random, double maxDiameter, double minDiameter) {
    // ISO 273 medium clearance holes of M2, M2.5, M3, M4, M5, M6, M8, M10, M12.
    static const std::vector<double> kClearances = {2.4, 2.9, 3.4, 4.5, 5.5, 6.6, 9.0, 11.0, 13.5};
    std::vector<double> fitting;
    for (double d : kClearances)
        if (d <= maxDiameter && d >= minDiameter) fitting.push_back(d);
    if (fitting.empty()) // a tiny part: a drilled hole of the room there is
        return std::floor(std::min(maxDiameter, kClearances.back()) * 10) / 10;
    return random.pick(fitting);
}

std::vector<Vec2> boltCircle(Vec2 centre, double radius, int count, double phase) {
    std::vector<Vec2> points;
    for (int i = 0; i < count; ++i)
        points.push_back(polar(centre, radius, phase + 2 * kPi * i / count));
    return points;
}

} // namespace img2cad::cad::generator
