// SPDX-License-Identifier: MIT
#pragma once
// Dataset shards: HDF5 files of samples (the container DeepCAD's own data uses). One file holds
// `samples` consecutive samples in per-field datasets with the sample as the first dimension,
// chunked one sample per chunk and deflate-compressed, so training reads any sample cheaply:
//
//   /index int64[n]  /seed uint64[n]  /split uint8[n]  /source, /program, /key: strings[n]
//   /points float32[n,P,3]  /normals float32[n,P,3]  /faces int32[n,P]  /primitives uint8[n,P]
//   /normalization float64[n,4]
//   /images uint8[n,V,H,W,3]  /masks uint8[n,V,H,W]  /depths float32[n,V,H,W]
//   /cameras float64[n,V,10]
// with attributes format = "img2cadseq-shard", version = 1.

#include "ml/dataset/sample.h"

#include <filesystem>
#include <functional>
#include <vector>

namespace img2cad::ml {

constexpr const char* kShardFormat = "img2cadseq-shard";
constexpr int kShardFormatVersion = 1;

/// Writes all samples into one shard, atomically. Every sample must have the same point count,
/// view count and image size (the shapes of the datasets). Throws ml::Error naming what differs
/// or why the write failed (a full disk included); the target is then untouched.
void writeShard(const std::vector<Sample>& samples, const std::filesystem::path& path);

/// Number of samples in a shard; throws ml::Error for a missing, truncated or foreign file.
std::size_t shardSampleCount(const std::filesystem::path& path);

/// Which fields of a sample to read. The rendered views are most of a shard's bytes, so a pass
/// that needs only clouds and programs (retrieval, point-cloud training) reads them much faster.
enum class SampleFields { All, WithoutViews };

/// Reads sample `position` (0-based within the shard).
Sample readShardSample(const std::filesystem::path& path, std::size_t position,
                       SampleFields fields = SampleFields::All);

/// Reads a dataset folder's samples in order, shard by shard (those its manifest lists; shards
/// not written yet are skipped), and hands each to `visit` until it returns false: the one loop
/// of every whole-dataset pass (loading a training set, evaluation, retrieval, benchmarks).
void forEachSample(const std::filesystem::path& folder, const std::function<bool(Sample&)>& visit,
                   SampleFields fields = SampleFields::All);

/// Reads only the light fields of every sample (index, seed, split, source, program, key):
/// what statistics and de-duplication need, without points or images.
std::vector<Sample> readShardHeaders(const std::filesystem::path& path);

} // namespace img2cad::ml
