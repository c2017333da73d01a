// SPDX-License-Identifier: MIT
#pragma once
// The 24 rotations that map the coordinate axes onto axes: the turns a part can take without
// leaving the orientations CAD parts are drawn in. The generator turns some of its parts by one
// (cad/generator/part_generator.cpp); the program fit tries them all on a candidate
// (cad/program_fit.h).

#include "cad/geometry/vec.h"
#include "cad/program.h"

#include <array>

namespace img2cad::cad {

/// x goes to `xDir`, y to `yDir`, z to xDir x yDir (so never a mirror).
struct AxisRotation {
    Vec3 xDir{1, 0, 0};
    Vec3 yDir{0, 1, 0};

    Vec3 zDir() const { return xDir.cross(yDir); }
    Vec3 apply(Vec3 v) const { return xDir * v.x + yDir * v.y + zDir() * v.z; }
    bool isIdentity() const { return xDir == Vec3{1, 0, 0} && yDir == Vec3{0, 1, 0}; }
};

/// All 24, the identity first.
std::array<AxisRotation, 24> axisRotations();

/// The program turned about the origin: its sketch planes turn, its sketches stay as drawn.
Program rotated(Program program, const AxisRotation& rotation);

} // namespace img2cad::cad
