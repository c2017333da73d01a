// SPDX-License-Identifier: MIT
#pragma once
// The codebook's training data: every program of a dataset folder (its shards' light fields
// only, no points or images), encoded once and grouped by split.

#include "ml/codebook/cad_codebook.h"

#include <filesystem>
#include <string>
#include <vector>

namespace img2cad::ml {

struct CodebookData {
    std::vector<CodebookExample> train, val, test;
    std::int64_t skipped = 0;             ///< samples without a program or not encodable
    std::vector<std::string> skipReasons; ///< the first few, "sample N (source): reason"
};

/// Reads and encodes every program of the dataset at `folder`. Throws ml::Error for a folder
/// that is not a dataset or holds no encodable program.
CodebookData loadCodebookData(const std::filesystem::path& folder);

} // namespace img2cad::ml
