// SPDX-License-Identifier: MIT
#include "cad/atomic_file.h"

#include "cad/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

namespace img2cad::cad {
namespace fs = std::filesystem;
namespace {

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

/// A fresh hidden file beside the target, created exclusively so two writers never share it.
/// Creating it here (rather than in the writer library) turns an unwritable folder into a
/// clear message with the system's reason.
fs::path createTemporaryBeside(const fs::path& target) {
    fs::path folder = target.parent_path();
    if (folder.empty()) folder = ".";
    std::error_code ec;
    if (!fs::exists(folder, ec))
        throw Error("cannot write " + quoted(target) + ": the folder " + quoted(folder) +
                    " does not exist");
    if (!fs::is_directory(folder, ec))
        throw Error("cannot write " + quoted(target) + ": " + quoted(folder) + " is not a folder");
    if (fs::is_directory(target, ec))
        throw Error("cannot write " + quoted(target) + ": it is a directory");

    std::random_device entropy;
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[20];
        std::snprintf(suffix, sizeof suffix, "%08x", unsigned(entropy()));
        const fs::path temporary = folder / ("." + target.filename().string() + ".tmp-" + suffix);
        if (std::FILE* file = std::fopen(temporary.c_str(), "wx")) {
            std::fclose(file);
            return temporary;
        }
        if (errno != EEXIST)
            throw Error("cannot write " + quoted(target) + ": " + std::strerror(errno));
    }
    throw Error("cannot write " + quoted(target) + ": no free temporary name in its folder");
}

} // namespace

void writeAtomically(const fs::path& target, const std::function<bool(const fs::path&)>& writeTo) {
    if (target.empty() || target.filename().empty())
        throw Error("no output file name given");
    const fs::path temporary = createTemporaryBeside(target);
    std::error_code ignored;
    try {
        if (!writeTo(temporary))
            throw Error("cannot write " + quoted(target) + ": the writer failed");
        std::error_code ec;
        fs::rename(temporary, target, ec);
        if (ec) throw Error("cannot write " + quoted(target) + ": " + ec.message());
    } catch (...) {
        fs::remove(temporary, ignored);
        throw;
    }
}

void writeFileAtomically(const fs::path& target, std::string_view bytes) {
    writeAtomically(target, [bytes](const fs::path& path) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        return bool(out);
    });
}

void requireReadableFile(const fs::path& path) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (path.empty()) throw Error("no input file name given");
    if (!fs::exists(status)) throw Error(quoted(path) + " does not exist");
    if (fs::is_directory(status)) throw Error(quoted(path) + " is a directory, not a file");
    if (!fs::is_regular_file(status)) throw Error(quoted(path) + " is not a regular file");
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw Error(quoted(path) + " cannot be read: " + std::strerror(errno));
}

} // namespace img2cad::cad
