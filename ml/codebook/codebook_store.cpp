// SPDX-License-Identifier: MIT
#include "ml/codebook/codebook_store.h"

#include "ml/error.h"
#include "ml/training/checkpoint.h"

namespace img2cad::ml {
namespace fs = std::filesystem;

nlohmann::json codebookOptionsToJson(const CodebookOptions& o) {
    nlohmann::json json = {{"variant", variantName(o.variant)},
                           {"width", o.width},
                           {"heads", o.heads},
                           {"layers", o.layers},
                           {"codes", o.codes},
                           {"depth", o.depth},
                           {"code_dim", o.codeDim},
                           {"length_bins", o.lengthBins},
                           {"length_bin_weight", o.lengthBinWeight},
                           {"dropout", o.dropout},
                           {"closure_weight", o.closureWeight},
                           {"length_log_offset", o.lengthLogOffset}};
    // Written only when used, so that runs and models from before it keep their identity.
    if (o.trajectoryWeight > 0.0) json["trajectory_weight"] = o.trajectoryWeight;
    return json;
}

CodebookOptions codebookOptionsFromJson(const nlohmann::json& json) {
    try {
        CodebookOptions o;
        o.variant = parseVariant(json.at("variant").get<std::string>());
        o.width = json.at("width").get<std::int64_t>();
        o.heads = json.at("heads").get<std::int64_t>();
        o.layers = json.at("layers").get<std::int64_t>();
        o.codes = json.at("codes").get<std::int64_t>();
        o.depth = json.value("depth", std::int64_t(1));
        o.codeDim = json.value("code_dim", std::int64_t(0)); // absent: codes in the width
        o.lengthBins = json.value("length_bins", std::int64_t(0));
        o.lengthBinWeight = json.value("length_bin_weight", 1.0);
        o.dropout = json.at("dropout").get<double>();
        o.closureWeight = json.at("closure_weight").get<double>();
        o.lengthLogOffset = json.value("length_log_offset", 0.0); // absent: an older model
        o.trajectoryWeight = json.value("trajectory_weight", 0.0);
        if (o.width <= 0 || o.heads <= 0 || o.width % o.heads != 0 || o.layers <= 0 ||
            o.codes <= 0 || o.depth <= 0 || o.depth > 16 || o.codeDim < 0 || o.lengthBins < 0 ||
            o.lengthBins == 1 || o.lengthBinWeight < 0.0 || o.dropout < 0.0 || o.dropout >= 1.0 ||
            o.closureWeight < 0.0 || o.lengthLogOffset < 0.0 || o.trajectoryWeight < 0.0)
            throw Error("codebook options out of range (width must be a multiple of heads)");
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("malformed codebook options: ") + e.what());
    }
}

void saveCodebook(CadCodebook& codebook, const fs::path& folder, const nlohmann::json& training,
                  const nlohmann::json& metrics) {
    fs::create_directories(folder);
    saveWeights(folder / kCodebookWeightsFile, *codebook);
    writeModelManifest(folder, {{"stage", "codebook"},
                                {"weights", kCodebookWeightsFile},
                                {"options", codebookOptionsToJson(codebook->options())},
                                {"training", training},
                                {"metrics", metrics}});
}

CadCodebook loadCodebook(const fs::path& folder, const torch::Device& device) {
    const nlohmann::json manifest = readModelManifest(folder, "codebook");
    if (!manifest.contains("options"))
        throw Error("'" + folder.string() + "/model.json' has no codebook options");
    CadCodebook codebook(codebookOptionsFromJson(manifest["options"]));
    loadWeights(folder / manifest.value("weights", kCodebookWeightsFile), *codebook);
    codebook->to(device);
    codebook->eval();
    return codebook;
}

} // namespace img2cad::ml
