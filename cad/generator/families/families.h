// SPDX-License-Identifier: MIT
#pragma once
// One maker per part family (cad/generator/part_generator.h). Each draws a random but
// plausible part in millimetres; the caller compiles it and redraws when it fails.

#include "cad/generator/random.h"
#include "cad/program.h"

namespace img2cad::cad::generator {

Program makeHolePlate(Random& random);
Program makeLBracket(Random& random);
Program makeUBracket(Random& random);
Program makeRoundFlange(Random& random);
Program makeSquareFlange(Random& random);
Program makeSteppedShaft(Random& random);
Program makeBushing(Random& random);
Program makeSpacer(Random& random);
Program makePillowBlock(Random& random);
Program makeHinge(Random& random);
Program makeChannelProfile(Random& random);
Program makePocketHousing(Random& random);
Program makeKnob(Random& random);
Program makeMountingClip(Random& random);
Program makeBossEnclosure(Random& random);
Program makeGear(Random& random);

} // namespace img2cad::cad::generator
