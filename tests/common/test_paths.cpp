// SPDX-License-Identifier: MIT
#include "test_paths.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace fs = std::filesystem;

namespace img2cad::test {

fs::path sharedDataDir() {
    if (const char* env = std::getenv("IMG2CAD_SHARED_DATA"); env && *env)
        return fs::is_directory(env) ? fs::path(env) : fs::path();
    const fs::path beside = fs::path(IMG2CAD_SOURCE_DIR) / ".." / "shared" / "data";
    return fs::is_directory(beside) ? fs::canonical(beside) : fs::path();
}

fs::path occtSamplesDir() {
    const fs::path dir = "/usr/share/opencascade/data";
    return fs::is_directory(dir) ? dir : fs::path();
}

std::vector<fs::path> filesWithExtensions(const fs::path& dir,
                                          const std::vector<std::string>& extensions) {
    std::vector<fs::path> files;
    if (dir.empty() || !fs::is_directory(dir)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end())
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace img2cad::test
