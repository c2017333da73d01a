// SPDX-License-Identifier: MIT
#pragma once
// Editing a program one number at a time, as the window's operation tree does: every number an
// engineer may change is addressed by where it lives (extrude, profile, loop, curve) and what it
// is. Moving a curve's end point drags the next curve's start with it (and a start drags the
// previous end), so a loop edited point by point stays closed and still compiles.

#include "cad/program.h"

#include <cstddef>
#include <functional>
#include <string>

namespace img2cad::cad {

enum class ProgramParameter {
    OriginX, ///< sketch plane origin, model coordinates (mm)
    OriginY,
    OriginZ,
    Distance,  ///< extent distance (mm)
    Distance2, ///< second extent distance (two-sided extents)
    StartX,    ///< line or arc start (sketch mm)
    StartY,
    MidX, ///< arc mid point
    MidY,
    EndX, ///< line or arc end
    EndY,
    CenterX, ///< circle centre
    CenterY,
    Radius, ///< circle radius
};

/// Where a number lives. `profile`, `loop` and `curve` are ignored by the extrude-level
/// parameters (origin, distances).
struct ParameterAddress {
    std::size_t extrude = 0;
    std::size_t profile = 0;
    std::size_t loop = 0;
    std::size_t curve = 0;
    ProgramParameter parameter = ProgramParameter::Distance;
};

/// Short name for labels: "x", "distance", "radius" ...
const char* parameterName(ProgramParameter parameter);

/// The addressed number. Throws cad::Error when the address does not exist or the parameter
/// does not belong to that kind of curve (a line has no radius).
double parameterValue(const Program& program, const ParameterAddress& address);

/// Sets the addressed number, keeping loops closed: a start (end) point that coincided with the
/// previous (next) curve's end (start) moves that point too. Throws cad::Error for a
/// non-finite value, a non-positive radius, or an address that does not exist; the program is
/// then unchanged.
void setParameter(Program& program, const ParameterAddress& address, double value);

/// Moves every point that defines the extrude's curves (line and arc end points, arc mid points,
/// circle centres) by `map` and multiplies circle radii by `radiusFactor`: the one loop behind
/// programs scaled, moved and stretched (cad/normalization.h, cad/program_fit.h). A map that
/// moves shared end points alike keeps loops closed.
void mapSketchPoints(Extrude& extrude, const std::function<Vec2(Vec2)>& map, double radiusFactor);

} // namespace img2cad::cad
