// SPDX-License-Identifier: MIT
// Every part file the app opens (STEP, BREP, meshes, point clouds, program JSON) through the
// one reader the CLI and the window share. The first byte picks the extension, so one corpus
// reaches every importer; the rest is the file.
#include "cad/error.h"
#include "cad/part_file.h"
#include "fuzz/fuzz_input.h"

#include <array>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::array<const char*, 10> extensions = {
        ".step", ".brep", ".stl", ".obj", ".ply", ".off", ".gltf", ".xyz", ".json", ".stp"};
    if (size == 0) return 0;
    const auto path =
        img2cad::fuzz::asFile(data + 1, size - 1, extensions[data[0] % extensions.size()]);
    try {
        img2cad::cad::readPartFile(path);
    } catch (const img2cad::cad::Error&) {
    }
    return 0;
}
