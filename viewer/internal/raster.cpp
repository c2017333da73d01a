// SPDX-License-Identifier: MIT
#include "viewer/internal/raster.h"

#include "viewer/internal/random.h"

#include <algorithm>
#include <cmath>

namespace img2cad::viewer::internal {

namespace {

std::vector<float> gaussianKernel(double sigma) {
    const int radius = std::max(1, int(std::ceil(3.0 * sigma)));
    std::vector<float> kernel(2 * radius + 1);
    double sum = 0.0;
    for (int i = -radius; i <= radius; ++i) {
        const double w = std::exp(-0.5 * i * i / (sigma * sigma));
        kernel[i + radius] = float(w);
        sum += w;
    }
    for (float& w : kernel)
        w = float(w / sum);
    return kernel;
}

} // namespace

void gaussianBlur(FloatImage& image, double sigmaPx) {
    if (sigmaPx <= 0.05 || image.data.empty()) return;
    const std::vector<float> kernel = gaussianKernel(sigmaPx);
    const int radius = int(kernel.size() / 2);
    const int w = image.width, h = image.height, c = image.channels;
    std::vector<float> tmp(image.data.size());
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < c; ++ch) {
                float sum = 0.0f;
                for (int k = -radius; k <= radius; ++k) {
                    const int xx = std::clamp(x + k, 0, w - 1);
                    sum += kernel[k + radius] * image.data[(std::size_t(y) * w + xx) * c + ch];
                }
                tmp[(std::size_t(y) * w + x) * c + ch] = sum;
            }
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < c; ++ch) {
                float sum = 0.0f;
                for (int k = -radius; k <= radius; ++k) {
                    const int yy = std::clamp(y + k, 0, h - 1);
                    sum += kernel[k + radius] * tmp[(std::size_t(yy) * w + x) * c + ch];
                }
                image.data[(std::size_t(y) * w + x) * c + ch] = sum;
            }
}

void addContactShadow(FloatImage& background, const FloatImage& coverage, std::uint64_t seed) {
    SplitMix64 rng(deriveSeed(seed, 7));
    const int w = coverage.width, h = coverage.height;
    const double scale = w / 224.0; // shadow sizes were tuned at 224 px
    // Occlusion: the part rests on the desk, so right around its silhouette it is darker.
    FloatImage tight = coverage;
    gaussianBlur(tight, rng.uniform(1.0, 2.5) * scale);
    // Cast shadow: wider, shifted down (the desk is below the part in the image) and sideways
    // (away from the key light).
    FloatImage wide(w, h, 1);
    const int dx = int(std::lround(rng.uniform(-6.0, 6.0) * scale));
    const int dy = int(std::lround(rng.uniform(1.0, 7.0) * scale));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int sx = x - dx, sy = y - dy;
            if (sx >= 0 && sy >= 0 && sx < w && sy < h) wide.at(x, y) = coverage.at(sx, sy);
        }
    gaussianBlur(wide, rng.uniform(3.0, 8.0) * scale);
    const float tightStrength = float(rng.uniform(0.2, 0.45));
    const float wideStrength = float(rng.uniform(0.15, 0.45));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const float shade =
                (1.0f - tightStrength * tight.at(x, y)) * (1.0f - wideStrength * wide.at(x, y));
            for (int c = 0; c < background.channels; ++c)
                background.at(x, y, c) *= shade;
        }
}

cad::Image developPhoto(FloatImage image, double blurSigmaPx, double noiseSigma,
                        std::uint64_t seed) {
    SplitMix64 rng(deriveSeed(seed, 11));
    const int w = image.width, h = image.height;
    // Auto-exposure and auto white balance of a phone are never exact.
    const double exposure = rng.uniform(0.92, 1.08);
    const double warm = rng.uniform(-0.04, 0.04);
    const float gain[3] = {float(exposure * (1.0 + warm)), float(exposure),
                           float(exposure * (1.0 - warm))};
    const double vignette = rng.uniform(0.0, 0.25);
    const double cx = rng.uniform(0.4, 0.6) * w, cy = rng.uniform(0.4, 0.6) * h;
    const double norm = 1.0 / (0.25 * (double(w) * w + double(h) * h));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double r2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) * norm;
            const float falloff = float(1.0 - vignette * r2);
            for (int c = 0; c < 3; ++c)
                image.at(x, y, c) *= gain[c] * falloff;
        }
    gaussianBlur(image, blurSigmaPx);

    cad::Image out;
    out.width = w;
    out.height = h;
    out.channels = 3;
    out.pixels.resize(std::size_t(w) * h * 3);
    SplitMix64 noise(deriveSeed(seed, 13));
    for (std::size_t i = 0; i < image.data.size(); ++i) {
        double v = image.data[i] * 255.0;
        if (noiseSigma > 0.0) v += noiseSigma * noise.gaussian();
        out.pixels[i] = std::uint8_t(std::clamp(std::lround(v), 0L, 255L));
    }
    return out;
}

} // namespace img2cad::viewer::internal
