// SPDX-License-Identifier: MIT
#pragma once
// What the lifting network trains on: a dataset view made into the same input a user's photo
// becomes (cropped square around the part by its exact mask, grey outside, resized:
// vision/photo_preprocess.h) and the part's surface points as the target, in the part's
// normalised frame (centred, longest side 1). Predicting in the part's own frame rather than
// the camera's is our choice: the CAD program lives in that frame, with sketch planes on the
// part's axes, and mechanical parts photographed upright make the orientation learnable.

#include "cad/geometry/image.h"
#include "ml/dataset/sample.h"

#include <torch/torch.h>

#include <vector>

namespace img2cad::ml {

/// [3, S, S] float: RGB scaled to [0, 1] and standardised with the ImageNet mean and deviation.
torch::Tensor imageTensor(const cad::Image& rgb);

struct LiftExample {
    torch::Tensor image;  ///< [3, S, S]
    torch::Tensor points; ///< [P, 3]
};

/// One view of a sample as a training example: `points` target points drawn without
/// replacement by `generator` (all of them when the sample has fewer). Throws ml::Error for a
/// view index out of range or a view whose mask is empty.
LiftExample liftExample(const Sample& sample, std::size_t view, int imageSize, std::int64_t points,
                        at::Generator generator);

/// Stacks examples into [B, 3, S, S] and [B, P, 3].
std::pair<torch::Tensor, torch::Tensor> stackLiftExamples(const std::vector<LiftExample>& examples);

} // namespace img2cad::ml
