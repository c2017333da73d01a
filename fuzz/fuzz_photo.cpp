// SPDX-License-Identifier: MIT
// The photo reader (OpenCV decoders, EXIF orientation, reduced decoding of huge images): an
// image or an ml::Error. The first byte picks the extension, the rest is the file.
#include "fuzz/fuzz_input.h"
#include "ml/error.h"
#include "ml/vision/photo_io.h"

#include <array>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::array<const char*, 6> extensions = {".jpg", ".png", ".webp",
                                                          ".tif", ".bmp", ".jpeg"};
    if (size == 0) return 0;
    const auto path =
        img2cad::fuzz::asFile(data + 1, size - 1, extensions[data[0] % extensions.size()]);
    try {
        img2cad::ml::readPhoto(path);
    } catch (const img2cad::ml::Error&) {
    }
    return 0;
}
