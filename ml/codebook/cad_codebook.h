// SPDX-License-Identifier: MIT
#pragma once
// The CAD codebook as the rest of the system sees it: a program in, discrete codes, a program
// back out of the codes alone. Three variants share the interface so that the trainer, the
// benchmark and later the diffusion model treat them alike:
//  - Hierarchical (the paper, section 3.1): three independent VQ-VAEs, Extrude-Block over a
//    program's extrudes, Sketch-Patch over one extrude's loops, Curve-Cluster over one
//    extrude's curves and EOS rows, with the loop-closure loss of eq. 4 on the CC level;
//  - Flat ("Model 1", HNC-CAD/DeepCAD-like): one VQ-VAE over the flat absolute-coordinate
//    rows of the whole program;
//  - Disentangled ("Model 2", SkexGen-like): the same flat rows, but two parallel encoders and
//    codebooks, topology (row types) and geometry (parameters), decoded jointly.
// The variants are trained in one loop on summed losses; the levels never exchange gradients,
// so the hierarchical VQ-VAEs stay the paper's three independent models.

#include "cad/program.h"
#include "ml/codebook/cad_encoding.h"
#include "ml/codebook/code_search.h"
#include "ml/codebook/level_vqvae.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace img2cad::ml {

enum class CodebookVariant { Hierarchical, Flat, Disentangled };
const char* variantName(CodebookVariant variant);      ///< "hierarchical", "flat", "disentangled"
CodebookVariant parseVariant(const std::string& name); ///< throws ml::Error for other names

struct CodebookOptions {
    CodebookVariant variant = CodebookVariant::Hierarchical;
    std::int64_t width = 256;
    std::int64_t heads = 8;
    std::int64_t layers = 4;
    std::int64_t codes = 512; ///< per codebook
    std::int64_t depth = 1;   ///< residual codes per row (LevelVqVaeOptions::depth)
    double dropout = 0.1;
    double closureWeight = 1.0; ///< lambda of eq. 4 (hierarchical CC level only)
    /// Weight of the trajectory loss (closure_loss.h; hierarchical CC level only); 0 = off,
    /// the paper's objective.
    double trajectoryWeight = 0.0;
    /// > 0: the CC chord length is modelled as log(l + offset) (unit-cube lengths), so that
    /// small features are held to a precision relative to their size; 0: as it is. Measured
    /// with 0.01 (docs/codebook.md): 69.0 % valid instead of 65.7 %, but median CD 4.48 instead
    /// of 3.92 and one real sequence lost, as long edges became less precise; hence off.
    double lengthLogOffset = 0.0;
    std::int64_t codeDim = 0; ///< code vector dimension, 0 = width (LevelVqVaeOptions::codeDim)
    /// > 0: the CC chord length is also classified into this many bins, equal in
    /// log(l + 0.005) over [0, 1.5] of the unit cube (LevelLayout::BinnedColumn); 0: regression
    /// alone. Hierarchical variant only.
    std::int64_t lengthBins = 0;
    double lengthBinWeight = 1.0; ///< weight of the length bins' cross-entropy
};

/// One program as the codebook reads it: both encodings (each variant uses its own).
struct CodebookExample {
    std::string name;
    ProgramMatrices levels; ///< hierarchical: EB, per-extrude SP and CC
    FeatureMatrix flat;     ///< flat rows (Model 1 and 2)
    Normalisation normalisation;
};

/// Encodes a program for the codebook; throws ml::Error when it cannot be encoded or a
/// sequence is longer than a level model accepts (kMaxLevelRows).
CodebookExample makeCodebookExample(const cad::Program& program);

/// Row layouts of the levels, from the encoding's columns.
LevelLayout extrudeBlockLayout();
LevelLayout sketchPatchLayout();
LevelLayout curveClusterLayout(double lengthLogOffset = 0.0, std::int64_t lengthBins = 0,
                               double lengthBinWeight = 1.0);
LevelLayout flatLayout();

class CadCodebookImpl : public torch::nn::Module {
public:
    explicit CadCodebookImpl(const CodebookOptions& options);

    struct Losses {
        torch::Tensor total;
        std::map<std::string, double> parts; ///< e.g. "eb", "sp", "cc", "closure", "vq"
        double perplexity = 0.0;             ///< the batch's code perplexity, mean over the levels
    };
    /// The training loss of a batch of programs. `skipKeep`: see LevelVqVae::forward.
    Losses loss(const std::vector<const CodebookExample*>& batch, double skipKeep = 0.0);

    /// Standardisation statistics of every level from training examples.
    void fitStandardisation(const std::vector<CodebookExample>& examples);

    struct Reconstruction {
        cad::Program program;         ///< decoded from the codes alone (may fail to compile)
        std::string error;            ///< set when the codes do not even decode to a program
        std::int64_t rows = 0;        ///< rows (tokens) of all levels
        std::int64_t rowsCorrect = 0; ///< rows whose every categorical field came back right
        /// The codes of the valid rows, per codebook (named as in health()).
        std::map<std::string, std::vector<std::int64_t>> codes;
        /// The decoded rows before they become a program (hierarchical variant; the flat
        /// variants keep theirs in `matrices.eb`), for diagnosis of what went wrong.
        ProgramMatrices matrices;
    };
    /// Encodes to codes and decodes from the codes alone (evaluation mode, no gradients).
    Reconstruction reconstruct(const CodebookExample& example);

    /// A program's codes per level: "eb" (one matrix), "sp" and "cc" (one per extrude), or
    /// "flat" (one); each an int64 CPU tensor [rows, codes per row] (streams x depth).
    using LevelCodes = std::map<std::string, std::vector<torch::Tensor>>;
    LevelCodes encodeCodes(const CodebookExample& example);
    /// The program the codes decode to, in the frame `normalisation` gives; throws ml::Error
    /// when they do not form a program.
    cad::Program decodeCodes(const LevelCodes& codes, const Normalisation& normalisation,
                             const std::string& name = "", DecodeMode mode = DecodeMode::Strict);
    /// The level names of this variant, in token order ("eb", "sp", "cc" or "flat").
    std::vector<std::string> levelNames() const;
    /// Codes per row of every level (streams x depth; the same for all levels).
    std::int64_t codesPerRow() const;

    struct CodebookHealth {
        /// "eb", "sp", "cc", "flat", "flat.topology", "flat.geometry"; with depth > 1 the depth
        /// follows, e.g. "cc.2"
        std::string name;
        double usage = 0.0;
        std::int64_t restarted = 0;
    };
    std::vector<CodebookHealth> health() const;
    void resetUsage();

    const CodebookOptions& options() const { return m_options; }

    /// How reconstruct() and encodeCodes() choose codes: the nearest ones (default) or a search
    /// for the codes that decode best (code_search.h). A setting of use, not of the model.
    void setCodeSearch(const CodeSearchOptions& search) { m_search = search; }
    const CodeSearchOptions& codeSearch() const { return m_search; }

private:
    LevelVqVae addLevel(const std::string& name, const LevelLayout& layout, bool disentangled);
    /// The codes of one level's sequences of `example` (padded into rows/padding), as
    /// LevelVqVae::forward gives them, searched per sequence when a code search is set.
    torch::Tensor encodeLevel(const std::string& name, LevelVqVae& level,
                              const CodebookExample& example, const torch::Tensor& rows,
                              const torch::Tensor& padding);

    CodebookOptions m_options;
    CodeSearchOptions m_search;
    std::vector<std::pair<std::string, LevelVqVae>> m_levels;
};

TORCH_MODULE(CadCodebook);

/// Rows of several matrices as one padded batch: rows [B, Lmax, cols] and padding [B, Lmax].
std::pair<torch::Tensor, torch::Tensor> padMatrices(const std::vector<const FeatureMatrix*>& rows,
                                                    std::int64_t cols, const torch::Device& device);

} // namespace img2cad::ml
