// SPDX-License-Identifier: MIT
#include "cad/generator/part_generator.h"

#include "cad/axis_rotation.h"
#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/generator/families/families.h"
#include "cad/generator/random.h"
#include "cad/topology.h"

#include <cmath>
#include <string>

namespace img2cad::cad {

namespace {

constexpr int kMaxCandidates = 100;
/// Share of parts turned to another of the 24 axis-aligned orientations, so that the same
/// family is sketched on XY, XZ and YZ planes alike (as designers do).
constexpr double kReorientChance = 0.3;

struct FamilyEntry {
    PartFamily family;
    const char* name;
    Program (*make)(Random&);
};

const std::vector<FamilyEntry>& familyTable() {
    using namespace generator;
    static const std::vector<FamilyEntry> kTable = {
        {PartFamily::HolePlate, "hole_plate", makeHolePlate},
        {PartFamily::LBracket, "l_bracket", makeLBracket},
        {PartFamily::UBracket, "u_bracket", makeUBracket},
        {PartFamily::RoundFlange, "round_flange", makeRoundFlange},
        {PartFamily::SquareFlange, "square_flange", makeSquareFlange},
        {PartFamily::SteppedShaft, "stepped_shaft", makeSteppedShaft},
        {PartFamily::Bushing, "bushing", makeBushing},
        {PartFamily::Spacer, "spacer", makeSpacer},
        {PartFamily::PillowBlock, "pillow_block", makePillowBlock},
        {PartFamily::Hinge, "hinge", makeHinge},
        {PartFamily::ChannelProfile, "channel_profile", makeChannelProfile},
        {PartFamily::PocketHousing, "pocket_housing", makePocketHousing},
        {PartFamily::Knob, "knob", makeKnob},
        {PartFamily::MountingClip, "mounting_clip", makeMountingClip},
        {PartFamily::BossEnclosure, "boss_enclosure", makeBossEnclosure},
        {PartFamily::Gear, "gear", makeGear},
    };
    return kTable;
}

const FamilyEntry& entryOf(PartFamily family) {
    for (const FamilyEntry& entry : familyTable())
        if (entry.family == family) return entry;
    throw Error("unknown part family " + std::to_string(int(family)));
}

/// Turns the whole program by one of the 24 rotations that map axes onto axes.
void reorient(Program& program, Random& random) {
    static const Vec3 kDirections[6] = {{1, 0, 0},  {-1, 0, 0}, {0, 1, 0},
                                        {0, -1, 0}, {0, 0, 1},  {0, 0, -1}};
    const Vec3 up = kDirections[random.integer(6)];
    Vec3 candidates[4];
    int count = 0;
    for (const Vec3& d : kDirections)
        if (d.dot(up) == 0) candidates[count++] = d;
    const Vec3 xDir = candidates[random.integer(count)];
    program = rotated(std::move(program), AxisRotation{xDir, up.cross(xDir)}); // z -> up
}

bool compilesToValidSolid(const Program& program) {
    try {
        const ShapeReport report = analyse(compile(program));
        return report.valid && report.solids >= 1 && report.volume > 0 && report.watertight;
    } catch (const Error&) {
        return false;
    }
}

void appendNumber(std::string& key, double value, double quantum) {
    key += std::to_string(std::llround(value / quantum));
    key += ',';
}

void appendPoint(std::string& key, Vec2 p, double quantum) {
    appendNumber(key, p.x, quantum);
    appendNumber(key, p.y, quantum);
}

void appendVector(std::string& key, Vec3 v, double quantum) {
    appendNumber(key, v.x, quantum);
    appendNumber(key, v.y, quantum);
    appendNumber(key, v.z, quantum);
}

} // namespace

const std::vector<PartFamily>& allPartFamilies() {
    static const std::vector<PartFamily> kFamilies = [] {
        std::vector<PartFamily> families;
        for (const FamilyEntry& entry : familyTable())
            families.push_back(entry.family);
        return families;
    }();
    return kFamilies;
}

const char* partFamilyName(PartFamily family) {
    return entryOf(family).name;
}

std::optional<PartFamily> partFamilyFromName(const std::string& name) {
    for (const FamilyEntry& entry : familyTable())
        if (name == entry.name) return entry.family;
    return std::nullopt;
}

GeneratedPart generatePart(PartFamily family, std::uint64_t seed) {
    const FamilyEntry& entry = entryOf(family);
    // Each family draws from its own stream, so adding a family changes no other's parts.
    const std::uint64_t familySeed = mixSeed(seed, std::uint64_t(family) + 1);
    for (int k = 0; k < kMaxCandidates; ++k) {
        Random random(mixSeed(familySeed, std::uint64_t(k)));
        Program program = entry.make(random);
        program.name = entry.name;
        if (random.chance(kReorientChance)) reorient(program, random);
        if (compilesToValidSolid(program)) return {std::move(program), family, seed, k};
    }
    throw Error(std::string("part generator: ") + entry.name + " failed " +
                std::to_string(kMaxCandidates) + " candidates in a row for seed " +
                std::to_string(seed));
}

GeneratedPart generatePart(std::uint64_t seed) {
    const std::vector<PartFamily>& families = allPartFamilies();
    Random random(mixSeed(seed, 0));
    return generatePart(families[std::size_t(random.integer(int(families.size())))], seed);
}

std::string nearDuplicateKey(const Program& program, double quantumMm) {
    if (!(quantumMm > 0)) throw Error("nearDuplicateKey: the quantum must be positive");
    constexpr double kDirectionQuantum = 1e-3;
    std::string key;
    for (const Extrude& extrude : program.extrudes) {
        key += 'E';
        key += std::to_string(int(extrude.op));
        key += std::to_string(int(extrude.extent.type));
        key += ':';
        appendNumber(key, extrude.extent.distance, quantumMm);
        appendNumber(key, extrude.extent.distance2, quantumMm);
        appendVector(key, extrude.plane.origin, quantumMm);
        appendVector(key, extrude.plane.xAxis, kDirectionQuantum);
        appendVector(key, extrude.plane.normal, kDirectionQuantum);
        for (const Profile& profile : extrude.profiles) {
            key += 'P';
            for (const Loop& loop : profile.loops) {
                key += 'L';
                for (const Curve& curve : loop.curves) {
                    if (const auto* line = std::get_if<Line>(&curve)) {
                        key += 'l';
                        appendPoint(key, line->start, quantumMm);
                        appendPoint(key, line->end, quantumMm);
                    } else if (const auto* arc = std::get_if<Arc>(&curve)) {
                        key += 'a';
                        appendPoint(key, arc->start, quantumMm);
                        appendPoint(key, arc->mid, quantumMm);
                        appendPoint(key, arc->end, quantumMm);
                    } else {
                        const auto& circle = std::get<Circle>(curve);
                        key += 'c';
                        appendPoint(key, circle.center, quantumMm);
                        appendNumber(key, circle.radius, quantumMm);
                    }
                }
            }
        }
    }
    return key;
}

} // namespace img2cad::cad
