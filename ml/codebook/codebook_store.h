// SPDX-License-Identifier: MIT
#pragma once
// A trained codebook on disk: a model folder with `codebook.pt` (weights) and `model.json`, the
// manifest that says what the model is (stage, variant, architecture), what it was trained on,
// with which settings, and how well it did. The app and the later stages load a codebook from
// its folder alone.

#include "ml/codebook/cad_codebook.h"
#include "ml/training/model_folder.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace img2cad::ml {

constexpr const char* kCodebookWeightsFile = "codebook.pt";

nlohmann::json codebookOptionsToJson(const CodebookOptions& options);
/// Throws ml::Error for missing or out-of-range fields.
CodebookOptions codebookOptionsFromJson(const nlohmann::json& json);

/// Writes the weights and the manifest (both atomically). `training` and `metrics` are
/// recorded as given.
void saveCodebook(CadCodebook& codebook, const std::filesystem::path& folder,
                  const nlohmann::json& training, const nlohmann::json& metrics);

/// Loads the codebook of a model folder onto `device`, in evaluation mode. Throws ml::Error
/// naming the folder and what is wrong (no manifest, another stage, missing or corrupt
/// weights).
CadCodebook loadCodebook(const std::filesystem::path& folder,
                         const torch::Device& device = torch::kCPU);

} // namespace img2cad::ml
