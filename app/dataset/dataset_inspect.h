// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq dataset stats` and `dataset show`: what a dataset holds, and one sample as files.

#include <cstdint>
#include <string>

namespace img2cad::app {

/// Prints the manifest's counts, the family mix, program lengths (curves + extrudes), face
/// counts and the primitive-type mix of up to `maxPrograms` programs; with `compareFolder`, the
/// same measures of the DeepCAD / Fusion JSON files found there, side by side.
int runDatasetStats(const std::string& folder, const std::string& compareFolder, int maxPrograms);

/// Writes sample `index` into `outFolder`: sample.json, program.json, points.ply and per view
/// view-K.png, mask-K.png, depth-K.png; prints a summary.
int runDatasetShow(const std::string& folder, std::int64_t index, const std::string& outFolder);

} // namespace img2cad::app
