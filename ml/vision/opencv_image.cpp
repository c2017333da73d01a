// SPDX-License-Identifier: MIT
#include "ml/vision/opencv_image.h"

#include "ml/error.h"

#include <opencv2/imgproc.hpp>

namespace img2cad::ml {

cv::Mat toMat(const cad::Image& image) {
    if (image.channels != 1 && image.channels != 3) throw Error("images must have 1 or 3 channels");
    const cv::Mat view(image.height, image.width, image.channels == 3 ? CV_8UC3 : CV_8UC1,
                       const_cast<std::uint8_t*>(image.pixels.data()));
    cv::Mat result;
    if (image.channels == 3)
        cv::cvtColor(view, result, cv::COLOR_RGB2BGR);
    else
        result = view.clone();
    return result;
}

cad::Image fromMat(const cv::Mat& mat) {
    if (mat.depth() != CV_8U || (mat.channels() != 1 && mat.channels() != 3))
        throw Error("expected an 8-bit grey or colour image");
    cv::Mat converted;
    if (mat.channels() == 3)
        cv::cvtColor(mat, converted, cv::COLOR_BGR2RGB);
    else
        converted = mat.isContinuous() ? mat : mat.clone();
    if (!converted.isContinuous()) converted = converted.clone();
    cad::Image image{converted.cols, converted.rows, converted.channels(), {}};
    image.pixels.assign(converted.data, converted.data + converted.total() * converted.elemSize());
    return image;
}

} // namespace img2cad::ml
