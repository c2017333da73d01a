// SPDX-License-Identifier: MIT
#pragma once
// Small helpers for messages and dispatch on file names, shared by the readers and writers.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

namespace img2cad::cad {

/// The extension in lower case, with its dot (".step").
inline std::string lowerExtension(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

/// The path in single quotes, for messages.
inline std::string quoted(const std::filesystem::path& path) {
    return "'" + path.string() + "'";
}

} // namespace img2cad::cad
