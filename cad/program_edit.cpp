// SPDX-License-Identifier: MIT
#include "cad/program_edit.h"

#include "cad/compiler.h"
#include "cad/error.h"

#include <cmath>
#include <type_traits>

namespace img2cad::cad {
namespace {

/// End points closer than the compiler's closure tolerance are the same point of the loop.
bool coincide(Vec2 a, Vec2 b) {
    return (a - b).norm() <= CompileOptions{}.closureTolerance;
}

ProgramLocation locationOf(const ParameterAddress& a) {
    return {int(a.extrude), int(a.profile), int(a.loop), int(a.curve)};
}

bool isExtrudeParameter(ProgramParameter p) {
    return p == ProgramParameter::OriginX || p == ProgramParameter::OriginY ||
           p == ProgramParameter::OriginZ || p == ProgramParameter::Distance ||
           p == ProgramParameter::Distance2;
}

Extrude& extrudeAt(Program& program, const ParameterAddress& a) {
    if (a.extrude >= program.extrudes.size())
        throw Error("no such extrude: " + std::to_string(a.extrude));
    return program.extrudes[a.extrude];
}

Loop& loopAt(Program& program, const ParameterAddress& a) {
    Extrude& extrude = extrudeAt(program, a);
    if (a.profile >= extrude.profiles.size() ||
        a.loop >= extrude.profiles[a.profile].loops.size() ||
        a.curve >= extrude.profiles[a.profile].loops[a.loop].curves.size())
        throw Error("no such curve", locationOf(a));
    return extrude.profiles[a.profile].loops[a.loop];
}

/// The addressed number inside the program; nullptr when the parameter does not belong there.
double* numberAt(Program& program, const ParameterAddress& a) {
    if (isExtrudeParameter(a.parameter)) {
        Extrude& e = extrudeAt(program, a);
        switch (a.parameter) {
        case ProgramParameter::OriginX:
            return &e.plane.origin.x;
        case ProgramParameter::OriginY:
            return &e.plane.origin.y;
        case ProgramParameter::OriginZ:
            return &e.plane.origin.z;
        case ProgramParameter::Distance:
            return &e.extent.distance;
        default:
            return e.extent.type == ExtentType::TwoSided ? &e.extent.distance2 : nullptr;
        }
    }
    Curve& curve = loopAt(program, a).curves[a.curve];
    if (auto* line = std::get_if<Line>(&curve)) {
        switch (a.parameter) {
        case ProgramParameter::StartX:
            return &line->start.x;
        case ProgramParameter::StartY:
            return &line->start.y;
        case ProgramParameter::EndX:
            return &line->end.x;
        case ProgramParameter::EndY:
            return &line->end.y;
        default:
            return nullptr;
        }
    }
    if (auto* arc = std::get_if<Arc>(&curve)) {
        switch (a.parameter) {
        case ProgramParameter::StartX:
            return &arc->start.x;
        case ProgramParameter::StartY:
            return &arc->start.y;
        case ProgramParameter::MidX:
            return &arc->mid.x;
        case ProgramParameter::MidY:
            return &arc->mid.y;
        case ProgramParameter::EndX:
            return &arc->end.x;
        case ProgramParameter::EndY:
            return &arc->end.y;
        default:
            return nullptr;
        }
    }
    auto& circle = std::get<Circle>(curve);
    switch (a.parameter) {
    case ProgramParameter::CenterX:
        return &circle.center.x;
    case ProgramParameter::CenterY:
        return &circle.center.y;
    case ProgramParameter::Radius:
        return &circle.radius;
    default:
        return nullptr;
    }
}

double* requireNumber(Program& program, const ParameterAddress& a) {
    double* number = numberAt(program, a);
    if (!number)
        throw Error(std::string("this item has no ") + parameterName(a.parameter),
                    isExtrudeParameter(a.parameter) ? ProgramLocation{int(a.extrude)}
                                                    : locationOf(a));
    return number;
}

/// Sets the start (`atStart`) or end point of a line or arc; circles have neither.
void movePoint(Curve& curve, bool atStart, Vec2 to) {
    if (auto* line = std::get_if<Line>(&curve))
        (atStart ? line->start : line->end) = to;
    else if (auto* arc = std::get_if<Arc>(&curve))
        (atStart ? arc->start : arc->end) = to;
}

} // namespace

const char* parameterName(ProgramParameter parameter) {
    switch (parameter) {
    case ProgramParameter::OriginX:
        return "origin x";
    case ProgramParameter::OriginY:
        return "origin y";
    case ProgramParameter::OriginZ:
        return "origin z";
    case ProgramParameter::Distance:
        return "distance";
    case ProgramParameter::Distance2:
        return "distance 2";
    case ProgramParameter::StartX:
        return "start x";
    case ProgramParameter::StartY:
        return "start y";
    case ProgramParameter::MidX:
        return "mid x";
    case ProgramParameter::MidY:
        return "mid y";
    case ProgramParameter::EndX:
        return "end x";
    case ProgramParameter::EndY:
        return "end y";
    case ProgramParameter::CenterX:
        return "centre x";
    case ProgramParameter::CenterY:
        return "centre y";
    case ProgramParameter::Radius:
        return "radius";
    }
    return "?";
}

double parameterValue(const Program& program, const ParameterAddress& address) {
    // numberAt only reads through the pointer here; one lookup serves both directions.
    return *requireNumber(const_cast<Program&>(program), address);
}

void setParameter(Program& program, const ParameterAddress& address, double value) {
    if (!std::isfinite(value) || std::abs(value) > ProgramLimits::kMaxCoordinate)
        throw Error("not a usable number: " + std::to_string(value));
    if (address.parameter == ProgramParameter::Radius && !(value > 0.0))
        throw Error("a circle's radius must be positive", locationOf(address));
    double* number = requireNumber(program, address);
    const ProgramParameter p = address.parameter;
    const bool isStart = p == ProgramParameter::StartX || p == ProgramParameter::StartY;
    const bool isEnd = p == ProgramParameter::EndX || p == ProgramParameter::EndY;
    if (!isStart && !isEnd) {
        *number = value;
        return;
    }
    Loop& loop = loopAt(program, address);
    const std::size_t count = loop.curves.size();
    Curve& curve = loop.curves[address.curve];
    // The neighbour that shares the moved point: the previous curve for a start, the next for
    // an end (cyclically; a one-curve loop shares its start with its own end).
    const std::size_t neighbourIndex =
        isStart ? (address.curve + count - 1) % count : (address.curve + 1) % count;
    Curve& neighbour = loop.curves[neighbourIndex];
    const Vec2 before = isStart ? curveStart(curve) : curveEnd(curve);
    const bool shared = coincide(before, isStart ? curveEnd(neighbour) : curveStart(neighbour));
    *number = value;
    if (shared) movePoint(neighbour, !isStart, isStart ? curveStart(curve) : curveEnd(curve));
}

void mapSketchPoints(Extrude& extrude, const std::function<Vec2(Vec2)>& map, double radiusFactor) {
    for (Profile& profile : extrude.profiles)
        for (Loop& loop : profile.loops)
            for (Curve& curve : loop.curves)
                std::visit(
                    [&](auto& c) {
                        using C = std::decay_t<decltype(c)>;
                        if constexpr (std::is_same_v<C, Line>) {
                            c.start = map(c.start), c.end = map(c.end);
                        } else if constexpr (std::is_same_v<C, Arc>) {
                            c.start = map(c.start), c.mid = map(c.mid), c.end = map(c.end);
                        } else {
                            c.center = map(c.center);
                            c.radius *= radiusFactor;
                        }
                    },
                    curve);
}

} // namespace img2cad::cad
