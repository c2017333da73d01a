// SPDX-License-Identifier: MIT
#include "ml/vision/silhouette_pose.h"

#include "ml/error.h"
#include "ml/vision/opencv_image.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace img2cad::ml {
namespace {

constexpr double kDegree = M_PI / 180.0;
constexpr int kWorkingSize = 192; ///< longest side of the mask the search compares against
constexpr int kSubpixelBits = 3;  ///< cv::fillConvexPoly's fixed-point fraction

/// The mesh's vertices in its own normalised frame (bounding-box centre at 0, longest side 1).
std::vector<cad::Vec3> normalisedVertices(const cad::TriangleMesh& mesh) {
    if (mesh.empty()) throw Error("the CAD has no surface to draw a silhouette of");
    const cad::BoundingBox box = mesh.bounds();
    const double side = std::max(box.largestSide(), 1e-12);
    std::vector<cad::Vec3> vertices;
    vertices.reserve(mesh.positions.size());
    for (const cad::Vec3f& p : mesh.positions)
        vertices.push_back((cad::toVec3(p) - box.center()) * (1.0 / side));
    return vertices;
}

/// The camera's right and up axes in the CAD's frame (image x grows along right, y along -up).
std::pair<cad::Vec3, cad::Vec3> imageAxes(const CadPose& pose) {
    const ViewDirection view = viewDirectionOf(pose);
    const cad::Vec3 toCamera{view.towardsCamera[0], view.towardsCamera[1], view.towardsCamera[2]};
    const cad::Vec3 up{view.up[0], view.up[1], view.up[2]};
    return {up.cross(toCamera).normalized(), up};
}

/// Vertices in the image plane at unit scale and zero centre, for a pose's rotation.
std::vector<cv::Point2d> projectedUnit(const std::vector<cad::Vec3>& vertices,
                                       const CadPose& pose) {
    const auto [right, up] = imageAxes(pose);
    std::vector<cv::Point2d> points;
    points.reserve(vertices.size());
    for (const cad::Vec3& v : vertices)
        points.emplace_back(v.dot(right), -v.dot(up));
    return points;
}

void fillSilhouette(const cad::TriangleMesh& mesh, const std::vector<cv::Point2d>& unit,
                    const CadPose& pose, cv::Mat& target) {
    target.setTo(0);
    const double fixed = double(1 << kSubpixelBits);
    std::vector<cv::Point> corners(3);
    for (const auto& triangle : mesh.triangles) {
        for (int k = 0; k < 3; ++k) {
            const cv::Point2d& p = unit[triangle[std::size_t(k)]];
            corners[std::size_t(k)] = {int(std::lround((pose.centerX + pose.scale * p.x) * fixed)),
                                       int(std::lround((pose.centerY + pose.scale * p.y) * fixed))};
        }
        cv::fillConvexPoly(target, corners, cv::Scalar(255), cv::LINE_8, kSubpixelBits);
    }
}

/// `pose` with its scale and centre set so that its silhouette's extent matches `part` (same
/// centre, same area of the bounding rectangle); its angles are kept.
CadPose placedOn(const std::vector<cad::Vec3>& vertices, CadPose pose, const cv::Rect& part) {
    const std::vector<cv::Point2d> unit = projectedUnit(vertices, pose);
    cv::Point2d low{INFINITY, INFINITY}, high{-INFINITY, -INFINITY};
    for (const cv::Point2d& p : unit) {
        low = {std::min(low.x, p.x), std::min(low.y, p.y)};
        high = {std::max(high.x, p.x), std::max(high.y, p.y)};
    }
    const double width = std::max(high.x - low.x, 1e-6), height = std::max(high.y - low.y, 1e-6);
    pose.scale = std::sqrt(double(part.width) * part.height / (width * height));
    pose.centerX = part.x + 0.5 * part.width - pose.scale * 0.5 * (low.x + high.x);
    pose.centerY = part.y + 0.5 * part.height - pose.scale * 0.5 * (low.y + high.y);
    return pose;
}

cv::Rect partRectangle(const cv::Mat& mask) {
    cv::Mat points;
    cv::findNonZero(mask, points);
    if (points.empty()) throw Error("the mask shows no part to align the CAD with");
    return cv::boundingRect(points);
}

double iouOf(const cv::Mat& a, const cv::Mat& b) {
    const int both = cv::countNonZero(a & b), either = cv::countNonZero(a | b);
    return either == 0 ? 0.0 : double(both) / double(either);
}

/// The search's state: the working mask, the mesh, and a count of silhouettes drawn.
class PoseSearch {
public:
    PoseSearch(const cad::TriangleMesh& mesh, const cv::Mat& mask)
        : m_mesh(mesh), m_vertices(normalisedVertices(mesh)), m_mask(mask),
          m_part(partRectangle(mask)), m_canvas(mask.size(), CV_8UC1) {}

    CadPose placed(const CadPose& pose) const { return placedOn(m_vertices, pose, m_part); }

    double iou(const CadPose& pose) {
        ++evaluations;
        fillSilhouette(m_mesh, projectedUnit(m_vertices, pose), pose, m_canvas);
        return iouOf(m_canvas, m_mask);
    }

    /// Coordinate search: each parameter nudged both ways by its step, steps halved when no
    /// nudge helps, until the angles move by less than half a degree. A turned pose is also
    /// tried placed anew on the mask's extent: turning changes the silhouette's size and centre,
    /// and without that a turn towards the truth often scores worse than staying.
    PoseFit refine(CadPose pose, int budget) {
        double best = iou(pose);
        const double extent = std::max(1.0, pose.scale);
        std::array<double, 6> steps{20.0, 15.0, 20.0, 0.15, 0.06 * extent, 0.06 * extent};
        const int limit = evaluations + budget;
        while (steps[0] >= 0.5 && evaluations < limit) {
            bool improved = false;
            for (std::size_t p = 0; p < steps.size(); ++p)
                for (const double sign : {1.0, -1.0}) {
                    CadPose trial = nudged(pose, p, sign * steps[p]);
                    double score = iou(trial);
                    if (p < 3) {
                        const CadPose replaced = placed(trial);
                        if (const double other = iou(replaced); other > score)
                            score = other, trial = replaced;
                    }
                    if (score > best + 1e-6) {
                        best = score, pose = trial, improved = true;
                        break;
                    }
                }
            if (!improved)
                for (double& step : steps)
                    step *= 0.5;
        }
        return {pose, best, 0};
    }

    int evaluations = 0;

private:
    static CadPose nudged(CadPose pose, std::size_t parameter, double by) {
        switch (parameter) {
        case 0:
            pose.azimuthDeg += by;
            break;
        case 1:
            pose.elevationDeg = std::clamp(pose.elevationDeg + by, -89.0, 89.0);
            break;
        case 2:
            pose.rollDeg += by;
            break;
        case 3:
            pose.scale *= std::exp(by);
            break;
        case 4:
            pose.centerX += by;
            break;
        default:
            pose.centerY += by;
            break;
        }
        return pose;
    }

    const cad::TriangleMesh& m_mesh;
    std::vector<cad::Vec3> m_vertices;
    cv::Mat m_mask;
    cv::Rect m_part;
    cv::Mat m_canvas;
};

CadPose scaled(CadPose pose, double factor) {
    pose.scale *= factor;
    pose.centerX *= factor;
    pose.centerY *= factor;
    return pose;
}

} // namespace

ViewDirection viewDirectionOf(const CadPose& pose) {
    const double az = pose.azimuthDeg * kDegree;
    const double el = std::clamp(pose.elevationDeg, -89.0, 89.0) * kDegree;
    const cad::Vec3 toCamera{std::cos(el) * std::cos(az), std::cos(el) * std::sin(az),
                             std::sin(el)};
    // Upright first (the CAD's +Z as high in the image as the view allows), then the roll.
    const cad::Vec3 right = cad::Vec3{0, 0, 1}.cross(toCamera).normalized();
    const cad::Vec3 upright = toCamera.cross(right);
    const double roll = pose.rollDeg * kDegree;
    const cad::Vec3 up = upright * std::cos(roll) + right * std::sin(roll);
    return {{toCamera.x, toCamera.y, toCamera.z}, {up.x, up.y, up.z}};
}

cad::Image renderSilhouette(const cad::TriangleMesh& mesh, const CadPose& pose, int width,
                            int height) {
    if (width <= 0 || height <= 0) throw Error("a silhouette needs a positive size");
    cv::Mat canvas(height, width, CV_8UC1);
    fillSilhouette(mesh, projectedUnit(normalisedVertices(mesh), pose), pose, canvas);
    return fromMat(canvas);
}

std::vector<std::vector<std::array<float, 2>>> maskOutline(const cad::Image& mask) {
    cv::Mat silhouette = toMat(mask) > 0;
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(silhouette, contours, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
    std::vector<std::vector<std::array<float, 2>>> outlines;
    for (const auto& contour : contours) {
        std::vector<std::array<float, 2>>& outline = outlines.emplace_back();
        for (const cv::Point& p : contour)
            outline.push_back({float(p.x) + 0.5f, float(p.y) + 0.5f});
    }
    return outlines;
}

double maskIoU(const cad::Image& a, const cad::Image& b) {
    if (a.width != b.width || a.height != b.height || a.channels != 1 || b.channels != 1)
        throw Error("IoU needs two 1-channel masks of the same size");
    return iouOf(toMat(a) > 0, toMat(b) > 0);
}

CadPose poseCentredOn(const cad::TriangleMesh& mesh, const cad::Image& mask, double azimuthDeg,
                      double elevationDeg) {
    CadPose pose;
    pose.azimuthDeg = azimuthDeg;
    pose.elevationDeg = elevationDeg;
    return placedOn(normalisedVertices(mesh), pose, partRectangle(toMat(mask)));
}

PoseFit fitPose(const cad::TriangleMesh& mesh, const cad::Image& mask,
                const std::optional<CadPose>& start) {
    if (mask.channels != 1 || mask.width <= 0 || mask.height <= 0)
        throw Error("aligning a pose needs a 1-channel part mask");
    const double factor =
        std::min(1.0, double(kWorkingSize) / double(std::max(mask.width, mask.height)));
    cv::Mat working;
    cv::resize(toMat(mask), working, cv::Size(), factor, factor, cv::INTER_AREA);
    working = working > 127;
    if (cv::countNonZero(working) == 0) throw Error("the mask shows no part to align the CAD with");
    PoseSearch search(mesh, working);

    // Viewpoints all around and above the part, each placed on the mask; the three that
    // overlap best are refined, and so is the user's start (as given and placed on the mask).
    std::vector<std::pair<double, CadPose>> grid;
    for (double elevation : {-30.0, 0.0, 30.0, 60.0, 85.0})
        for (double azimuth = 0.0; azimuth < 360.0; azimuth += 30.0) {
            CadPose pose;
            pose.azimuthDeg = azimuth;
            pose.elevationDeg = elevation;
            pose = search.placed(pose);
            grid.emplace_back(search.iou(pose), pose);
        }
    std::partial_sort(grid.begin(), grid.begin() + 3, grid.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    PoseFit best;
    best.iou = -1.0;
    if (start) {
        for (const CadPose& from : {scaled(*start, factor), search.placed(scaled(*start, factor))})
            if (const PoseFit fit = search.refine(from, 400); fit.iou > best.iou) best = fit;
    }
    // A symmetric part looks the same from several poses: the user's stays unless another
    // overlaps clearly better.
    const double userMargin = start ? 0.01 : 0.0;
    for (int i = 0; i < 3; ++i)
        if (const PoseFit fit = search.refine(grid[std::size_t(i)].second, 400);
            fit.iou > best.iou + userMargin)
            best = fit;
    best.pose = scaled(best.pose, 1.0 / factor);
    best.pose.azimuthDeg = std::remainder(best.pose.azimuthDeg, 360.0);
    best.pose.rollDeg = std::remainder(best.pose.rollDeg, 360.0);
    best.evaluations = search.evaluations;
    return best;
}

} // namespace img2cad::ml
