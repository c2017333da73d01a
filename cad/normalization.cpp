// SPDX-License-Identifier: MIT
#include "cad/normalization.h"

#include "cad/error.h"
#include "cad/program_edit.h"

#include <cmath>

namespace img2cad::cad {
namespace {

// Normals need no change: the map is a translation and a uniform positive scale.
template <typename Map> void mapPositions(std::vector<Vec3f>& points, Map map) {
    for (Vec3f& p : points)
        p = toVec3f(map(toVec3(p)));
}

} // namespace

Normalization Normalization::toUnitCube(const BoundingBox& box) {
    if (box.isEmpty()) throw Error("Cannot normalise an empty part: its bounding box is empty");
    const double side = box.largestSide();
    if (!box.min.isFinite() || !box.max.isFinite() || !std::isfinite(side))
        throw Error("Cannot normalise a part with an infinite or undefined bounding box");
    if (!(side > 0.0)) throw Error("Cannot normalise a part of zero size");
    Normalization normalization;
    normalization.center = box.center();
    normalization.scale = 1.0 / side;
    return normalization;
}

PointCloud Normalization::apply(PointCloud cloud) const {
    mapPositions(cloud.positions, [this](Vec3 p) { return apply(p); });
    return cloud;
}

PointCloud Normalization::invert(PointCloud cloud) const {
    mapPositions(cloud.positions, [this](Vec3 p) { return invert(p); });
    return cloud;
}

TriangleMesh Normalization::apply(TriangleMesh mesh) const {
    const auto map = [this](Vec3 p) { return apply(p); };
    mapPositions(mesh.positions, map);
    for (std::vector<Vec3f>& edge : mesh.featureEdges)
        mapPositions(edge, map);
    return mesh;
}

namespace {

/// p -> p * scale + offset on a program: every sketch point (origin + u x + v y) maps to
/// origin' + (u scale) x + (v scale) y with origin' the mapped origin; axes stay unit.
Program similarity(Program program, double scale, Vec3 offset) {
    for (Extrude& extrude : program.extrudes) {
        extrude.plane.origin = extrude.plane.origin * scale + offset;
        extrude.extent.distance *= scale;
        extrude.extent.distance2 *= scale;
        mapSketchPoints(
            extrude, [scale](Vec2 p) { return p * scale; }, scale);
    }
    return program;
}

} // namespace

Program Normalization::apply(Program program) const {
    return similarity(std::move(program), scale, center * -scale); // (p - c) s
}

Program Normalization::invert(Program program) const {
    return similarity(std::move(program), 1.0 / scale, center); // p / s + c
}

PointCloud inOwnUnitCube(PointCloud cloud) {
    return Normalization::toUnitCube(cloud.bounds()).apply(std::move(cloud));
}

} // namespace img2cad::cad
