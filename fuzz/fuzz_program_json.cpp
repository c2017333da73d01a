// SPDX-License-Identifier: MIT
// Our program JSON reader (docs/program-format.md): any bytes give a program or a cad::Error.
#include "cad/error.h"
#include "cad/program_json.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        img2cad::cad::programFromJson(img2cad::fuzz::asText(data, size));
    } catch (const img2cad::cad::Error&) {
    }
    return 0;
}
