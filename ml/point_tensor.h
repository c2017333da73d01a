// SPDX-License-Identifier: MIT
#pragma once
// Points as the models read them: one float tensor [N, 3].

#include "cad/geometry/vec.h"

#include <torch/torch.h>

#include <vector>

namespace img2cad::ml {

/// A tensor [N, 3] of its own (a copy: the vector may go away before the tensor does).
torch::Tensor pointsTensor(const std::vector<cad::Vec3f>& points);

} // namespace img2cad::ml
