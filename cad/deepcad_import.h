// SPDX-License-Identifier: MIT
#pragma once
// Import of construction sequences in DeepCAD's JSON (Onshape-derived, metres) and its parent
// format, the Fusion 360 Gallery reconstruction JSON (`timeline`, centimetres). See
// ../shared/data/README.md for the format.

#include "cad/program.h"

#include <filesystem>
#include <optional>
#include <string>

namespace img2cad::cad {

enum class SequenceFormat { DeepCad, Fusion360 };

struct ImportedSequence {
    Program program; ///< in mm
    SequenceFormat format = SequenceFormat::DeepCad;
    double unitToMm = 1000.0; ///< file length unit in mm (DeepCAD 1000, Fusion 10)
    /// Volume recorded in the file (Fusion `properties.volume`), converted to mm^3.
    std::optional<double> recordedVolume;
    /// Bounding box recorded in the file (`properties.bounding_box`), converted to mm.
    std::optional<BoundingBox> recordedBox;
};

/// Throws cad::Error naming the entity at fault for anything that cannot be built faithfully
/// (unknown curve type, tapered extrudes, open loops, ...).
ImportedSequence importSequence(const std::string& jsonText);
ImportedSequence importSequenceFile(const std::filesystem::path& path);

/// True when the JSON text looks like a DeepCAD / Fusion sequence (has `entities`).
bool looksLikeSequenceJson(const std::string& jsonText);

} // namespace img2cad::cad
