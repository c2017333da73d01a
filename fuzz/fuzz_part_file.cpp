// SPDX-License-Identifier: MIT
// Every part file the app opens (STEP, BREP, meshes, point clouds, program JSON) through the
// one reader the CLI and the window share. The first byte picks the extension, so one corpus
// reaches every importer; the rest is the file.
//
// STEP and BREP selectors are skipped: parsing them is OCC's, which dereferences null on some
// malformed STEP files (found here); the release build's OCC signal handling turns that into a
// cad::Error (TestStepIo::survivesMalformedStep replays the input), but the fuzz build keeps
// libFuzzer's handlers and would report it forever. OCC's renumbering of duplicated entity
// numbers is also quadratic (0.8 s for 60 kB in release), minutes under ASan.
#include "cad/error.h"
#include "cad/part_file.h"
#include "fuzz/fuzz_input.h"

#include <array>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::array<const char*, 10> extensions = {
        ".step", ".brep", ".stl", ".obj", ".ply", ".off", ".glb", ".xyz", ".json", ".stp"};
    if (size == 0) return 0;
    const std::size_t selector = data[0] % extensions.size();
    if (selector == 0 || selector == 1 || selector == 9) return 0; // .step, .brep, .stp
    const auto path = img2cad::fuzz::asFile(data + 1, size - 1, extensions[selector]);
    try {
        img2cad::cad::readPartFile(path);
    } catch (const img2cad::cad::Error&) {
    }
    return 0;
}
