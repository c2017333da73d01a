// SPDX-License-Identifier: MIT
#pragma once
// One training sample as it lives in a dataset shard: the CAD program, its point cloud in the
// normalised frame, and photo-like views with masks, depths and cameras. Plain values.

#include "cad/geometry/image.h"
#include "cad/geometry/point_cloud.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace img2cad::ml {

enum class Split : std::uint8_t { Train = 0, Val = 1, Test = 2 };
const char* splitName(Split split);
/// The split named "train", "val" or "test"; throws ml::Error naming the three otherwise.
Split splitNamed(const std::string& name);

/// Camera of a view: position (3), focal point (3), view-up (3), vertical view angle in degrees.
using CameraParameters = std::array<double, 10>;

struct View {
    cad::Image color;      ///< RGB
    cad::Image mask;       ///< 1 channel, 255 = part
    cad::DepthImage depth; ///< mm along the view direction, 0 = background
    CameraParameters camera{};
};

struct Sample {
    std::int64_t index = -1; ///< position in the dataset, 0..count-1
    std::uint64_t seed = 0;  ///< what made it (generator seed, or file order for imports)
    std::string source;      ///< family name, or the imported file's name
    std::string programJson; ///< canonical program JSON; empty for imported STEP parts
    std::string nearDuplicateKey;
    Split split = Split::Train;
    /// Points on the surface in the normalised frame (bounding box centred, longest side 1),
    /// with normals, face indices and primitive labels.
    cad::PointCloud points;
    std::array<double, 4> normalization{}; ///< centre x, y, z and scale that made `points`
    std::vector<View> views;
};

/// The 80/10/10 split by a stable hash (FNV-1a) of the near-duplicate key, so that two nearly
/// equal parts can never sit on both sides of a train/test boundary.
Split splitFor(const std::string& nearDuplicateKey);

} // namespace img2cad::ml
