// SPDX-License-Identifier: MIT
#include "ml/point_tensor.h"

namespace img2cad::ml {

torch::Tensor pointsTensor(const std::vector<cad::Vec3f>& points) {
    return torch::from_blob(const_cast<cad::Vec3f*>(points.data()),
                            {std::int64_t(points.size()), 3}, torch::kFloat)
        .clone();
}

} // namespace img2cad::ml
