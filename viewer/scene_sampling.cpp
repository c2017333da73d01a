// SPDX-License-Identifier: MIT
// Random views (sampleScene) and the lights of a scene: everything drawn from splitmix64 so
// that a seed gives the same view on every machine.

#include "viewer/internal/lighting.h"
#include "viewer/internal/random.h"
#include "viewer/offscreen_renderer.h"

#include <algorithm>
#include <cmath>

namespace img2cad::viewer {

using cad::Vec3;
using internal::SplitMix64;

namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

Vec3 jitterColor(SplitMix64& rng, Vec3 c, double amount) {
    const auto one = [&](double v) {
        return std::clamp(v + rng.uniform(-amount, amount), 0.0, 1.0);
    };
    const double x = one(c.x), y = one(c.y), z = one(c.z);
    return {x, y, z};
}

/// A colour that suits the material (linear RGB): PLA comes in saturated spools, nylon in
/// white or black, resin in greys and beiges, anodising in a few dyes.
Vec3 materialColor(Material material, SplitMix64& rng) {
    switch (material) {
    case Material::Pla: {
        static const Vec3 spools[] = {{0.70, 0.04, 0.03}, {0.90, 0.28, 0.02}, {0.90, 0.68, 0.02},
                                      {0.08, 0.45, 0.10}, {0.03, 0.14, 0.60}, {0.30, 0.05, 0.50},
                                      {0.03, 0.03, 0.03}, {0.80, 0.80, 0.78}, {0.25, 0.25, 0.27},
                                      {0.02, 0.45, 0.50}, {0.85, 0.25, 0.45}, {0.45, 0.60, 0.05}};
        return jitterColor(rng, spools[rng.index(12)], 0.04);
    }
    case Material::Resin: {
        static const Vec3 resins[] = {
            {0.35, 0.36, 0.37}, {0.60, 0.52, 0.40}, {0.55, 0.40, 0.15}, {0.70, 0.70, 0.68}};
        return jitterColor(rng, resins[rng.index(4)], 0.03);
    }
    case Material::Nylon:
        return jitterColor(rng, rng.chance(0.6) ? Vec3{0.75, 0.74, 0.70} : Vec3{0.04, 0.04, 0.045},
                           0.02);
    case Material::AnodisedAluminium: {
        static const Vec3 dyes[] = {{0.05, 0.20, 0.60}, {0.60, 0.05, 0.05}, {0.04, 0.04, 0.05},
                                    {0.60, 0.45, 0.12}, {0.35, 0.10, 0.50}, {0.50, 0.50, 0.52},
                                    {0.08, 0.40, 0.15}};
        return jitterColor(rng, dyes[rng.index(7)], 0.03);
    }
    case Material::BareAluminium: {
        const double g = rng.uniform(0.42, 0.62);
        return jitterColor(rng, {g, g, g * 1.02}, 0.01);
    }
    }
    return {0.8, 0.8, 0.8};
}

Material randomMaterial(SplitMix64& rng) {
    const double u = rng.uniform();
    if (u < 0.4) return Material::Pla;
    if (u < 0.55) return Material::Resin;
    if (u < 0.7) return Material::Nylon;
    if (u < 0.85) return Material::AnodisedAluminium;
    return Material::BareAluminium;
}

Vec3 fromSpherical(double azimuth, double elevation) {
    return {std::cos(elevation) * std::cos(azimuth), std::cos(elevation) * std::sin(azimuth),
            std::sin(elevation)};
}

} // namespace

const char* materialName(Material material) {
    switch (material) {
    case Material::Pla:
        return "pla";
    case Material::Resin:
        return "resin";
    case Material::Nylon:
        return "nylon";
    case Material::AnodisedAluminium:
        return "anodised-aluminium";
    case Material::BareAluminium:
        return "bare-aluminium";
    }
    return "unknown";
}

const char* backgroundName(Background background) {
    switch (background) {
    case Background::Plain:
        return "plain";
    case Background::Gradient:
        return "gradient";
    case Background::Textured:
        return "textured";
    case Background::Cluttered:
        return "cluttered";
    }
    return "unknown";
}

Scene sampleScene(const cad::TriangleMesh& mesh, std::uint64_t seed) {
    SplitMix64 rng(internal::deriveSeed(seed, 1));
    Scene scene;
    const cad::BoundingBox box = mesh.bounds();
    const Vec3 center = box.isEmpty() ? Vec3{} : box.center();
    const double radius = box.isEmpty() ? 1.0 : std::max(0.5 * box.size().norm(), 1e-3);

    // Phone-like field of view. The camera backs off until every corner of the bounding box
    // lies within `fill` of the half frame (exact for a pinhole: a corner at lateral offset a
    // and depth offset e needs distance >= a / tan(angle) - e); the aim then wanders off
    // centre by at most the margin that is left, so the part never leaves the frame.
    Camera& camera = scene.camera;
    camera.viewAngleDeg = rng.uniform(30.0, 50.0);
    const double halfFov = 0.5 * camera.viewAngleDeg * kDeg;
    const double fill = rng.uniform(0.55, 0.85);
    const Vec3 toCamera =
        fromSpherical(rng.uniform(0.0, 360.0) * kDeg, rng.uniform(10.0, 60.0) * kDeg);
    const Vec3 forward = toCamera * -1.0;
    const Vec3 level = forward.cross({0, 0, 1}).normalized();
    const double roll = rng.uniform(-10.0, 10.0) * kDeg;
    const Vec3 right = level * std::cos(roll) + level.cross(forward) * std::sin(roll);
    const Vec3 up = right.cross(forward);
    const double tanFill = std::tan(fill * halfFov);
    double distance = 1.05 * radius;
    if (!box.isEmpty())
        for (int corner = 0; corner < 8; ++corner) {
            const Vec3 p{corner & 1 ? box.max.x : box.min.x, corner & 2 ? box.max.y : box.min.y,
                         corner & 4 ? box.max.z : box.min.z};
            const Vec3 q = p - center;
            const double lateral = std::fmax(std::fabs(q.dot(right)), std::fabs(q.dot(up)));
            distance = std::fmax(distance, lateral / tanFill - q.dot(forward));
        }
    const double offAngle = rng.uniform(0.0, 1.0) * std::max(0.0, 0.92 - fill) * halfFov;
    const double offDirection = rng.uniform(0.0, 360.0) * kDeg;
    const double offset = distance * std::tan(offAngle);
    camera.position = center + toCamera * distance;
    camera.focalPoint =
        center + right * (offset * std::cos(offDirection)) + up * (offset * std::sin(offDirection));
    camera.viewUp = up;

    scene.material = randomMaterial(rng);
    scene.baseColor = materialColor(scene.material, rng);
    scene.background = Background(rng.index(4));
    scene.backgroundSeed = rng.next();
    scene.lightCount = 2 + rng.index(3);
    scene.lightSeed = rng.next();
    scene.blurSigmaPx = rng.uniform(0.0, 1.0);
    scene.noiseSigma = rng.uniform(0.0, 4.0);
    return scene;
}

namespace internal {

std::vector<LightSpec> sceneLights(const Scene& scene) {
    SplitMix64 rng(deriveSeed(scene.lightSeed, 2));
    const Vec3 view = scene.camera.position - scene.camera.focalPoint;
    // Lights are placed around the camera's azimuth so the visible side is never in the dark.
    const double cameraAzimuth =
        std::hypot(view.x, view.y) > 1e-9 * view.norm() ? std::atan2(view.y, view.x) : 0.0;
    // One room: most lights share a colour temperature, some scenes mix daylight and lamps.
    const double roomKelvin = rng.uniform(2700.0, 6500.0);
    const int count = std::clamp(scene.lightCount, 1, 8);
    std::vector<LightSpec> lights;
    for (int i = 0; i < count; ++i) {
        double azimuth, elevation, intensity;
        if (i == 0) { // key
            azimuth = cameraAzimuth + rng.uniform(-75.0, 75.0) * kDeg;
            elevation = rng.uniform(35.0, 80.0) * kDeg;
            intensity = rng.uniform(0.8, 1.1);
        } else if (i == 1) { // fill, on the other side
            azimuth = cameraAzimuth + (rng.chance(0.5) ? 1 : -1) * rng.uniform(40.0, 110.0) * kDeg;
            elevation = rng.uniform(10.0, 50.0) * kDeg;
            intensity = rng.uniform(0.12, 0.35);
        } else { // rims and bounces
            azimuth = cameraAzimuth + rng.uniform(120.0, 240.0) * kDeg;
            elevation = rng.uniform(20.0, 70.0) * kDeg;
            intensity = rng.uniform(0.1, 0.4);
        }
        const double kelvin =
            rng.chance(0.7) ? roomKelvin + rng.uniform(-300.0, 300.0) : rng.uniform(2700.0, 6500.0);
        const double distance = rng.chance(0.6) ? rng.uniform(2.0, 5.0) : 0.0;
        lights.push_back({fromSpherical(azimuth, elevation), colorTemperatureToRgb(kelvin),
                          intensity, distance});
    }
    return lights;
}

} // namespace internal

} // namespace img2cad::viewer
