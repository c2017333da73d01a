// SPDX-License-Identifier: MIT
#pragma once
// A model's part library (its optional library/ stage): every training part's aligner
// embedding (z_P of its clean cloud) and its token sequence through the model's codebook. The
// reconstructor looks up the parts nearest a reconstruction's z_P and adds them to its samples,
// each either as it is or edited by the denoiser under the input's condition
// (ReconstructionOptions::retrievedParts; CadDenoiserImpl::resample).
//
// Why (docs/results.md, "Retrieved parts among the samples"): from clouds of parts like the
// training set's, the training part nearest by z_P is closer than what the denoiser samples,
// and the 4 nearest, decoded, turned and fitted like samples, closer still; the denoiser alone
// reads its condition too weakly to get there. Retrieval-augmented generation, as CAD
// reconstruction by retrieval and deformation does it: what the library holds is the model's
// memory of its training parts, not a copy of the training data (no clouds, no programs).
//
// The library speaks one codebook's tokens and one aligner's embedding: its manifest holds a
// fingerprint of each stage's weights, and loading against other stages is refused.

#include "ml/codebook/cad_codebook.h"

#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace img2cad::ml {

struct PartLibrary {
    torch::Tensor embeddings; ///< [N, E] float, unit rows
    torch::Tensor tokens;     ///< [N, L] int64, each row up to its END and END after it

    std::int64_t size() const { return embeddings.defined() ? embeddings.size(0) : 0; }
    /// The rows of the `count` parts whose embeddings are most cosine-similar to `z` ([E],
    /// unit), nearest first.
    std::vector<std::int64_t> nearest(const torch::Tensor& z, std::int64_t count) const;
};

struct PartLibrarySettings {
    std::filesystem::path data;     ///< a dataset: its training split is indexed
    std::filesystem::path codebook; ///< the codebook folder whose tokens the library holds
    std::filesystem::path align;    ///< the aligner folder whose embedding it holds
    std::filesystem::path out;      ///< the library folder written (model.json, library.pt)
};

struct PartLibraryResult {
    std::int64_t parts = 0;   ///< indexed
    std::int64_t skipped = 0; ///< training parts the codebook could not encode
};

/// Embeds and encodes the training split of `settings.data` and writes the library folder.
/// `onProgress(done, total)` reports parts; `stop` abandons the build (nothing written).
/// Throws ml::Error for unusable inputs or a dataset without training parts.
PartLibraryResult
buildPartLibrary(const PartLibrarySettings& settings,
                 const std::function<void(std::int64_t, std::int64_t)>& onProgress,
                 const std::atomic<bool>* stop);

/// Loads a library folder and checks that it was built with the codebook and aligner in
/// `codebookFolder` and `alignFolder` (their weights' fingerprints); throws ml::Error naming
/// what does not match.
PartLibrary loadPartLibrary(const std::filesystem::path& folder,
                            const std::filesystem::path& codebookFolder,
                            const std::filesystem::path& alignFolder);

/// A fingerprint (FNV-1a, hex) of the weights file of the stage in `stageFolder`: what a
/// library records of the codebook and aligner it was built with.
std::string weightsFingerprint(const std::filesystem::path& stageFolder);

/// Whether the library in `folder` was built with these codebook and aligner folders' weights.
bool partLibraryMatches(const std::filesystem::path& folder,
                        const std::filesystem::path& codebookFolder,
                        const std::filesystem::path& alignFolder);

} // namespace img2cad::ml
