// SPDX-License-Identifier: MIT
#pragma once
// Small vector value types shared by every layer. Header-only and free of OCC, Qt and torch,
// so that ml/, viewer/ and ui/ can hold geometry without the CAD kernel.

#include <cmath>
#include <vector>

namespace img2cad::cad {

/// A point or direction in a sketch plane (mm in programs).
struct Vec2 {
    double x = 0.0;
    double y = 0.0;

    Vec2 operator+(Vec2 o) const { return {x + o.x, y + o.y}; }
    Vec2 operator-(Vec2 o) const { return {x - o.x, y - o.y}; }
    Vec2 operator*(double s) const { return {x * s, y * s}; }
    bool operator==(Vec2 o) const { return x == o.x && y == o.y; }
    bool operator!=(Vec2 o) const { return !(*this == o); }
    double dot(Vec2 o) const { return x * o.x + y * o.y; }
    double cross(Vec2 o) const { return x * o.y - y * o.x; }
    double norm() const { return std::hypot(x, y); }
    bool isFinite() const { return std::isfinite(x) && std::isfinite(y); }
};

/// A point or direction in model space (mm in programs).
struct Vec3 {
    double x = 0.0;
    double y = 0.0;
    double z = 0.0;

    Vec3 operator+(Vec3 o) const { return {x + o.x, y + o.y, z + o.z}; }
    Vec3 operator-(Vec3 o) const { return {x - o.x, y - o.y, z - o.z}; }
    Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
    bool operator==(Vec3 o) const { return x == o.x && y == o.y && z == o.z; }
    bool operator!=(Vec3 o) const { return !(*this == o); }
    double dot(Vec3 o) const { return x * o.x + y * o.y + z * o.z; }
    Vec3 cross(Vec3 o) const { return {y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x}; }
    double norm() const { return std::sqrt(dot(*this)); }
    Vec3 normalized() const { return *this * (1.0 / norm()); }
    bool isFinite() const { return std::isfinite(x) && std::isfinite(y) && std::isfinite(z); }
};

/// Single-precision point for meshes and point clouds (what renderers and networks consume).
struct Vec3f {
    float x = 0.0f;
    float y = 0.0f;
    float z = 0.0f;
    bool isFinite() const { return std::isfinite(x) && std::isfinite(y) && std::isfinite(z); }
};

/// Axis-aligned box; `isEmpty()` until a point is added.
struct BoundingBox {
    Vec3 min{INFINITY, INFINITY, INFINITY};
    Vec3 max{-INFINITY, -INFINITY, -INFINITY};

    bool isEmpty() const { return !(min.x <= max.x && min.y <= max.y && min.z <= max.z); }
    void add(Vec3 p) {
        min = {std::fmin(min.x, p.x), std::fmin(min.y, p.y), std::fmin(min.z, p.z)};
        max = {std::fmax(max.x, p.x), std::fmax(max.y, p.y), std::fmax(max.z, p.z)};
    }
    Vec3 size() const { return max - min; }
    Vec3 center() const { return (min + max) * 0.5; }
    double largestSide() const {
        const Vec3 s = size();
        return std::fmax(s.x, std::fmax(s.y, s.z));
    }
};

inline Vec3 toVec3(Vec3f v) {
    return {v.x, v.y, v.z};
}
inline Vec3f toVec3f(Vec3 v) {
    return {static_cast<float>(v.x), static_cast<float>(v.y), static_cast<float>(v.z)};
}

/// Bounding box of single-precision points (meshes, clouds).
inline BoundingBox boundsOf(const std::vector<Vec3f>& points) {
    BoundingBox box;
    for (const Vec3f& p : points)
        box.add(toVec3(p));
    return box;
}

} // namespace img2cad::cad
