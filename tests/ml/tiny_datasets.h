// SPDX-License-Identifier: MIT
#pragma once
// Tiny dataset folders for trainer tests: generated programs with real surface points (no
// views), every fourth sample held out for validation.

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

namespace img2cad::test {

inline void writeProgramDataset(const std::filesystem::path& folder, std::int64_t parts,
                                std::size_t points = 64) {
    std::vector<ml::Sample> samples;
    for (std::int64_t i = 0; i < parts; ++i) {
        const cad::GeneratedPart part = cad::generatePart(std::uint64_t(i));
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
        samples.push_back(sample);
    }
    std::filesystem::create_directories(folder);
    ml::writeShard(samples, folder / "shard-00000.h5");
    ml::DatasetManifest manifest;
    manifest.settings.count = parts;
    manifest.settings.shardSize = int(parts);
    manifest.settings.views = 0;
    manifest.settings.points = int(points);
    manifest.complete = true;
    manifest.counts.samples = parts;
    ml::writeManifest(manifest, folder);
}

} // namespace img2cad::test
