// SPDX-License-Identifier: MIT
#include "ml/vision/part_mask.h"

#include "ml/error.h"
#include "ml/vision/opencv_image.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <limits>

namespace img2cad::ml {
namespace {

/// Keeps the largest 8-connected region of a 0/255 mask (stray background blobs go).
cv::Mat largestRegion(const cv::Mat& mask) {
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8);
    int best = 0, bestArea = 0;
    for (int label = 1; label < count; ++label) {
        const int area = stats.at<int>(label, cv::CC_STAT_AREA);
        if (area > bestArea) best = label, bestArea = area;
    }
    if (best == 0) return cv::Mat::zeros(mask.size(), CV_8UC1);
    cv::Mat result = labels == best;
    return result;
}

/// The border model's seeds: the border band is sure background; inside it, pixels whose colour
/// is far from every colour of the border (k-means clusters, Lab) are probable part, the
/// others probable background. GrabCut then refines both.
void seedFromBorder(const cv::Mat& image, cv::Mat& labels, int band) {
    cv::Mat lab;
    cv::cvtColor(image, lab, cv::COLOR_BGR2Lab);
    lab.convertTo(lab, CV_32FC3);
    cv::Mat border(0, 3, CV_32F);
    for (int y = 0; y < lab.rows; ++y)
        for (int x = 0; x < lab.cols; ++x)
            if (x < band || y < band || x >= lab.cols - band || y >= lab.rows - band)
                border.push_back(cv::Mat(1, 3, CV_32F, lab.ptr<float>(y) + 3 * x));
    const int clusters = std::min(8, border.rows);
    cv::Mat assignment, centres;
    cv::kmeans(border, clusters, assignment,
               cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 20, 0.5), 3,
               cv::KMEANS_PP_CENTERS, centres);
    cv::Mat distance(lab.size(), CV_32F);
    for (int y = 0; y < lab.rows; ++y)
        for (int x = 0; x < lab.cols; ++x) {
            const cv::Vec3f p = lab.at<cv::Vec3f>(y, x);
            float best = std::numeric_limits<float>::max();
            for (int c = 0; c < centres.rows; ++c)
                best = std::min(best, float(cv::norm(p - cv::Vec3f(centres.ptr<float>(c)))));
            distance.at<float>(y, x) = best;
        }
    cv::Mat scaled;
    cv::normalize(distance, scaled, 0, 255, cv::NORM_MINMAX);
    scaled.convertTo(scaled, CV_8U);
    cv::Mat far;
    cv::threshold(scaled, far, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    labels.setTo(cv::GC_PR_BGD);
    labels.setTo(cv::GC_PR_FGD, far);
    labels.rowRange(0, band).setTo(cv::GC_BGD);
    labels.rowRange(labels.rows - band, labels.rows).setTo(cv::GC_BGD);
    labels.colRange(0, band).setTo(cv::GC_BGD);
    labels.colRange(labels.cols - band, labels.cols).setTo(cv::GC_BGD);
}

} // namespace

cad::Image segmentPart(const cad::Image& photo, const MaskHints& hints,
                       const MaskOptions& options) {
    if (photo.empty() || photo.width < 8 || photo.height < 8)
        throw Error("cannot find a part in an empty or tiny image");
    const cv::Mat full = toMat(photo);
    cv::Mat colour = full;
    if (colour.channels() == 1) cv::cvtColor(full, colour, cv::COLOR_GRAY2BGR);
    const double scale =
        std::min(1.0, double(options.workingSize) / double(std::max(photo.width, photo.height)));
    cv::Mat small;
    cv::resize(colour, small, cv::Size(), scale, scale, cv::INTER_AREA);

    cv::Mat labels(small.size(), CV_8UC1, cv::Scalar(cv::GC_PR_FGD));
    if (hints.rect) {
        labels.setTo(cv::GC_BGD);
        const cv::Rect r(int(hints.rect->x * scale), int(hints.rect->y * scale),
                         std::max(1, int(hints.rect->width * scale)),
                         std::max(1, int(hints.rect->height * scale)));
        labels(r & cv::Rect(0, 0, small.cols, small.rows)).setTo(cv::GC_PR_FGD);
    } else {
        seedFromBorder(small, labels,
                       std::max(1, int(options.borderBand * std::min(small.cols, small.rows))));
    }
    for (const MaskStroke& stroke : hints.strokes) {
        const int radius = std::max(1, int(stroke.radius * scale));
        for (std::size_t i = 0; i < stroke.points.size(); ++i) {
            const cv::Point a(int(stroke.points[i][0] * scale), int(stroke.points[i][1] * scale));
            const cv::Point b = i + 1 < stroke.points.size()
                                    ? cv::Point(int(stroke.points[i + 1][0] * scale),
                                                int(stroke.points[i + 1][1] * scale))
                                    : a;
            cv::line(labels, a, b, cv::Scalar(stroke.foreground ? cv::GC_FGD : cv::GC_BGD),
                     2 * radius);
        }
    }
    // GrabCut needs seeds of both kinds; a uniform photo (all white, a blank wall) gives the
    // border model nothing that stands out, and OpenCV would only report a failed assertion.
    const cv::Mat seedsForPart = (labels == cv::GC_FGD) | (labels == cv::GC_PR_FGD);
    const cv::Mat seedsForBackground = (labels == cv::GC_BGD) | (labels == cv::GC_PR_BGD);
    if (cv::countNonZero(seedsForPart) == 0 || cv::countNonZero(seedsForBackground) == 0)
        throw Error("no part stands out from the background of the photo: mark it with a "
                    "rectangle or a stroke");
    cv::Mat background, foreground;
    try {
        cv::grabCut(small, labels, cv::Rect(), background, foreground, options.iterations,
                    cv::GC_INIT_WITH_MASK);
    } catch (const cv::Exception& e) {
        throw Error(std::string("segmentation failed: ") + e.what());
    }
    cv::Mat part = (labels == cv::GC_FGD) | (labels == cv::GC_PR_FGD);
    part = largestRegion(part);
    if (cv::countNonZero(part) == 0)
        throw Error("no part found in the photo: mark it with a rectangle or a stroke");
    cv::Mat mask;
    cv::resize(part, mask, full.size(), 0, 0, cv::INTER_LINEAR);
    cv::threshold(mask, mask, 127, 255, cv::THRESH_BINARY);
    return fromMat(mask);
}

} // namespace img2cad::ml
