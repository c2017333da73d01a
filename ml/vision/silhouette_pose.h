// SPDX-License-Identifier: MIT
#pragma once
// Where a part's CAD sits in a photo of it (issue 8, capture labelling): the user turns the CAD
// until its outline roughly covers the part, then a search maximises the overlap (IoU) of the
// CAD's silhouette with the photo's part mask.
//
// Camera model (our choice): weak perspective — a scaled orthographic view. A phone photo of a
// hand-sized part taken from half a metre shows little perspective, and the three rotation
// angles plus scale and image position are few enough to search without gradients, from any
// mask, in a fraction of a second.

#include "cad/geometry/image.h"
#include "cad/geometry/triangle_mesh.h"

#include <array>
#include <optional>
#include <vector>

namespace img2cad::ml {

/// The CAD (its mesh centred on its bounding box, longest side 1) seen from azimuth
/// `azimuthDeg` about +Z and `elevationDeg` above its XY plane, rolled by `rollDeg` about the
/// viewing axis, drawn `scale` pixels per unit with its centre at pixel (centerX, centerY).
struct CadPose {
    double azimuthDeg = 30.0;
    double elevationDeg = 25.0;
    double rollDeg = 0.0;
    double scale = 100.0;
    double centerX = 0.0, centerY = 0.0;
};

/// Where the camera looks from, in the CAD's frame: unit direction from the part to the camera
/// and the image's up direction.
struct ViewDirection {
    std::array<double, 3> towardsCamera{}, up{};
};
ViewDirection viewDirectionOf(const CadPose& pose);

/// The CAD's silhouette for `pose`: a width x height 1-channel mask, 255 where the part is.
cad::Image renderSilhouette(const cad::TriangleMesh& mesh, const CadPose& pose, int width,
                            int height);

/// The outlines of a mask's part in pixels (outer boundaries and holes), e.g. of a rendered
/// silhouette, to draw over the photo.
std::vector<std::vector<std::array<float, 2>>> maskOutline(const cad::Image& mask);

/// Intersection over union of two masks of equal size (pixels > 0); 0 when both are empty.
double maskIoU(const cad::Image& a, const cad::Image& b);

/// A pose that puts the CAD's silhouette on the mask's part: same centre, same extent.
CadPose poseCentredOn(const cad::TriangleMesh& mesh, const cad::Image& mask, double azimuthDeg,
                      double elevationDeg);

struct PoseFit {
    CadPose pose;
    double iou = 0.0;
    int evaluations = 0; ///< silhouettes drawn
};

/// The pose whose silhouette overlaps `mask` best: a coordinate search from `start` (the
/// user's adjustment, as given and placed on the mask) and from the three best of 60
/// viewpoints all around the part. A symmetric part looks alike from several poses, so the
/// user's pose is kept unless another overlaps clearly better (by 0.01 IoU). Works on the mask
/// reduced to at most 192 px; the pose returned is in the mask's own pixels. Throws ml::Error
/// for an empty mesh or a mask without a part.
PoseFit fitPose(const cad::TriangleMesh& mesh, const cad::Image& mask,
                const std::optional<CadPose>& start = std::nullopt);

} // namespace img2cad::ml
