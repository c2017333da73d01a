// SPDX-License-Identifier: MIT
#pragma once
// What the harnesses share: libFuzzer's input as a string, and as a file with a chosen
// extension for readers that take a path (the app reads every user file by path).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace img2cad::fuzz {

inline std::string asText(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

/// Writes the input to one scratch file per process (rewritten on every run) and returns it.
inline std::filesystem::path asFile(const std::uint8_t* data, std::size_t size,
                                    const std::string& extension) {
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("img2cad-fuzz-" + std::to_string(getpid()) + extension);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path;
}

} // namespace img2cad::fuzz
