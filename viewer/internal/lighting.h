// SPDX-License-Identifier: MIT
#pragma once
// How materials and lights look: the mapping from the scene's choices to Phong parameters,
// shared by the renderer and by the scene sampler (which picks colours that suit a material).

#include "viewer/offscreen_renderer.h"

#include <cmath>
#include <vector>

namespace img2cad::viewer::internal {

/// Phong parameters of a material (VTK's vtkProperty), plus how see-through it looks.
struct MaterialLook {
    double ambient;
    double diffuse;
    double specular;
    double specularPower;
    double specularTint; ///< 0: white highlights (plastics), 1: base-coloured (metals)
    double opacity;      ///< < 1 lets a little background through (resin looks translucent)
    double grain;        ///< relative surface mottling (sintered nylon is the roughest)
};

inline MaterialLook materialLook(Material material) {
    switch (material) {
    case Material::Pla:
        return {0.06, 0.85, 0.10, 8.0, 0.0, 1.0, 0.05};
    case Material::Resin:
        return {0.12, 0.75, 0.35, 40.0, 0.0, 0.93, 0.02};
    case Material::Nylon:
        return {0.07, 0.85, 0.04, 4.0, 0.0, 1.0, 0.09};
    case Material::AnodisedAluminium:
        return {0.05, 0.7, 0.45, 25.0, 0.6, 1.0, 0.03};
    case Material::BareAluminium:
        return {0.06, 0.6, 0.6, 45.0, 0.3, 1.0, 0.05};
    }
    return {0.06, 0.85, 0.1, 10.0, 0.0, 1.0, 0.05};
}

/// RGB (max component 1) of a black body at `kelvin` (Tanner Helland's fit, 1000..40000 K).
inline cad::Vec3 colorTemperatureToRgb(double kelvin) {
    const double t = kelvin / 100.0;
    double r, g, b;
    if (t <= 66.0) {
        r = 255.0;
        g = 99.4708025861 * std::log(t) - 161.1195681661;
        b = t <= 19.0 ? 0.0 : 138.5177312231 * std::log(t - 10.0) - 305.0447927307;
    } else {
        r = 329.698727446 * std::pow(t - 60.0, -0.1332047592);
        g = 288.1221695283 * std::pow(t - 60.0, -0.0755148492);
        b = 255.0;
    }
    const auto unit = [](double v) { return std::fmin(std::fmax(v, 0.0), 255.0) / 255.0; };
    const cad::Vec3 c{unit(r), unit(g), unit(b)};
    const double top = std::fmax(c.x, std::fmax(c.y, c.z));
    return c * (1.0 / top);
}

/// One light: where it comes from (unit vector from the part towards the light), its colour
/// and intensity, and its distance in part radii (0: directional, like a window far away; a
/// near lamp shades flat faces with a gradient, as in real photos).
struct LightSpec {
    cad::Vec3 direction;
    cad::Vec3 color;
    double intensity;
    double distanceInRadii;
};

/// The lights of a scene, drawn from its light seed: a key light from above, fills and a rim,
/// placed relative to the camera so that the seen side is lit.
std::vector<LightSpec> sceneLights(const Scene& scene);

/// Linear to sRGB-encoded: VTK shades in linear values, the image is stored encoded.
inline double linearToSrgb(double v) {
    v = std::fmin(std::fmax(v, 0.0), 1.0);
    return v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1.0 / 2.4) - 0.055;
}

} // namespace img2cad::viewer::internal
