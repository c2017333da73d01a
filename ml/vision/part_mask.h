// SPDX-License-Identifier: MIT
#pragma once
// Separating the part from its background in a photo: GrabCut (Rother et al. 2004), seeded
// either by the user (a rectangle around the part, scribbles on part and background) or, with
// no hints, by a border model: a band along the image border is sure background, and inside it
// pixels unlike every border colour are probable part, which suits how people photograph a
// part (in the middle, with some table or wall around it). The largest connected region is kept;
// holes through the part (a washer's bore) stay holes.

#include "cad/geometry/image.h"

#include <array>
#include <optional>
#include <vector>

namespace img2cad::ml {

struct PixelRect {
    int x = 0, y = 0, width = 0, height = 0;
};

/// A brush stroke of the mask editor: pixels within `radius` of the polyline are sure part
/// (`foreground`) or sure background.
struct MaskStroke {
    std::vector<std::array<int, 2>> points;
    int radius = 6;
    bool foreground = true;
};

struct MaskHints {
    std::optional<PixelRect> rect; ///< the part lies inside; everything outside is background
    std::vector<MaskStroke> strokes;
};

struct MaskOptions {
    int workingSize = 512;    ///< longest side segmentation runs at (the mask is scaled back)
    double borderBand = 0.04; ///< border model: share of the shorter side taken as background
    int iterations = 5;       ///< GrabCut iterations
};

/// A 1-channel mask of `photo`'s size, 255 on the part. Throws ml::Error for an empty image or
/// when no part remains (everything background).
cad::Image segmentPart(const cad::Image& photo, const MaskHints& hints = {},
                       const MaskOptions& options = {});

} // namespace img2cad::ml
