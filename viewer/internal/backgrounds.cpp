// SPDX-License-Identifier: MIT
// Synthetic desk backgrounds: plain paper or laminate, studio-like gradients, wood, fabric
// and concrete textures, and cluttered desks with out-of-focus objects. Real phone photos are
// never flat, so every kind gets some low-frequency light falloff and grain.

#include "viewer/internal/random.h"
#include "viewer/internal/raster.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace img2cad::viewer::internal {

namespace {

using Rgb = std::array<float, 3>;

float lattice(int ix, int iy, std::uint64_t seed) {
    const std::uint64_t h =
        mix64(seed ^ (std::uint64_t(std::uint32_t(ix)) * 0x9E3779B97F4A7C15ull) ^
              (std::uint64_t(std::uint32_t(iy)) * 0xC2B2AE3D27D4EB4Full));
    return float(h >> 40) * (1.0f / 16777216.0f);
}

/// Smooth value noise in [0, 1] with unit lattice spacing.
float valueNoise(float x, float y, std::uint64_t seed) {
    const float fx = std::floor(x), fy = std::floor(y);
    const int ix = int(fx), iy = int(fy);
    float tx = x - fx, ty = y - fy;
    tx = tx * tx * (3.0f - 2.0f * tx);
    ty = ty * ty * (3.0f - 2.0f * ty);
    const float a = lattice(ix, iy, seed), b = lattice(ix + 1, iy, seed);
    const float c = lattice(ix, iy + 1, seed), d = lattice(ix + 1, iy + 1, seed);
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

/// Fractal sum of value noise, in [0, 1].
float fbm(float x, float y, std::uint64_t seed, int octaves) {
    float sum = 0.0f, amplitude = 0.5f, total = 0.0f;
    for (int i = 0; i < octaves; ++i) {
        sum += amplitude * valueNoise(x, y, seed + std::uint64_t(i) * 7919);
        total += amplitude;
        amplitude *= 0.5f;
        x *= 2.0f;
        y *= 2.0f;
    }
    return sum / total;
}

Rgb jitter(SplitMix64& rng, Rgb c, double amount) {
    for (float& v : c)
        v = float(std::clamp(v + rng.uniform(-amount, amount), 0.0, 1.0));
    return c;
}

Rgb lerp(const Rgb& a, const Rgb& b, float t) {
    return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

void put(FloatImage& image, int x, int y, const Rgb& c) {
    for (int i = 0; i < 3; ++i)
        image.at(x, y, i) = c[i];
}

/// Light colours of paper, desks and cutting mats.
Rgb lightSurface(SplitMix64& rng) {
    static const Rgb palette[] = {
        {0.93f, 0.93f, 0.91f}, {0.85f, 0.85f, 0.84f}, {0.88f, 0.83f, 0.74f}, {0.78f, 0.81f, 0.84f},
        {0.72f, 0.78f, 0.72f}, {0.95f, 0.92f, 0.86f}, {0.70f, 0.70f, 0.70f}, {0.86f, 0.80f, 0.80f}};
    return jitter(rng, palette[rng.index(8)], 0.04);
}

/// Desk tops: light and dark wood, grey laminate, black mat, green cutting mat.
Rgb deskTone(SplitMix64& rng) {
    static const Rgb palette[] = {{0.62f, 0.45f, 0.28f}, {0.36f, 0.24f, 0.15f},
                                  {0.55f, 0.55f, 0.54f}, {0.16f, 0.16f, 0.17f},
                                  {0.20f, 0.35f, 0.27f}, {0.80f, 0.78f, 0.74f}};
    return jitter(rng, palette[rng.index(6)], 0.04);
}

void fillPlain(FloatImage& image, SplitMix64& rng) {
    const Rgb base = lightSurface(rng);
    const std::uint64_t seed = rng.next();
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const float n = fbm(x * 0.012f, y * 0.012f, seed, 3) - 0.5f;
            const float f = 1.0f + 0.08f * n;
            put(image, x, y, {base[0] * f, base[1] * f, base[2] * f});
        }
}

void fillGradient(FloatImage& image, SplitMix64& rng) {
    const Rgb a = lightSurface(rng);
    Rgb b = rng.chance(0.5) ? lightSurface(rng) : deskTone(rng);
    const double angle = rng.uniform(0.0, 6.283185307179586);
    const float ux = float(std::cos(angle)), uy = float(std::sin(angle));
    const float half = 0.5f * float(std::abs(ux) * image.width + std::abs(uy) * image.height);
    const bool radial = rng.chance(0.35);
    const float cx = float(rng.uniform(0.3, 0.7) * image.width);
    const float cy = float(rng.uniform(0.2, 0.6) * image.height);
    const float reach = float(rng.uniform(0.6, 1.1) * image.width);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            float t;
            if (radial) {
                t = std::hypot(x - cx, y - cy) / reach;
            } else {
                t = ((x - 0.5f * image.width) * ux + (y - 0.5f * image.height) * uy) / half;
                t = 0.5f + 0.5f * t;
            }
            t = std::clamp(t, 0.0f, 1.0f);
            put(image, x, y, lerp(a, b, t * t * (3.0f - 2.0f * t)));
        }
}

void fillWood(FloatImage& image, SplitMix64& rng) {
    static const Rgb light[] = {
        {0.78f, 0.60f, 0.40f}, {0.70f, 0.52f, 0.34f}, {0.85f, 0.72f, 0.52f}, {0.55f, 0.38f, 0.24f}};
    const int kind = rng.index(4);
    const Rgb pale = jitter(rng, light[kind], 0.04);
    const Rgb dark = {pale[0] * 0.68f, pale[1] * 0.62f, pale[2] * 0.58f};
    const double angle = rng.uniform(-0.4, 0.4) + (rng.chance(0.5) ? 1.5707963 : 0.0);
    const float ux = float(std::cos(angle)), uy = float(std::sin(angle));
    const float ringScale = float(rng.uniform(0.08, 0.2)) * 224.0f / image.width;
    const std::uint64_t seed = rng.next();
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            // Along the grain the pattern stretches a lot; across it, rings alternate.
            const float along = x * ux + y * uy, across = -x * uy + y * ux;
            const float warp = 6.0f * fbm(along * 0.01f, across * 0.05f, seed, 3);
            const float ring = 0.5f + 0.5f * std::sin((across * ringScale + warp) * 3.0f);
            const float grain = fbm(along * 0.02f, across * 0.6f, seed + 1, 2);
            const float t = std::clamp(0.65f * ring * ring + 0.35f * grain, 0.0f, 1.0f);
            put(image, x, y, lerp(pale, dark, t));
        }
}

void fillFabric(FloatImage& image, SplitMix64& rng) {
    static const Rgb palette[] = {{0.45f, 0.47f, 0.50f},
                                  {0.22f, 0.28f, 0.42f},
                                  {0.30f, 0.38f, 0.30f},
                                  {0.66f, 0.62f, 0.56f},
                                  {0.55f, 0.25f, 0.22f}};
    const Rgb base = jitter(rng, palette[rng.index(5)], 0.05);
    const float period = float(rng.uniform(2.5, 5.0)) * image.width / 224.0f;
    const double angle = rng.uniform(-0.3, 0.3);
    const float ux = float(std::cos(angle)), uy = float(std::sin(angle));
    const std::uint64_t seed = rng.next();
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const float u = (x * ux + y * uy) / period, v = (-x * uy + y * ux) / period;
            const float weave = std::sin(u * 3.14159f) * std::sin(v * 3.14159f);
            const float fibre = fbm(u * 0.7f, v * 3.0f, seed, 2) - 0.5f;
            const float mottle = fbm(x * 0.02f, y * 0.02f, seed + 5, 3) - 0.5f;
            const float f = 1.0f + 0.12f * weave + 0.15f * fibre + 0.12f * mottle;
            put(image, x, y, {base[0] * f, base[1] * f, base[2] * f});
        }
}

void fillConcrete(FloatImage& image, SplitMix64& rng) {
    const Rgb base = jitter(rng, rng.chance(0.5) ? Rgb{0.62f, 0.61f, 0.59f} : deskTone(rng), 0.05);
    const std::uint64_t seed = rng.next();
    const float s = 224.0f / image.width;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const float coarse = fbm(x * 0.02f * s, y * 0.02f * s, seed, 3) - 0.5f;
            const float fine = valueNoise(x * 0.7f * s, y * 0.7f * s, seed + 3) - 0.5f;
            const float f = 1.0f + 0.25f * coarse + 0.12f * fine;
            put(image, x, y, {base[0] * f, base[1] * f, base[2] * f});
        }
}

/// Soft-edged shapes in front of a desk tone: papers, mugs, pens and cables, out of focus.
void fillCluttered(FloatImage& image, SplitMix64& rng) {
    switch (rng.index(3)) {
    case 0:
        fillWood(image, rng);
        break;
    case 1:
        fillConcrete(image, rng);
        break;
    default:
        fillPlain(image, rng);
        break;
    }
    const int w = image.width, h = image.height;
    const int count = 4 + rng.index(8);
    for (int i = 0; i < count; ++i) {
        const int kind = rng.index(3);
        Rgb colour = rng.chance(0.4) ? lightSurface(rng) : deskTone(rng);
        if (rng.chance(0.25)) colour = jitter(rng, {0.6f, 0.3f, 0.2f}, 0.3); // a coloured object
        const float cx = float(rng.uniform(-0.1, 1.1) * w), cy = float(rng.uniform(-0.1, 1.1) * h);
        const float a = float(rng.uniform(0.08, 0.45) * w), b = float(rng.uniform(0.05, 0.3) * h);
        const double angle = rng.uniform(0.0, 3.14159);
        const float ux = float(std::cos(angle)), uy = float(std::sin(angle));
        const float thickness = float(rng.uniform(0.006, 0.025) * w);
        const float soft = float(rng.uniform(0.5, 2.5) * w / 224.0);
        const float opacity = float(rng.uniform(0.6, 1.0));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const float px = (x - cx) * ux + (y - cy) * uy;
                const float py = -(x - cx) * uy + (y - cy) * ux;
                float inside;  // signed distance, negative inside (approximate for ellipses)
                if (kind == 0) // a sheet of paper or a box
                    inside = std::max(std::abs(px) - a, std::abs(py) - b);
                else if (kind == 1) // a mug or a roll of tape, seen from above
                    inside = (std::hypot(px / a, py / a * 1.3f) - 0.5f) * a;
                else // a pen or a cable
                    inside = std::max(std::abs(py) - thickness, std::abs(px) - a * 1.5f);
                const float t = std::clamp(0.5f - inside / soft, 0.0f, 1.0f) * opacity;
                if (t <= 0.0f) continue;
                for (int c = 0; c < 3; ++c)
                    image.at(x, y, c) += (colour[c] - image.at(x, y, c)) * t;
            }
    }
    // The camera focuses on the part: the desk around it is out of focus.
    gaussianBlur(image, rng.uniform(0.8, 2.5) * w / 224.0);
}

/// Room light falls off across a desk.
void addLightFalloff(FloatImage& image, SplitMix64& rng) {
    const double angle = rng.uniform(0.0, 6.283185307179586);
    const float ux = float(std::cos(angle)) / image.width,
                uy = float(std::sin(angle)) / image.height;
    const float strength = float(rng.uniform(0.0, 0.25));
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const float t = (x - 0.5f * image.width) * ux + (y - 0.5f * image.height) * uy;
            const float f = 1.0f + strength * t;
            for (int c = 0; c < 3; ++c)
                image.at(x, y, c) *= f;
        }
}

} // namespace

FloatImage makeBackground(Background kind, std::uint64_t seed, int width, int height) {
    FloatImage image(width, height, 3);
    SplitMix64 rng(deriveSeed(seed, 3));
    switch (kind) {
    case Background::Plain:
        fillPlain(image, rng);
        break;
    case Background::Gradient:
        fillGradient(image, rng);
        break;
    case Background::Textured:
        switch (rng.index(3)) {
        case 0:
            fillWood(image, rng);
            break;
        case 1:
            fillFabric(image, rng);
            break;
        default:
            fillConcrete(image, rng);
            break;
        }
        break;
    case Background::Cluttered:
        fillCluttered(image, rng);
        break;
    }
    addLightFalloff(image, rng);
    return image;
}

void addSurfaceGrain(FloatImage& part, double strength, std::uint64_t seed) {
    const float s = float(strength);
    const float scale = 224.0f / part.width;
    for (int y = 0; y < part.height; ++y)
        for (int x = 0; x < part.width; ++x) {
            const float fine = valueNoise(x * 0.6f * scale, y * 0.6f * scale, seed) - 0.5f;
            const float blotch = fbm(x * 0.08f * scale, y * 0.08f * scale, seed + 1, 2) - 0.5f;
            const float f = 1.0f + s * (fine + 0.6f * blotch);
            for (int c = 0; c < part.channels; ++c)
                part.at(x, y, c) *= f;
        }
}

} // namespace img2cad::viewer::internal
