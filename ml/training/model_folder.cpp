// SPDX-License-Identifier: MIT
#include "ml/training/model_folder.h"

#include "cad/atomic_file.h"
#include "cad/text_file.h"
#include "ml/error.h"

namespace img2cad::ml {
namespace fs = std::filesystem;

void writeModelManifest(const fs::path& folder, nlohmann::json body) {
    body["format"] = kModelFormat;
    body["version"] = kModelFormatVersion;
    fs::create_directories(folder);
    cad::writeFileAtomically(folder / kModelManifestFile, body.dump(1) + "\n");
}

nlohmann::json readModelManifest(const fs::path& folder, const std::string& stage) {
    const fs::path path = folder / kModelManifestFile;
    if (!fs::exists(path))
        throw Error("'" + folder.string() + "' is not a model folder (no " + kModelManifestFile +
                    ")");
    nlohmann::json manifest;
    try {
        manifest = nlohmann::json::parse(cad::readTextFile(path));
    } catch (const std::exception& e) {
        throw Error("'" + path.string() + "' is malformed: " + e.what());
    }
    if (!manifest.is_object() || manifest.value("format", "") != kModelFormat)
        throw Error("'" + path.string() + "' is not an img2cadseq model manifest");
    if (manifest.value("version", 0) > kModelFormatVersion)
        throw Error("'" + path.string() + "' was written by a newer img2cadseq");
    if (!stage.empty() && manifest.value("stage", "") != stage)
        throw Error("'" + folder.string() + "' holds a " + manifest.value("stage", "unknown") +
                    " model, not a " + stage + " model");
    return manifest;
}

} // namespace img2cad::ml
