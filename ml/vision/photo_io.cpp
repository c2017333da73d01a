// SPDX-License-Identifier: MIT
#include "ml/vision/photo_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "ml/error.h"
#include "ml/vision/opencv_image.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

/// Decodes with OpenCV, which applies the EXIF orientation for every flag used here.
cv::Mat decode(const fs::path& path, int flags) {
    try {
        return cv::imread(path.string(), flags);
    } catch (const cv::Exception&) {
        return {};
    }
}

} // namespace

bool isPhotoExtension(const fs::path& path) {
    const std::string ext = lower(path.extension().string());
    for (const char* known : {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp"})
        if (ext == known) return true;
    return false;
}

cad::Image readPhoto(const fs::path& path, std::int64_t maxPixels) {
    try {
        cad::requireReadableFile(path);
    } catch (const cad::Error& e) {
        throw Error(e.what());
    }
    if (fs::file_size(path) == 0) throw Error("'" + path.string() + "' is empty");
    // A cheap look at 1/8 scale gives the size (JPEG decodes it from the DCT directly); the real
    // decode then uses the largest reduction that still leaves at least maxPixels.
    const cv::Mat preview = decode(path, cv::IMREAD_REDUCED_COLOR_8);
    if (preview.empty())
        throw Error("'" + path.string() +
                    "' is not an image OpenCV can read (expected JPEG, PNG, WebP, TIFF or BMP)");
    const double estimated = double(preview.total()) * 64.0;
    int flags = cv::IMREAD_COLOR;
    if (estimated > 64.0 * double(maxPixels))
        flags = cv::IMREAD_REDUCED_COLOR_8;
    else if (estimated > 16.0 * double(maxPixels))
        flags = cv::IMREAD_REDUCED_COLOR_4;
    else if (estimated > 4.0 * double(maxPixels))
        flags = cv::IMREAD_REDUCED_COLOR_2;
    cv::Mat photo = flags == cv::IMREAD_REDUCED_COLOR_8 ? preview : decode(path, flags);
    if (photo.empty()) throw Error("'" + path.string() + "' could not be decoded");
    if (std::int64_t(photo.total()) > maxPixels) {
        const double factor = std::sqrt(double(maxPixels) / double(photo.total()));
        cv::resize(photo, photo, cv::Size(), factor, factor, cv::INTER_AREA);
    }
    return fromMat(photo);
}

void writeImage(const cad::Image& image, const fs::path& path) {
    const cv::Mat mat = toMat(image);
    std::vector<std::uint8_t> bytes;
    std::string ext = lower(path.extension().string());
    if (ext.empty()) ext = ".png";
    try {
        if (!cv::imencode(ext, mat, bytes))
            throw Error("cannot encode '" + path.string() + "' as " + ext);
    } catch (const cv::Exception& e) {
        throw Error("cannot encode '" + path.string() + "': " + e.what());
    }
    try {
        cad::writeFileAtomically(
            path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    } catch (const cad::Error& e) {
        throw Error(e.what());
    }
}

} // namespace img2cad::ml
