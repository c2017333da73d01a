// SPDX-License-Identifier: MIT
#pragma once
// Reading users' photos: JPEG, PNG, WebP, TIFF and BMP through OpenCV, with the EXIF orientation
// applied (phones store portrait shots sideways and say so in EXIF), and huge images reduced
// while decoding, so a 50-megapixel photo never becomes a 150 MB bitmap.

#include "cad/geometry/image.h"

#include <filesystem>

namespace img2cad::ml {

/// Largest photo kept, in pixels (about 4,000 x 3,000): far more than the models use, enough
/// for the mask editor.
constexpr std::int64_t kMaxPhotoPixels = 12'000'000;

/// The photo as RGB, upright, at most `maxPixels` pixels (reduced by 1/2, 1/4 or 1/8 while
/// decoding where the format allows, then resized). Throws ml::Error naming the file and why
/// (missing, a folder, empty, not an image, an unsupported format).
cad::Image readPhoto(const std::filesystem::path& path, std::int64_t maxPixels = kMaxPhotoPixels);

/// Writes an RGB or grey image as PNG/JPEG (by extension), atomically; throws ml::Error.
void writeImage(const cad::Image& image, const std::filesystem::path& path);

/// Extensions readPhoto accepts (lower case, with the dot).
bool isPhotoExtension(const std::filesystem::path& path);

} // namespace img2cad::ml
