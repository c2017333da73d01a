// SPDX-License-Identifier: MIT
#pragma once
// A dataset folder: `manifest.json` (what the data is, how it was made, what it holds) beside
// its HDF5 shards `shard-NNNNN.h5`. Samples are cut into shards of `shardSize` consecutive
// indices, so a shard is the unit of work, of parallelism and of resumption.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace img2cad::ml {

constexpr const char* kDatasetFormat = "img2cadseq-dataset";
constexpr int kDatasetFormatVersion = 1;

/// Captures: photos of real parts with their CAD, exported by the labelling tool.
enum class DatasetKind { Generated, DeepCad, Step, Captures };
const char* datasetKindName(DatasetKind kind);

/// How the samples are made; two runs with equal settings make the same dataset.
struct DatasetSettings {
    DatasetKind kind = DatasetKind::Generated;
    std::int64_t count = 0; ///< samples (generated) or input files (imports)
    std::uint64_t seed = 0;
    int views = 4;
    int imageSize = 224;
    int points = 4096;
    int shardSize = 64;
    std::string sourceFolder;        ///< imports: the folder read
    std::vector<std::string> inputs; ///< imports: the files, in slot order

    bool operator==(const DatasetSettings& other) const;
    /// Human-readable differences, for "this folder holds another dataset" messages.
    std::string differencesFrom(const DatasetSettings& other) const;
};

struct DatasetCounts {
    std::int64_t samples = 0, train = 0, val = 0, test = 0;
    std::int64_t rejectedPrograms = 0; ///< generator candidates that did not compile
    std::int64_t nearDuplicatesSkipped = 0;
    std::vector<std::string> failedInputs; ///< imports: "file: reason"
};

struct DatasetManifest {
    DatasetSettings settings;
    bool complete = false;
    DatasetCounts counts;
    double secondsSpent = 0.0;

    std::int64_t shardCount() const;
    std::string shardFileName(std::int64_t shard) const; ///< "shard-00012.h5"
};

/// Throws ml::Error for a missing, malformed or newer-version manifest.
DatasetManifest readManifest(const std::filesystem::path& folder);
void writeManifest(const DatasetManifest& manifest, const std::filesystem::path& folder); // atomic
bool hasManifest(const std::filesystem::path& folder);

} // namespace img2cad::ml
