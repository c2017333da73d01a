// SPDX-License-Identifier: MIT
#pragma once
// Float raster work of the offscreen renderer, in plain C++ (the viewer does not link
// OpenCV): synthetic backgrounds, soft shadows, compositing and camera-like post-processing.
// Colours are display (sRGB-encoded) values in [0, 1]; rows top to bottom.

#include "viewer/offscreen_renderer.h"

#include <cstdint>
#include <vector>

namespace img2cad::viewer::internal {

/// A float image with `channels` interleaved channels.
struct FloatImage {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<float> data;

    FloatImage() = default;
    FloatImage(int w, int h, int c, float value = 0.0f)
        : width(w), height(h), channels(c), data(std::size_t(w) * h * c, value) {}
    float& at(int x, int y, int c = 0) { return data[(std::size_t(y) * width + x) * channels + c]; }
    float at(int x, int y, int c = 0) const {
        return data[(std::size_t(y) * width + x) * channels + c];
    }
};

/// Separable Gaussian blur of every channel (edges clamped); sigma <= 0.05 px is a no-op.
void gaussianBlur(FloatImage& image, double sigmaPx);

/// A desk-like RGB background of the given kind, deterministic for the seed.
FloatImage makeBackground(Background kind, std::uint64_t seed, int width, int height);

/// Fine mottling of the part's (premultiplied) colour, as printed or blasted surfaces show:
/// relative amplitude `strength`, deterministic for the seed.
void addSurfaceGrain(FloatImage& part, double strength, std::uint64_t seed);

/// Darkens `background` under a soft contact shadow derived from the part's coverage
/// (1 channel, 0..1): a tight occlusion ring plus a wider shadow offset away from the light.
void addContactShadow(FloatImage& background, const FloatImage& coverage, std::uint64_t seed);

/// Camera response: exposure and white-balance jitter, vignetting, blur, then sensor noise;
/// returns the quantised 8-bit RGB image.
cad::Image developPhoto(FloatImage image, double blurSigmaPx, double noiseSigma,
                        std::uint64_t seed);

} // namespace img2cad::viewer::internal
