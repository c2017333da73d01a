// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq dataset make / import-deepcad / import-step`: fills a dataset folder shard by
// shard. The coordinator plans the missing shards, runs `jobs` worker processes (each builds
// whole shards and reports every sample on a pipe), shows progress with rate and ETA, then
// removes near-duplicates across shards and completes the manifest. A shard appears only when
// complete (atomic write), so an interrupted run resumes where it stopped, with no duplicate
// and no lost sample.

#include "ml/dataset/manifest.h"

#include <string>
#include <vector>

namespace img2cad::app {

struct MakeRequest {
    std::string folder;
    ml::DatasetSettings settings;
    int jobs = 1;
};

/// Runs the whole job; returns the exit code. Throws cad::Error / ml::Error with a clear message
/// for a folder holding something else, a full disk, no X display, ...
int runDatasetMake(const MakeRequest& request);

/// Settings of an import: every .json (DeepCAD) or .step/.stp (STEP) file below `folder`, sorted.
ml::DatasetSettings importSettings(ml::DatasetKind kind, const std::string& folder);

/// The hidden worker: builds the listed shards of the dataset in `folder`, printing "sample"
/// after each sample and "shard N" after each shard to stdout.
int runDatasetWorker(const std::string& folder, const std::vector<std::int64_t>& shards);

} // namespace img2cad::app
