// SPDX-License-Identifier: MIT
#pragma once
// A user's photo made into what the lifting network reads (paper section 3.2, first step):
// upright and bounded in size (photo_io.h), the part separated from its background
// (part_mask.h), cropped square around the part with a margin, resized, and composited on a
// neutral grey outside the mask. The training renders go through the same compositing (with
// their exact masks), so the network never learns the backgrounds of either domain.

#include "cad/geometry/image.h"
#include "ml/vision/part_mask.h"

#include <filesystem>

namespace img2cad::ml {

/// The grey outside the part in network inputs.
constexpr std::uint8_t kNeutralBackground = 128;

struct PreprocessOptions {
    int outputSize = 224;
    double margin = 0.1; ///< share of the crop's side left around the part on each side
    MaskHints hints;
    MaskOptions mask;
    /// When set, every step's image is written there: 1_photo.png, 2_mask.png, 3_overlay.png,
    /// 4_crop_mask.png, 5_input.png.
    std::filesystem::path debugFolder;
};

struct PreprocessedPhoto {
    cad::Image photo;     ///< upright, size-bounded RGB
    cad::Image photoMask; ///< the part mask at the photo's size
    PixelRect crop;       ///< the square crop in photo pixels (may extend past the photo)
    cad::Image input;     ///< outputSize^2 RGB, grey outside the part
    cad::Image inputMask; ///< outputSize^2 mask
};

/// Throws ml::Error for unreadable files and photos in which no part is found.
PreprocessedPhoto preprocessPhoto(const std::filesystem::path& path,
                                  const PreprocessOptions& options = {});
PreprocessedPhoto preprocessPhoto(cad::Image photo, const PreprocessOptions& options = {});

/// The crop / resize / composite step alone, for images whose mask is known (training renders).
PreprocessedPhoto cropToPart(cad::Image photo, cad::Image mask, const PreprocessOptions& options);

} // namespace img2cad::ml
