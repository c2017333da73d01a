// SPDX-License-Identifier: MIT
#pragma once
// Where the default model shipped with the program lives, for the window and the command line
// alike: what a user gets without choosing a model.

#include <filesystem>

namespace img2cad::ml {

/// The shipped default model: share/img2cadseq/models/default beside an installed program
/// (`programFolder` is the folder of the running executable, e.g. <prefix>/bin), else the
/// source tree's assets/models/default (a developer build). Empty when neither holds a model.
std::filesystem::path shippedModelFolder(const std::filesystem::path& programFolder);

/// The folder of the running executable (Linux: /proc/self/exe); empty when unknown.
std::filesystem::path runningProgramFolder();

} // namespace img2cad::ml
