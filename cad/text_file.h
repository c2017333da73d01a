// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace img2cad::cad {

/// Reads a whole file (text or binary) into a string. Throws cad::Error for a missing, unreadable
/// or directory path and for files over `maxBytes` (programs and sequences are kilobytes, point
/// clouds megabytes; 1 GiB is hostile).
std::string readTextFile(const std::filesystem::path& path,
                         std::uintmax_t maxBytes = std::uintmax_t(1) << 30);

} // namespace img2cad::cad
