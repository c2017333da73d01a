// SPDX-License-Identifier: MIT
#pragma once
// The one entry point the app and the CLI use to turn a photo or a point cloud into ranked CAD
// candidates (paper section 3, the data flow of DESIGN.md):
//   photo -> preprocess -> lift -> P_raw -> importance -> resample -> P_ref -> z_P
//   point cloud -> (normalise) -> P_raw -> ...
//   z_P -> K token sequences (one batched reverse diffusion) -> programs -> compiled in
//   parallel -> ranked by Chamfer distance to P_ref; invalid candidates keep their reason.
//
// A model is one folder with a sub-folder per stage (each a model folder with model.json):
// codebook/, align/, refine/, diffusion/, to read photos lift/, and, to add retrieved parts to
// the samples, library/ (ml/retrieval/part_library.h). Loading checks that the
// stages speak to each other (token vocabulary, embedding size) and names the one that does not.
// A diffusion stage trained on image features (ablation Model 3, ml/diffusion/diffusion_trainer.h)
// is conditioned on the lifter's features of the photo instead of z_P; P_ref then only ranks.
//
// Frames: the models work in the unit-cube frame (bounding box centred, longest side 1). A
// point cloud's candidates come back in the cloud's own frame and units. A photo carries no
// scale: its candidates are centred on the origin with their longest side `photoPartSize` mm.

#include "cad/geometry/image.h"
#include "cad/geometry/point_cloud.h"
#include "cad/program.h"
#include "cad/shape.h"
#include "cad/topology.h"
#include "ml/diffusion/cad_denoiser.h"
#include "ml/error.h"
#include "ml/vision/part_mask.h"
#include "ml/vision/photo_preprocess.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace img2cad::ml {

/// Turn runs unless ReconstructionOptions::turnCandidates is off; Fit runs for point clouds, and
/// for photos only when asked (ReconstructionOptions::fitPhotos).
enum class ReconstructionStage {
    Preprocess,
    Lift,
    Refine,
    Encode,
    Diffuse,
    Decode,
    Compile,
    Turn,
    Fit
};
const char* stageName(ReconstructionStage stage); ///< "preprocess", "lift", ...

struct ReconstructionOptions {
    std::int64_t candidates = 8; ///< K
    /// Reverse diffusion: steps (fewer than the model's T is the fast sampler), guidance,
    /// truncation and the seed that makes a reconstruction repeatable.
    SamplingOptions sampling{20, 1.0, 1.0, 0, {}};
    std::int64_t rawPoints = 2048;     ///< P_raw is drawn down to this many points
    double importanceBeta = 10.0;      ///< eq. 6
    double importanceLambda = 0.5;     ///< eq. 6
    std::int64_t rankingPoints = 2000; ///< surface points per candidate for its CD
    double photoPartSize = 100.0;      ///< mm, longest side of a photo's candidates
    MaskHints photoHints;              ///< where the part is, when the photo needs help
    int compileThreads = 0;            ///< 0 = one per core
    /// Sequences sampled per candidate shown: K x this many are sampled, compiled, ranked and
    /// turned, and the K nearest P_ref kept (then fitted) — test-time compute for a denoiser
    /// that reads its condition weakly; the first K sampled are those 1 samples. 0 = automatic:
    /// 4 from a point cloud, 1 from a photo. Measured (docs/results.md, "More samples per
    /// candidate"): from clouds 4 took the best of 8's median CD x 10^2 from 4.32 to 3.74
    /// (held-out), 4.28 to 3.42 (real sequences) and 5.39 to 4.46 (STEP parts), at about 2.5x
    /// the time; from held-out photos only 7.12 to 6.46, -0.16 +- 0.22 per part (noise), at 3.6x
    /// the time, while a photo's 8 candidates must come in under 3 s on 2 cores: photos keep 1.
    /// Ranking the pool by the aligner (each sample's z_S against z_P) instead gained nothing.
    std::int64_t samplesPerCandidate = 0;
    /// Parts of the model's library (its library/ stage, ml/retrieval/part_library.h) nearest
    /// z_P added to the samples, which compile, rank, turn and fit them as any other: each as
    /// it is when `retrievedStep` is 0, else `samplesPerRetrieved` times re-noised to that step
    /// of T and denoised under the input's condition (CadDenoiserImpl::resample). -1 =
    /// automatic: 4, from a point cloud or a photo. Nothing without a library, or for a model
    /// conditioned on image features. Measured (docs/results.md, "Retrieved parts among the
    /// samples"): best of 8's median CD x 10^2 from held-out clouds 3.74 -> 2.86, real sequences
    /// 3.42 -> 3.28, STEP parts 4.46 -> 3.82; from held-out photos -0.54 +- 0.16 per part (two
    /// seeds), the top-ranked -0.32 +- 0.18. The number stays a setting of its own (-1) so that
    /// saved settings keep meaning "whatever is measured best" when it changes.
    std::int64_t retrievedParts = -1;
    std::int64_t retrievedStep = 0;
    std::int64_t samplesPerRetrieved = 1;
    /// Candidates sampled per reverse process; 0 = automatic: one at a time on the CPU (2.4x
    /// faster than all 8 at once on 2 cores, docs/reconstruction.md), all at once on CUDA.
    std::int64_t samplingChunk = 0;
    /// The denoiser's passes under bfloat16 autocast (ml/mixed_precision.h).
    bool mixedPrecision = false;
    /// Draw only tokens that keep the sequence parseable (ml/diffusion/token_grammar.h); off
    /// only to measure what the constraint does.
    bool constrainTokens = true;
    /// Sequences that do not decode strictly are decoded again with DecodeMode::Repair
    /// (ml/codebook/cad_encoding.h), crossing loops are mended (cad/sketch_repair.h) and
    /// extents with swapped ends put in order (cad/extent_repair.h); such candidates say so
    /// (`Candidate::repaired`).
    bool repairPrograms = true;
    /// After ranking, every valid candidate, from a photo or a cloud, is turned by the
    /// axis-aligned rotation that brings it nearest P_raw, when one does (cad::turnedToCloud),
    /// and ranked again: a candidate decoded lying on its side. Measured (docs/results.md): from
    /// held-out photos the best of 8's median CD x 10^2 8.09 -> 7.06 (-0.83 +- 0.27 per part) and
    /// the top-ranked 10.16 -> 8.50; from the STEP parts' clouds, fitted, 5.76 -> 5.40.
    bool turnCandidates = true;
    /// Then the best `fitCandidates` (0 = all) each spend `fitCompiles` compiles fitting their
    /// numbers to P_raw (cad/program_fit.h), and are ranked again; 0 compiles: no fit. A fit is
    /// kept only when it brings the candidate nearer P_raw; such candidates say so
    /// (`Candidate::fitted`). The defaults are measured (docs/results.md, "Fitting the numbers to
    /// the input"): from held-out clouds the best 2 fitted with 120 compiles each lower the best of
    /// 8's CD x 10^2 by 2.2 per part (7.47 -> 5.15 median), more than all 8 with 40 each, in 0.8 s
    /// on 2 cores.
    int fitCompiles = 120;
    std::int64_t fitCandidates = 2;
    /// Fit a photo's candidates too. Off: P_raw lifted from one view is itself far from the
    /// part, and candidates fitted to it take on its errors (measured: no gain for the best of
    /// K, a worse top-ranked pick).
    bool fitPhotos = false;

    /// The compiles each fitted candidate gets for a photo or a point cloud: the one place the
    /// rule "a photo's candidates are fitted only with fitPhotos" lives (the reconstructor and
    /// the reports that say what was fitted read it here).
    int fitCompilesFor(bool photo) const { return photo && !fitPhotos ? 0 : fitCompiles; }
    /// samplesPerCandidate with 0 (automatic) resolved for a photo or a point cloud
    std::int64_t samplesPerCandidateFor(bool photo) const {
        return samplesPerCandidate != 0 ? samplesPerCandidate : photo ? 1 : 4;
    }
    /// retrievedParts with -1 (automatic) resolved
    std::int64_t retrievedPartsResolved() const { return retrievedParts >= 0 ? retrievedParts : 4; }
};

/// One candidate: what was sampled, the program it decodes to, and how it compiled.
struct Candidate {
    std::vector<std::int64_t> tokens; ///< up to and including END
    bool decoded = false;             ///< the tokens parsed into a program
    bool repaired = false; ///< decoded with DecodeMode::Repair, its sketches or extents mended
    bool turned = false;   ///< turned towards P_raw (ReconstructionOptions::turnCandidates)
    bool fitted = false; ///< its numbers were fitted to P_raw (ReconstructionOptions::fitCompiles)
    bool retrieved = false; ///< started from a part of the model's library (retrievedParts)
    cad::Program program;
    cad::Shape shape;        ///< null unless compiled
    cad::ShapeReport report; ///< of the compiled shape
    /// CD to P_ref, what candidates are ranked by (valid ones only): in the models' unit-cube
    /// frame for a point cloud; for a photo, which fixes neither scale nor position, with each
    /// in its own unit cube.
    double chamfer = -1.0;
    std::string error; ///< why it is not valid (decode, compile or invalid solid)
    bool valid() const { return error.empty() && !shape.isNull(); }
    /// How it came to be, as shown beside it: " (repaired) (turned) (fitted) (retrieved)", each
    /// when it holds; empty for a sample taken as decoded.
    std::string provenance() const;
};

struct Reconstruction {
    cad::Image photo;     ///< a photo's input as read (upright, size-bounded); empty for clouds
    cad::Image photoMask; ///< the part mask found in `photo` (255 on the part)
    cad::PointCloud raw;  ///< P_raw, in the output frame
    std::vector<float> importance;     ///< per point of `raw`, in [0, 1]
    cad::PointCloud refined;           ///< P_ref, in the output frame
    std::vector<Candidate> candidates; ///< valid ones by rising CD, then the invalid ones
    std::map<ReconstructionStage, double> seconds; ///< wall time per stage
};

/// Stage and share done (0..1) of a reconstruction, for progress bars.
using ReconstructionProgress = std::function<void(ReconstructionStage, double)>;

/// Thrown when the caller's cancel flag stops a reconstruction.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

class Reconstructor {
public:
    /// Loads every stage of `modelFolder`; throws ml::Error naming a missing, corrupt or
    /// mismatched stage.
    explicit Reconstructor(const std::filesystem::path& modelFolder,
                           const torch::Device& device = torch::kCPU);
    ~Reconstructor();
    Reconstructor(Reconstructor&&) noexcept;
    Reconstructor& operator=(Reconstructor&&) noexcept;

    /// True when the model has a lifter (photos can be read).
    bool readsPhotos() const;

    /// Candidates for a point cloud (any frame; at least 16 points). Throws ml::Error, or
    /// Cancelled when `cancel` becomes true.
    Reconstruction fromPointCloud(const cad::PointCloud& cloud,
                                  const ReconstructionOptions& options = {},
                                  const ReconstructionProgress& progress = {},
                                  const std::atomic<bool>* cancel = nullptr);
    /// What a perfect denoiser would return for a part whose program is known: the program
    /// encoded by the model's codebook and decoded again, then repaired, fitted to the cloud's
    /// frame and compiled exactly as fromPointCloud's candidates are (with `fitCompiles`, also
    /// turned and fitted to the cloud as they are); `chamfer` is not set. The
    /// codebook's ceiling for reconstruction from clouds (`img2cadseq eval`). Throws ml::Error
    /// when the program cannot be encoded or the cloud is unusable.
    Candidate throughCodebook(const cad::Program& program, const cad::PointCloud& cloud,
                              const ReconstructionOptions& options = {});
    /// Candidates for a photo file (JPEG, PNG, ...).
    Reconstruction fromPhoto(const std::filesystem::path& photo,
                             const ReconstructionOptions& options = {},
                             const ReconstructionProgress& progress = {},
                             const std::atomic<bool>* cancel = nullptr);
    /// Candidates for a photo already in memory (RGB), e.g. a dataset's render.
    Reconstruction fromPhoto(const cad::Image& photo, const ReconstructionOptions& options = {},
                             const ReconstructionProgress& progress = {},
                             const std::atomic<bool>* cancel = nullptr);
    /// `count` unconditional samples (the learnt null condition), compiled; centred on the
    /// origin with their longest side `options.photoPartSize` mm, in sampling order.
    std::vector<Candidate> generate(std::int64_t count, const ReconstructionOptions& options = {},
                                    const ReconstructionProgress& progress = {},
                                    const std::atomic<bool>* cancel = nullptr);

    struct Models; ///< the loaded stages (opaque outside reconstructor.cpp)

private:
    Reconstruction
    fromPhoto(const std::function<PreprocessedPhoto(const PreprocessOptions&)>& preprocessed,
              const ReconstructionOptions& options, const ReconstructionProgress& progress,
              const std::atomic<bool>* cancel);

    std::unique_ptr<Models> m_models;
};

} // namespace img2cad::ml
