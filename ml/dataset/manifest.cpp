// SPDX-License-Identifier: MIT
#include "ml/dataset/manifest.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/text_file.h"
#include "ml/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace img2cad::ml {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kManifestName = "manifest.json";

DatasetKind kindFrom(const std::string& name) {
    for (DatasetKind kind :
         {DatasetKind::Generated, DatasetKind::DeepCad, DatasetKind::Step, DatasetKind::Captures})
        if (name == datasetKindName(kind)) return kind;
    throw Error("unknown dataset kind '" + name + "'");
}

} // namespace

const char* datasetKindName(DatasetKind kind) {
    switch (kind) {
    case DatasetKind::Generated:
        return "generated";
    case DatasetKind::DeepCad:
        return "deepcad";
    case DatasetKind::Step:
        return "step";
    case DatasetKind::Captures:
        return "captures";
    }
    return "?";
}

bool DatasetSettings::operator==(const DatasetSettings& o) const {
    return kind == o.kind && count == o.count && seed == o.seed && views == o.views &&
           imageSize == o.imageSize && points == o.points && shardSize == o.shardSize &&
           sourceFolder == o.sourceFolder && inputs == o.inputs;
}

std::string DatasetSettings::differencesFrom(const DatasetSettings& o) const {
    std::ostringstream text;
    const auto differ = [&](const char* name, auto mine, auto theirs) {
        if (mine == theirs) return;
        if (text.tellp() > 0) text << ", ";
        text << name << " " << theirs << " (asked: " << mine << ")";
    };
    differ("kind", std::string(datasetKindName(kind)), std::string(datasetKindName(o.kind)));
    differ("count", count, o.count);
    differ("seed", seed, o.seed);
    differ("views", views, o.views);
    differ("image size", imageSize, o.imageSize);
    differ("points", points, o.points);
    differ("shard size", shardSize, o.shardSize);
    differ("source folder", sourceFolder, o.sourceFolder);
    if (inputs != o.inputs && text.tellp() == 0) text << "a different list of input files";
    return text.str();
}

std::int64_t DatasetManifest::shardCount() const {
    return (settings.count + settings.shardSize - 1) / settings.shardSize;
}

std::string DatasetManifest::shardFileName(std::int64_t shard) const {
    char name[32];
    std::snprintf(name, sizeof name, "shard-%05lld.h5", static_cast<long long>(shard));
    return name;
}

bool hasManifest(const fs::path& folder) {
    return fs::is_regular_file(folder / kManifestName);
}

void writeManifest(const DatasetManifest& manifest, const fs::path& folder) {
    const DatasetSettings& s = manifest.settings;
    Json settings = {{"kind", datasetKindName(s.kind)},
                     {"count", s.count},
                     {"seed", s.seed},
                     {"views", s.views},
                     {"image_size", s.imageSize},
                     {"points", s.points},
                     {"shard_size", s.shardSize}};
    if (s.kind != DatasetKind::Generated) {
        settings["source_folder"] = s.sourceFolder;
        settings["inputs"] = s.inputs;
    }
    Json shards = Json::array();
    for (std::int64_t i = 0; i < manifest.shardCount(); ++i)
        shards.push_back(manifest.shardFileName(i));
    const DatasetCounts& c = manifest.counts;
    const Json root = {{"format", kDatasetFormat},
                       {"version", kDatasetFormatVersion},
                       {"settings", settings},
                       {"complete", manifest.complete},
                       {"counts",
                        {{"samples", c.samples},
                         {"train", c.train},
                         {"val", c.val},
                         {"test", c.test},
                         {"rejected_programs", c.rejectedPrograms},
                         {"near_duplicates_skipped", c.nearDuplicatesSkipped},
                         {"failed_inputs", c.failedInputs}}},
                       {"seconds_spent", manifest.secondsSpent},
                       {"shards", shards}};
    try {
        cad::writeFileAtomically(folder / kManifestName, root.dump(1) + "\n");
    } catch (const cad::Error& error) {
        throw Error(error.what());
    }
}

DatasetManifest readManifest(const fs::path& folder) {
    const fs::path path = folder / kManifestName;
    try {
        const Json root = Json::parse(cad::readTextFile(path));
        if (root.at("format") != kDatasetFormat)
            throw Error(path.string() + " is not an Img2CADSeq dataset manifest");
        if (root.at("version").get<int>() > kDatasetFormatVersion)
            throw Error(path.string() + " was written by a newer version of Img2CADSeq Studio");
        DatasetManifest manifest;
        const Json& s = root.at("settings");
        manifest.settings.kind = kindFrom(s.at("kind").get<std::string>());
        manifest.settings.count = s.at("count").get<std::int64_t>();
        manifest.settings.seed = s.at("seed").get<std::uint64_t>();
        manifest.settings.views = s.at("views").get<int>();
        manifest.settings.imageSize = s.at("image_size").get<int>();
        manifest.settings.points = s.at("points").get<int>();
        manifest.settings.shardSize = s.at("shard_size").get<int>();
        if (s.contains("source_folder")) manifest.settings.sourceFolder = s.at("source_folder");
        if (s.contains("inputs"))
            manifest.settings.inputs = s.at("inputs").get<std::vector<std::string>>();
        if (manifest.settings.shardSize <= 0 || manifest.settings.count < 0)
            throw Error(path.string() + ": invalid shard size or count");
        manifest.complete = root.at("complete").get<bool>();
        const Json& c = root.at("counts");
        manifest.counts.samples = c.at("samples");
        manifest.counts.train = c.at("train");
        manifest.counts.val = c.at("val");
        manifest.counts.test = c.at("test");
        manifest.counts.rejectedPrograms = c.at("rejected_programs");
        manifest.counts.nearDuplicatesSkipped = c.at("near_duplicates_skipped");
        manifest.counts.failedInputs = c.at("failed_inputs").get<std::vector<std::string>>();
        manifest.secondsSpent = root.value("seconds_spent", 0.0);
        return manifest;
    } catch (const cad::Error& error) {
        throw Error(error.what());
    } catch (const nlohmann::json::exception& error) {
        throw Error(path.string() + " is malformed: " + error.what());
    }
}

} // namespace img2cad::ml
