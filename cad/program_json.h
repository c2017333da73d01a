// SPDX-License-Identifier: MIT
#pragma once
// The canonical program file: versioned JSON, millimetres, lossless round trip (doubles are
// written with full precision). Unknown keys are rejected so typos do not pass silently.

#include "cad/program.h"

#include <filesystem>
#include <string>

namespace img2cad::cad {

constexpr const char* kProgramFormat = "img2cadseq-program";
constexpr int kProgramFormatVersion = 1;

std::string programToJson(const Program& program);
/// Throws cad::Error with the JSON path of the first problem ("extrudes[2].plane.normal: ...").
Program programFromJson(const std::string& text);

void writeProgram(const Program& program, const std::filesystem::path& path); // atomic
Program readProgram(const std::filesystem::path& path);

} // namespace img2cad::cad
