// SPDX-License-Identifier: MIT
#pragma once
// Plain raster images shared by the renderer (viewer/), the dataset writer and the models
// (ml/): rows top to bottom, pixels interleaved, no library types.

#include <cstdint>
#include <vector>

namespace img2cad::cad {

/// 8-bit image with 1 (grey, masks: 255 = part) or 3 (RGB) channels.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<std::uint8_t> pixels; ///< width * height * channels, row-major, top row first

    bool empty() const { return pixels.empty(); }
    std::uint8_t& at(int x, int y, int c = 0) {
        return pixels[(std::size_t(y) * width + x) * channels + c];
    }
    std::uint8_t at(int x, int y, int c = 0) const {
        return pixels[(std::size_t(y) * width + x) * channels + c];
    }
};

/// Per-pixel distance from the camera plane along the view direction, in model units (mm);
/// 0 where no surface was hit (background).
struct DepthImage {
    int width = 0;
    int height = 0;
    std::vector<float> depth; ///< width * height, row-major, top row first

    float at(int x, int y) const { return depth[std::size_t(y) * width + x]; }
};

} // namespace img2cad::cad
