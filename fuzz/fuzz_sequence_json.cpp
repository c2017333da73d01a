// SPDX-License-Identifier: MIT
// The DeepCAD / Fusion 360 Gallery construction-sequence importer: a program or a cad::Error.
#include "cad/deepcad_import.h"
#include "cad/error.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = img2cad::fuzz::asText(data, size);
    try {
        img2cad::cad::looksLikeSequenceJson(text);
        img2cad::cad::importSequence(text);
    } catch (const img2cad::cad::Error&) {
    }
    return 0;
}
