// SPDX-License-Identifier: MIT
#pragma once
// A solid moved, turned and scaled as a whole: what a program turned and matched to a cloud
// (cad::ProgramTurn) compiles to, got from the solid already compiled instead of compiling again.

#include "cad/axis_rotation.h"
#include "cad/geometry/vec.h"
#include "cad/shape.h"

namespace img2cad::cad {

/// `shape` with every point p moved to scale * rotation.apply(p) + translation (a similarity:
/// exact, the faces' geometry kept). Throws cad::Error for a null shape or a scale that is not
/// positive and finite.
Shape mapped(const Shape& shape, const AxisRotation& rotation, double scale,
             const Vec3& translation);

} // namespace img2cad::cad
