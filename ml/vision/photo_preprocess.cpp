// SPDX-License-Identifier: MIT
#include "ml/vision/photo_preprocess.h"

#include "ml/error.h"
#include "ml/vision/opencv_image.h"
#include "ml/vision/photo_io.h"

#include <opencv2/imgproc.hpp>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

void writeDebug(const PreprocessOptions& options, const char* name, const cad::Image& image) {
    if (options.debugFolder.empty()) return;
    fs::create_directories(options.debugFolder);
    writeImage(image, options.debugFolder / name);
}

cad::Image overlay(const cad::Image& photo, const cad::Image& mask) {
    cv::Mat picture = toMat(photo);
    cv::Mat tint(picture.size(), picture.type(), cv::Scalar(60, 60, 230)); // red, BGR
    cv::Mat blended;
    cv::addWeighted(picture, 0.55, tint, 0.45, 0, blended);
    blended.copyTo(picture, toMat(mask));
    return fromMat(picture);
}

} // namespace

PreprocessedPhoto cropToPart(cad::Image photo, cad::Image mask, const PreprocessOptions& options) {
    if (photo.channels != 3 || mask.channels != 1 || photo.width != mask.width ||
        photo.height != mask.height)
        throw Error("cropToPart: expected an RGB photo and a mask of the same size");
    if (options.outputSize < 16) throw Error("the network input must be at least 16 pixels");
    const cv::Mat maskMat = toMat(mask);
    const cv::Rect box = cv::boundingRect(maskMat);
    if (box.area() == 0) throw Error("the mask is empty: no part to crop");
    const int side = int(
        std::ceil(std::max(box.width, box.height) / std::max(1e-6, 1.0 - 2.0 * options.margin)));
    const cv::Point centre(box.x + box.width / 2, box.y + box.height / 2);
    const cv::Rect square(centre.x - side / 2, centre.y - side / 2, side, side);

    // Crop with grey padding where the square leaves the photo, then scale.
    cv::Mat grey(side, side, CV_8UC3, cv::Scalar::all(kNeutralBackground));
    cv::Mat cropMask = cv::Mat::zeros(side, side, CV_8UC1);
    const cv::Rect inside = square & cv::Rect(0, 0, photo.width, photo.height);
    const cv::Rect target(inside.x - square.x, inside.y - square.y, inside.width, inside.height);
    const cv::Mat picture = toMat(photo);
    picture(inside).copyTo(grey(target), maskMat(inside));
    maskMat(inside).copyTo(cropMask(target));
    cv::Mat input, inputMask;
    const cv::Size size(options.outputSize, options.outputSize);
    cv::resize(grey, input, size, 0, 0, cv::INTER_AREA);
    cv::resize(cropMask, inputMask, size, 0, 0, cv::INTER_AREA);
    cv::threshold(inputMask, inputMask, 127, 255, cv::THRESH_BINARY);

    PreprocessedPhoto result;
    result.crop = {square.x, square.y, square.width, square.height};
    result.input = fromMat(input);
    result.inputMask = fromMat(inputMask);
    result.photo = std::move(photo);
    result.photoMask = std::move(mask);
    return result;
}

PreprocessedPhoto preprocessPhoto(cad::Image photo, const PreprocessOptions& options) {
    writeDebug(options, "1_photo.png", photo);
    cad::Image mask = segmentPart(photo, options.hints, options.mask);
    writeDebug(options, "2_mask.png", mask);
    writeDebug(options, "3_overlay.png", overlay(photo, mask));
    PreprocessedPhoto result = cropToPart(std::move(photo), std::move(mask), options);
    writeDebug(options, "4_crop_mask.png", result.inputMask);
    writeDebug(options, "5_input.png", result.input);
    return result;
}

PreprocessedPhoto preprocessPhoto(const fs::path& path, const PreprocessOptions& options) {
    return preprocessPhoto(readPhoto(path), options);
}

} // namespace img2cad::ml
