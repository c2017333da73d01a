// SPDX-License-Identifier: MIT
#pragma once
// A trained model on disk: a folder with its weights and `model.json`, the manifest that says
// what the model is (format, stage, architecture options), what it was trained on and how,
// and how well it did. Every stage (codebook, lift, lift adapters, ...) uses this layout, so
// the app can load any of them from a folder alone and refuse a wrong one clearly.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace img2cad::ml {

constexpr const char* kModelFormat = "img2cadseq-model";
constexpr int kModelFormatVersion = 1;
constexpr const char* kModelManifestFile = "model.json";

/// Writes model.json atomically: `body` (stage, weights, options, training, metrics, ...) with
/// the format and version added.
void writeModelManifest(const std::filesystem::path& folder, nlohmann::json body);

/// The manifest of a model folder; throws ml::Error when it is missing, malformed, newer than
/// this program, or (when `stage` is given) of another stage.
nlohmann::json readModelManifest(const std::filesystem::path& folder,
                                 const std::string& stage = "");

} // namespace img2cad::ml
