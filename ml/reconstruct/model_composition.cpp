// SPDX-License-Identifier: MIT
#include "ml/reconstruct/model_composition.h"

#include "ml/error.h"
#include "ml/retrieval/part_library.h"
#include "ml/training/model_folder.h"

#include <array>
#include <map>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

/// The slots of a complete model folder, as ml::Reconstructor reads them.
constexpr std::array<const char*, 6> kSlots{"codebook",  "align", "refine",
                                            "diffusion", "lift",  "library"};

/// Copies a stage folder's files into `to`, but not a run's checkpoint (training state, often
/// larger than the model).
void copyStage(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    for (const auto& entry : fs::directory_iterator(from))
        if (entry.is_regular_file() && entry.path().filename() != "checkpoint.pt")
            fs::copy_file(entry.path(), to / entry.path().filename());
}

} // namespace

std::string stageSlotOf(const fs::path& run) {
    if (!fs::exists(run / kModelManifestFile))
        throw Error("'" + run.string() +
                    "' holds no finished model yet (a run writes its model when it ends; a "
                    "paused run's checkpoint is training state)");
    const std::string stage = readModelManifest(run).value("stage", "");
    if (stage == "lift-lora") return "lift";
    for (const char* slot : kSlots)
        if (stage == slot) return stage;
    throw Error("'" + run.string() + "' holds a model of stage '" + stage +
                "', which is no part of a reconstruction model");
}

std::string composeModel(const fs::path& current, const fs::path& run, const fs::path& out) {
    const std::string slot = stageSlotOf(run);
    // The denoiser speaks the codebook's tokens and listens to the aligner's embeddings: either
    // alone would silently not fit the denoiser it joins.
    if (slot == "codebook" || slot == "align")
        throw Error("a new " + slot +
                    " does not fit the app's denoiser, which was trained on another one: train "
                    "diffusion against it (--" +
                    slot + " " + run.string() + ") and use that run, which brings it along");
    if (fs::exists(out)) throw Error("'" + out.string() + "' exists already");
    // Slot -> the folder it is taken from: the current model, then what the run was trained
    // against, then the run itself.
    std::map<std::string, fs::path> sources;
    for (const char* s : kSlots)
        if (!current.empty() && fs::is_directory(current / s)) sources[s] = current / s;
    const nlohmann::json manifest = readModelManifest(run);
    for (const char* dependency : {"codebook", "align"}) {
        if (!manifest.contains(dependency) || !manifest[dependency].is_string()) continue;
        const fs::path folder = manifest[dependency].get<std::string>();
        if (!fs::exists(folder / kModelManifestFile))
            throw Error("the run was trained against the " + std::string(dependency) + " '" +
                        folder.string() + "', which is gone: the model would not fit together");
        sources[dependency] = folder;
    }
    sources[slot] = run;
    // A library holds one codebook's tokens and one aligner's embeddings: a new one must be
    // built with the model's, and one the run's codebook or aligner replace is left out. (One
    // check: it hashes both stages' weights.)
    if (sources.count("library") && sources.count("codebook") && sources.count("align") &&
        !partLibraryMatches(sources.at("library"), sources.at("codebook"), sources.at("align"))) {
        if (slot == "library")
            throw Error("the library was built with another codebook or aligner than the app's "
                        "model has: build it with the model's (--codebook and --align of its "
                        "folder)");
        sources.erase("library");
    }
    for (const char* required : {"codebook", "align", "refine", "diffusion"})
        if (!sources.count(required))
            throw Error("the app's model '" + current.string() + "' has no " + required +
                        " stage to complete the run's " + slot + " with");

    // Written beside and renamed at the end, so that a full disk leaves no half model behind.
    const fs::path partial = out.string() + ".partial";
    try {
        fs::remove_all(partial);
        for (const auto& [s, folder] : sources)
            copyStage(folder, partial / s);
        fs::rename(partial, out);
    } catch (const fs::filesystem_error& error) {
        std::error_code ignored;
        fs::remove_all(partial, ignored);
        throw Error("could not write the model '" + out.string() + "': " + error.what());
    }
    return slot;
}

} // namespace img2cad::ml
