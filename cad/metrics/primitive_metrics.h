// SPDX-License-Identifier: MIT
#pragma once
// Appendix A's primitive-level measures, on surface points sampled from BReps (cad::samplePoints
// labels each point with its face and that face's surface type). Both clouds in one frame.
//
// Choices where the paper is vague, written down here:
// - Seg Acc: for every truth point, the primitive type of the nearest reconstructed point;
//   the share that agrees. (From the truth's side, so a candidate cannot score by covering a
//   small part of the truth well.)
// - Precision / Recall at 0.1: a primitive is a BRep face (its sampled points and its type);
//   a generated face matches a truth face of the same type when the Chamfer distance between
//   their points is below the threshold (0.1 in the unit-cube frame: a tenth of the part).
//   Precision = share of generated faces with a match, Recall = share of truth faces with one.
//   Faces too small to receive a sample point are in neither count.

#include "cad/geometry/point_cloud.h"

namespace img2cad::cad {

/// Throws cad::Error when either cloud is empty or lacks primitive labels.
double segmentationAccuracy(const PointCloud& reconstructed, const PointCloud& truth);

struct PrimitiveMatch {
    double precision = 0.0;
    double recall = 0.0;
    int generatedFaces = 0;
    int truthFaces = 0;
};

/// Throws cad::Error when either cloud is empty or lacks face or primitive labels.
PrimitiveMatch matchPrimitives(const PointCloud& generated, const PointCloud& truth,
                               double threshold = 0.1);

} // namespace img2cad::cad
