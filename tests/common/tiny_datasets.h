// SPDX-License-Identifier: MIT
#pragma once
// Tiny dataset folders for trainer tests: generated programs with real surface points, every
// fourth sample held out for validation; optionally of one family, and with synthetic views (a
// grey square whose size follows the part's index: enough for a lifter to learn something).

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"

#include <filesystem>
#include <optional>

namespace img2cad::test {

constexpr int kTinyViewSize = 32;

inline ml::View syntheticView(std::int64_t index) {
    constexpr int n = kTinyViewSize;
    ml::View view;
    view.color = {n, n, 3, std::vector<std::uint8_t>(n * n * 3, 30)};
    view.mask = {n, n, 1, std::vector<std::uint8_t>(n * n, 0)};
    view.depth = {n, n, std::vector<float>(n * n, 0.0f)};
    const int half = 5 + int(index % 8);
    for (int y = n / 2 - half; y < n / 2 + half; ++y)
        for (int x = n / 2 - half; x < n / 2 + half; ++x) {
            view.mask.at(x, y) = 255;
            for (int c = 0; c < 3; ++c)
                view.color.at(x, y, c) = std::uint8_t(120 + 10 * (index % 8));
        }
    return view;
}

inline void writeProgramDataset(const std::filesystem::path& folder, std::int64_t parts,
                                std::size_t points = 64, int views = 0,
                                std::optional<cad::PartFamily> family = {},
                                std::int64_t distinctParts = 0) {
    std::vector<ml::Sample> samples;
    for (std::int64_t i = 0; i < parts; ++i) {
        // With `distinctParts`, the generator seeds cycle, so a tiny model can learn them all.
        const auto seed = std::uint64_t(distinctParts > 0 ? i % distinctParts : i);
        const cad::GeneratedPart part =
            family ? cad::generatePart(*family, seed) : cad::generatePart(seed);
        ml::Sample sample;
        sample.index = i;
        sample.source = cad::partFamilyName(part.family);
        sample.programJson = cad::programToJson(part.program);
        sample.nearDuplicateKey = "key-" + std::to_string(i);
        sample.split = i % 4 == 3 ? ml::Split::Val : ml::Split::Train;
        const cad::Shape shape = cad::compile(part.program);
        const cad::Normalization frame = cad::Normalization::toUnitCube(cad::analyse(shape).bbox);
        sample.points = frame.apply(cad::samplePoints(cad::tessellate(shape), points, 1));
        sample.normalization = {frame.center.x, frame.center.y, frame.center.z, frame.scale};
        for (int v = 0; v < views; ++v)
            sample.views.push_back(syntheticView(i));
        samples.push_back(sample);
    }
    std::filesystem::create_directories(folder);
    ml::writeShard(samples, folder / "shard-00000.h5");
    ml::DatasetManifest manifest;
    manifest.settings.count = parts;
    manifest.settings.shardSize = int(parts);
    manifest.settings.views = views;
    manifest.settings.imageSize = kTinyViewSize;
    manifest.settings.points = int(points);
    manifest.complete = true;
    manifest.counts.samples = parts;
    ml::writeManifest(manifest, folder);
}

} // namespace img2cad::test
