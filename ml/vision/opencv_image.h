// SPDX-License-Identifier: MIT
#pragma once
// Conversions between the project's plain images and OpenCV matrices (private to ml/vision).

#include "cad/geometry/image.h"

#include <opencv2/core.hpp>

namespace img2cad::ml {

/// RGB or grey cad::Image -> BGR or grey cv::Mat (a copy).
cv::Mat toMat(const cad::Image& image);
/// BGR or grey cv::Mat (8-bit) -> RGB or grey cad::Image (a copy).
cad::Image fromMat(const cv::Mat& mat);

} // namespace img2cad::ml
