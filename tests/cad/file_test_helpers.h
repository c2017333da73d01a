// SPDX-License-Identifier: MIT
#pragma once
// Small file and error helpers shared by the I/O tests.

#include "cad/error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace img2cad::test {

inline std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void writeText(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/// Names in a folder, hidden ones included, sorted: to show nothing was left behind.
inline std::vector<std::string> folderEntries(const std::filesystem::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

/// The message of the cad::Error that `fn` throws, or "<no error>".
template <typename Fn> std::string errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const cad::Error& error) {
        return error.what();
    }
    return "<no error>";
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace img2cad::test
