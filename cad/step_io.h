// SPDX-License-Identifier: MIT
#pragma once
// Exchange of exact geometry: STEP (AP214, millimetres) and OCC's native BREP.

#include "cad/shape.h"

#include <filesystem>
#include <string>

namespace img2cad::cad {

struct StepWriteOptions {
    std::string productName = "Img2CADSeq part";
};

/// Writes STEP AP214 in millimetres, atomically. Throws cad::Error on a null shape or a
/// failed write (the target is then untouched).
void writeStep(const Shape& shape, const std::filesystem::path& path,
               const StepWriteOptions& options = {});

/// Reads every root of a STEP file into one shape (lengths converted to mm). Throws
/// cad::Error for a missing, unreadable or empty file, or one with no geometry.
Shape readStep(const std::filesystem::path& path);

void writeBrep(const Shape& shape, const std::filesystem::path& path);
Shape readBrep(const std::filesystem::path& path);

/// readStep or readBrep by extension (.step/.stp/.brep/.brp, any case).
Shape readShapeFile(const std::filesystem::path& path);
bool isShapeFile(const std::filesystem::path& path);

} // namespace img2cad::cad
