// SPDX-License-Identifier: MIT
#include "cad/shape.h"

#include "cad/internal/occ_shape.h"

namespace img2cad::cad {

bool Shape::isNull() const {
    return !m_impl || m_impl->shape.IsNull();
}

} // namespace img2cad::cad
