// SPDX-License-Identifier: MIT
#pragma once
// The renderer draws from the project's deterministic generator (cad/geometry/random.h).

#include "cad/geometry/random.h"

namespace img2cad::viewer::internal {

using cad::deriveSeed;
using cad::mix64;
using cad::SplitMix64;

} // namespace img2cad::viewer::internal
