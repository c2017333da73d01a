// SPDX-License-Identifier: MIT
#include "dataset_inspect.h"

#include "cad/atomic_file.h"
#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/error.h"
#include "cad/point_cloud_io.h"
#include "cad/program_json.h"
#include "cad/tessellation.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"

#include <QImage>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace img2cad::app {
namespace fs = std::filesystem;
namespace {

/// The measures `stats` compares between a dataset and a folder of real sequences.
struct ProgramStats {
    std::vector<int> lengths; ///< curves + extrudes per program
    std::vector<int> faces;
    std::array<std::int64_t, cad::kPrimitiveTypeCount> faceTypes{};
    int failed = 0;

    void add(const cad::Program& program) {
        lengths.push_back(int(cad::curveCount(program) + program.extrudes.size()));
        try {
            cad::TessellationOptions coarse; // face types only: a coarse mesh is enough
            coarse.linearDeflection = 0.02;
            coarse.angularDeflection = 0.5;
            const cad::TriangleMesh mesh = cad::tessellate(cad::compile(program), coarse);
            faces.push_back(int(mesh.facePrimitives.size()));
            for (cad::PrimitiveType type : mesh.facePrimitives)
                ++faceTypes[std::size_t(type)];
        } catch (const cad::Error&) {
            ++failed;
        }
    }
};

std::string summary(std::vector<int> values) {
    if (values.empty()) return "-";
    std::sort(values.begin(), values.end());
    char text[64];
    std::snprintf(text, sizeof text, "%d / %d / %d", values.front(), values[values.size() / 2],
                  values.back());
    return text;
}

std::string typeMix(const ProgramStats& stats) {
    std::int64_t total = 0;
    for (std::int64_t n : stats.faceTypes)
        total += n;
    std::string text;
    for (int t = 0; t < cad::kPrimitiveTypeCount; ++t) {
        char part[48];
        std::snprintf(part, sizeof part, "%s%s %.0f%%", text.empty() ? "" : ", ",
                      cad::primitiveTypeName(cad::PrimitiveType(t)),
                      total ? 100.0 * double(stats.faceTypes[std::size_t(t)]) / double(total)
                            : 0.0);
        text += part;
    }
    return text;
}

void savePng(const cad::Image& image, const fs::path& path) {
    const QImage::Format format =
        image.channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
    const QImage view(image.pixels.data(), image.width, image.height, image.width * image.channels,
                      format);
    if (!view.save(QString::fromStdString(path.string()), "PNG"))
        throw ml::Error("cannot write '" + path.string() + "'");
}

cad::Image depthPicture(const cad::DepthImage& depth) {
    float nearest = 0, farthest = 0;
    for (float d : depth.depth)
        if (d > 0)
            nearest = nearest > 0 ? std::min(nearest, d) : d, farthest = std::max(farthest, d);
    cad::Image picture{depth.width, depth.height, 1,
                       std::vector<std::uint8_t>(depth.depth.size(), 0)};
    for (std::size_t i = 0; i < depth.depth.size(); ++i)
        if (depth.depth[i] > 0) // near is bright; background stays black
            picture.pixels[i] = std::uint8_t(255 - 200 * (depth.depth[i] - nearest) /
                                                       std::max(1e-6f, farthest - nearest));
    return picture;
}

} // namespace

int runDatasetStats(const std::string& folder, const std::string& compareFolder, int maxPrograms) {
    const ml::DatasetManifest manifest = ml::readManifest(folder);
    const ml::DatasetCounts& c = manifest.counts;
    std::cout << "dataset: " << folder << " (" << ml::datasetKindName(manifest.settings.kind)
              << (manifest.complete ? ", complete" : ", INCOMPLETE: run the make command again")
              << ")\n"
              << "samples: " << c.samples << " (train " << c.train << ", val " << c.val << ", test "
              << c.test << "), " << manifest.settings.views << " views of "
              << manifest.settings.imageSize << " px, " << manifest.settings.points << " points\n"
              << "generator: " << c.rejectedPrograms << " candidates rejected (did not compile), "
              << c.nearDuplicatesSkipped << " near-duplicates skipped\n";

    std::map<std::string, std::int64_t> families;
    ProgramStats ours;
    int measured = 0;
    for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard) {
        const fs::path path = fs::path(folder) / manifest.shardFileName(shard);
        if (!fs::exists(path)) continue;
        for (const ml::Sample& header : ml::readShardHeaders(path)) {
            ++families[header.source];
            if (measured < maxPrograms && !header.programJson.empty()) {
                ours.add(cad::programFromJson(header.programJson));
                ++measured;
            }
        }
    }
    if (manifest.settings.kind == ml::DatasetKind::Generated) {
        std::cout << "\nfamily mix:\n";
        for (const auto& [family, count] : families)
            std::printf("  %-16s %6lld  %5.1f%%\n", family.c_str(), static_cast<long long>(count),
                        100.0 * double(count) / double(std::max<std::int64_t>(1, c.samples)));
    }
    ProgramStats theirs;
    if (!compareFolder.empty()) {
        int read = 0;
        for (const auto& entry : fs::recursive_directory_iterator(compareFolder)) {
            if (entry.path().extension() != ".json" || read >= maxPrograms) continue;
            try {
                theirs.add(cad::importSequenceFile(entry.path()).program);
            } catch (const cad::Error&) {
                ++theirs.failed;
            }
            ++read;
        }
    }
    std::printf("\n| measure (of up to %d programs) | this dataset |%s\n", maxPrograms,
                compareFolder.empty() ? "" : " comparison folder |");
    std::printf("|---|---|%s\n", compareFolder.empty() ? "" : "---|");
    const auto row = [&](const char* name, const std::string& a, const std::string& b) {
        std::printf("| %s | %s |%s\n", name, a.c_str(),
                    compareFolder.empty() ? "" : (" " + b + " |").c_str());
    };
    row("programs", std::to_string(ours.lengths.size()), std::to_string(theirs.lengths.size()));
    row("length (curves + extrudes) min / median / max", summary(ours.lengths),
        summary(theirs.lengths));
    row("faces min / median / max", summary(ours.faces), summary(theirs.faces));
    row("face types", typeMix(ours), typeMix(theirs));
    row("failed to compile", std::to_string(ours.failed), std::to_string(theirs.failed));
    return 0;
}

int runDatasetShow(const std::string& folder, std::int64_t index, const std::string& outFolder) {
    const ml::DatasetManifest manifest = ml::readManifest(folder);
    if (index < 0 || index >= manifest.settings.count)
        throw ml::Error("index " + std::to_string(index) + " is outside the dataset (0.." +
                        std::to_string(manifest.settings.count - 1) + ")");
    const fs::path shard =
        fs::path(folder) / manifest.shardFileName(index / manifest.settings.shardSize);
    const std::vector<ml::Sample> headers = ml::readShardHeaders(shard);
    const auto found = std::find_if(headers.begin(), headers.end(),
                                    [&](const ml::Sample& s) { return s.index == index; });
    if (found == headers.end())
        throw ml::Error("sample " + std::to_string(index) +
                        " is not in the dataset (its input failed)");
    const ml::Sample sample = ml::readShardSample(shard, std::size_t(found - headers.begin()));

    const fs::path out = outFolder;
    fs::create_directories(out);
    nlohmann::ordered_json info = {{"index", sample.index},
                                   {"seed", sample.seed},
                                   {"source", sample.source},
                                   {"split", ml::splitName(sample.split)},
                                   {"near_duplicate_key_length", sample.nearDuplicateKey.size()},
                                   {"points", sample.points.size()},
                                   {"normalization", sample.normalization},
                                   {"views", sample.views.size()}};
    nlohmann::ordered_json cameras = nlohmann::ordered_json::array();
    for (std::size_t v = 0; v < sample.views.size(); ++v) {
        const ml::View& view = sample.views[v];
        savePng(view.color, out / ("view-" + std::to_string(v) + ".png"));
        savePng(view.mask, out / ("mask-" + std::to_string(v) + ".png"));
        savePng(depthPicture(view.depth), out / ("depth-" + std::to_string(v) + ".png"));
        cameras.push_back(view.camera);
    }
    info["cameras"] = cameras;
    cad::writeFileAtomically(out / "sample.json", info.dump(1) + "\n");
    if (!sample.programJson.empty())
        cad::writeFileAtomically(out / "program.json", sample.programJson);
    cad::writePointCloud(sample.points, out / "points.ply");
    std::cout << info.dump(1) << "\nwrote " << out.string() << "\n";
    return 0;
}

} // namespace img2cad::app
