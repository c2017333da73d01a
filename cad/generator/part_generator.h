// SPDX-License-Identifier: MIT
#pragma once
// Procedural programs of real mechanical-part families: the project's own training data, as the
// paper's CAD-220K is (issue 3). Every generated program compiles into a valid solid.

#include "cad/program.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace img2cad::cad {

enum class PartFamily {
    HolePlate,      ///< plate with hole patterns, slots, pockets
    LBracket,       ///< L bracket with gussets and holes
    UBracket,       ///< U / channel bracket
    RoundFlange,    ///< round flange with bolt circle and hub
    SquareFlange,   ///< square flange with corner holes and spigot
    SteppedShaft,   ///< stepped shaft (revolved by stacked cylinders), keyway
    Bushing,        ///< bushing / sleeve with collar
    Spacer,         ///< spacers and washers (round, hex, slotted)
    PillowBlock,    ///< bearing housing on a base with bolt slots
    Hinge,          ///< hinge leaf with knuckles and holes
    ChannelProfile, ///< extruded channel / T-slot / angle profiles
    PocketHousing,  ///< block housing with pockets and bosses
    Knob,           ///< knobs and handles (knurled by arcs)
    MountingClip,   ///< spring / mounting clips from bent strips
    BossEnclosure,  ///< shelled enclosure with screw bosses
    Gear,           ///< spur gear with teeth from arcs and lines, hub and holes
};

const std::vector<PartFamily>& allPartFamilies();
const char* partFamilyName(PartFamily family); ///< snake_case, e.g. "round_flange"
std::optional<PartFamily> partFamilyFromName(const std::string& name);

struct GeneratedPart {
    Program program;
    PartFamily family{};
    std::uint64_t seed = 0;
    int rejected = 0; ///< candidate programs that failed to compile before this one
};

/// A valid part of `family`, deterministic for (family, seed). Candidates that do not compile
/// into a valid solid are redrawn (and counted in `rejected`); throws cad::Error only if 100
/// candidates in a row fail (a generator bug).
GeneratedPart generatePart(PartFamily family, std::uint64_t seed);

/// A part of a family chosen by the seed (uniform over the families).
GeneratedPart generatePart(std::uint64_t seed);

/// Key for near-duplicate removal: the program with every number rounded to `quantumMm` (and
/// plane directions to 1e-3); equal keys mean parts a viewer could not tell apart.
std::string nearDuplicateKey(const Program& program, double quantumMm = 0.5);

} // namespace img2cad::cad
