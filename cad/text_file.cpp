// SPDX-License-Identifier: MIT
#include "cad/text_file.h"

#include "cad/atomic_file.h"
#include "cad/error.h"

#include <fstream>
#include <sstream>

namespace img2cad::cad {

std::string readTextFile(const std::filesystem::path& path, std::uintmax_t maxBytes) {
    requireReadableFile(path);
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > maxBytes)
        throw Error(path.string() + ": file is " + std::to_string(size >> 20) +
                    " MiB, larger than the " + std::to_string(maxBytes >> 20) + " MiB accepted");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error(path.string() + ": read failed");
    return text.str();
}

} // namespace img2cad::cad
