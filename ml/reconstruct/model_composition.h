// SPDX-License-Identifier: MIT
#pragma once
// "Use this model in the app" (issue 8): a training run trains one stage, the app needs a whole
// model (codebook, align, refine, diffusion, and a lifter for photos). Composing puts the run's
// stage into a copy of the app's current model. A run records the stages it was trained against
// (a denoiser its codebook and aligner): those come along, so the composed model's stages still
// speak the same tokens. A codebook or aligner alone is refused: the app's denoiser was trained
// on others, so the way to use one is the diffusion run trained against it. A part library
// (ml/retrieval/part_library.h) must have been built with the model's codebook and aligner; the
// model's library is left out when the run brings others.

#include <filesystem>
#include <string>

namespace img2cad::ml {

/// The model folder's slot a finished run fills: "codebook", "lift" (a lifter or its LoRA
/// adapters), "align", "refine", "diffusion" or "library". Throws ml::Error when `run` holds no
/// finished model (a paused run has a checkpoint, which is training state, not yet a model).
std::string stageSlotOf(const std::filesystem::path& run);

/// Writes into `out` (created; must not exist) the model of folder `current` with `run`'s
/// model in its slot, and the stages `run` was trained against in theirs (lift, lift adapters,
/// refine or diffusion runs; codebook and align runs are refused, see above). Every file is
/// copied, so the result stays usable when the run folder goes. Returns the slot replaced.
/// Throws ml::Error naming what is missing.
std::string composeModel(const std::filesystem::path& current, const std::filesystem::path& run,
                         const std::filesystem::path& out);

} // namespace img2cad::ml
