// SPDX-License-Identifier: MIT
#include "ml/codebook/cad_codebook.h"

#include "ml/codebook/closure_loss.h"
#include "ml/error.h"

#include <numeric>

namespace img2cad::ml {
namespace {

std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
    std::vector<std::int64_t> columns(std::size_t(last - first));
    std::iota(columns.begin(), columns.end(), first);
    return columns;
}

void requireLength(const FeatureMatrix& matrix, const char* what) {
    if (std::int64_t(matrix.rows) > kMaxLevelRows)
        throw Error(std::string("the program has ") + std::to_string(matrix.rows) + " " + what +
                    " rows; the codebook takes at most " + std::to_string(kMaxLevelRows));
}

FeatureMatrix matrixFromTensor(const torch::Tensor& rows, std::size_t count) {
    const torch::Tensor contiguous = rows.narrow(0, 0, std::int64_t(count)).contiguous().cpu();
    FeatureMatrix matrix;
    matrix.rows = count;
    matrix.cols = std::size_t(contiguous.size(1));
    matrix.values.assign(contiguous.data_ptr<float>(),
                         contiguous.data_ptr<float>() + contiguous.numel());
    return matrix;
}

/// Rows of `decoded` (a matrix of the same shape as `original`) whose every one-hot group has
/// the same arg-max as the original's.
std::int64_t rowsWithRightCategories(const FeatureMatrix& original, const FeatureMatrix& decoded,
                                     const LevelLayout& layout) {
    std::int64_t right = 0;
    for (std::size_t r = 0; r < original.rows; ++r) {
        const float* a = original.values.data() + r * original.cols;
        const float* b = decoded.values.data() + r * decoded.cols;
        bool same = true;
        for (const LevelLayout::Group& group : layout.categorical) {
            const float* ga = a + group.first;
            const float* gb = b + group.first;
            same = same && std::max_element(ga, ga + group.size) - ga ==
                               std::max_element(gb, gb + group.size) - gb;
        }
        right += same;
    }
    return right;
}

/// Names of a level's codebooks in the order of its index columns (stream, then depth).
std::vector<std::string> codebookLabels(const std::string& level, const LevelVqVae& model) {
    const std::int64_t streams = model->options().disentangled ? 2 : 1;
    const std::int64_t depth = model->options().depth;
    std::vector<std::string> labels;
    for (std::int64_t s = 0; s < streams; ++s)
        for (std::int64_t d = 0; d < depth; ++d)
            labels.push_back(level + (streams > 1 ? (s == 0 ? ".topology" : ".geometry") : "") +
                             (depth > 1 ? "." + std::to_string(d) : ""));
    return labels;
}

torch::Device deviceOf(const torch::nn::Module& module) {
    const auto parameters = module.parameters();
    return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

} // namespace

const char* variantName(CodebookVariant variant) {
    switch (variant) {
    case CodebookVariant::Hierarchical:
        return "hierarchical";
    case CodebookVariant::Flat:
        return "flat";
    case CodebookVariant::Disentangled:
        return "disentangled";
    }
    return "?";
}

CodebookVariant parseVariant(const std::string& name) {
    for (CodebookVariant v :
         {CodebookVariant::Hierarchical, CodebookVariant::Flat, CodebookVariant::Disentangled})
        if (name == variantName(v)) return v;
    throw Error("unknown codebook variant '" + name +
                "' (expected hierarchical, flat or disentangled)");
}

LevelLayout extrudeBlockLayout() {
    LevelLayout layout;
    layout.rowDim = kEbDim;
    layout.continuous = {kEbNormalX, kEbNormalY, kEbNormalZ,    kEbOriginX, kEbOriginY,
                         kEbOriginZ, kEbDepth,   kEbXAxisAngle, kEbDepth2};
    layout.categorical = {{kEbOpNew, 4}, {kEbExtentOneSided, 3}};
    return layout;
}

LevelLayout sketchPatchLayout() {
    LevelLayout layout;
    layout.rowDim = kSpDim;
    layout.continuous = range(0, kSpDim);
    return layout;
}

LevelLayout curveClusterLayout(double lengthLogOffset, std::int64_t lengthBins,
                               double lengthBinWeight) {
    LevelLayout layout;
    layout.rowDim = kCcDim;
    layout.continuous = range(kCcLength, kCcTypeLine);
    layout.categorical = {{kCcTypeLine, 3}};
    if (lengthLogOffset > 0.0) layout.logScaled = {{kCcLength, lengthLogOffset}};
    // Chords span at most the unit cube's face diagonal (1.41); 0.005 sets the finest bins
    // (about 1e-4 wide near 0) at a size below any feature the generator or DeepCAD makes.
    if (lengthBins > 0) layout.binned = {{kCcLength, lengthBins, 0.0, 1.5, 0.005, lengthBinWeight}};
    return layout;
}

LevelLayout flatLayout() {
    // The extrude row's embedded EB one-hots count as parameters here: the flat baselines read
    // them back by arg-max like any other number, as DeepCAD's flat vectors do.
    LevelLayout layout;
    layout.rowDim = kFlatDim;
    layout.continuous = range(kFlatParams, kFlatDim);
    layout.categorical = {{kFlatTypeLine, kFlatParams}};
    return layout;
}

CodebookExample makeCodebookExample(const cad::Program& program) {
    CodebookExample example;
    example.name = program.name;
    const EncodedProgram encoded = encodeProgram(program);
    example.levels = toMatrices(encoded);
    example.normalisation = encoded.normalisation;
    example.flat = flatMatrix(encodeFlat(program));
    requireLength(example.levels.eb, "extrude");
    for (const FeatureMatrix& sp : example.levels.sp)
        requireLength(sp, "loop");
    for (const FeatureMatrix& cc : example.levels.cc)
        requireLength(cc, "curve");
    requireLength(example.flat, "flat");
    return example;
}

std::pair<torch::Tensor, torch::Tensor> padMatrices(const std::vector<const FeatureMatrix*>& rows,
                                                    std::int64_t cols,
                                                    const torch::Device& device) {
    std::int64_t longest = 1;
    for (const FeatureMatrix* m : rows)
        longest = std::max<std::int64_t>(longest, std::int64_t(m->rows));
    const std::int64_t batch = std::int64_t(rows.size());
    torch::Tensor values = torch::zeros({batch, longest, cols});
    torch::Tensor padding = torch::ones({batch, longest}, torch::kBool);
    for (std::int64_t b = 0; b < batch; ++b) {
        const FeatureMatrix& m = *rows[std::size_t(b)];
        if (m.rows == 0) continue;
        if (std::int64_t(m.cols) != cols) throw Error("codebook batch: rows of another width");
        values[b]
            .narrow(0, 0, std::int64_t(m.rows))
            .copy_(torch::from_blob(const_cast<float*>(m.values.data()),
                                    {std::int64_t(m.rows), cols}, torch::kFloat));
        padding[b].narrow(0, 0, std::int64_t(m.rows)).fill_(false);
    }
    return {values.to(device), padding.to(device)};
}

CadCodebookImpl::CadCodebookImpl(const CodebookOptions& options) : m_options(options) {
    if (options.variant == CodebookVariant::Hierarchical) {
        addLevel("eb", extrudeBlockLayout(), false);
        addLevel("sp", sketchPatchLayout(), false);
        addLevel("cc",
                 curveClusterLayout(options.lengthLogOffset, options.lengthBins,
                                    options.lengthBinWeight),
                 false);
    } else {
        addLevel("flat", flatLayout(), options.variant == CodebookVariant::Disentangled);
    }
}

LevelVqVae CadCodebookImpl::addLevel(const std::string& name, const LevelLayout& layout,
                                     bool disentangled) {
    LevelVqVaeOptions level;
    level.layout = layout;
    level.width = m_options.width;
    level.heads = m_options.heads;
    level.layers = m_options.layers;
    level.codes = m_options.codes;
    level.dropout = m_options.dropout;
    level.disentangled = disentangled;
    level.depth = m_options.depth;
    level.codeDim = m_options.codeDim;
    LevelVqVae model = register_module(name, LevelVqVae(level));
    m_levels.emplace_back(name, model);
    return model;
}

namespace {

/// The matrices one level reads from a batch of examples.
std::vector<const FeatureMatrix*> levelRows(const std::string& level,
                                            const std::vector<const CodebookExample*>& batch) {
    std::vector<const FeatureMatrix*> rows;
    for (const CodebookExample* example : batch) {
        if (level == "eb")
            rows.push_back(&example->levels.eb);
        else if (level == "flat")
            rows.push_back(&example->flat);
        else
            for (const FeatureMatrix& m : level == "sp" ? example->levels.sp : example->levels.cc)
                rows.push_back(&m);
    }
    return rows;
}

} // namespace

CadCodebookImpl::Losses CadCodebookImpl::loss(const std::vector<const CodebookExample*>& batch,
                                              double skipKeep) {
    if (batch.empty()) throw Error("codebook: an empty batch");
    const torch::Device device = deviceOf(*this);
    Losses losses;
    losses.total = torch::zeros({}, torch::TensorOptions().device(device));
    double vq = 0.0;
    for (auto& [name, level] : m_levels) {
        const auto [rows, padding] =
            padMatrices(levelRows(name, batch), level->options().layout.rowDim, device);
        const auto output = level->forward(rows, padding, skipKeep);
        const auto parts = level->loss(output, rows, padding);
        losses.total = losses.total + parts.total;
        losses.parts[name] = (parts.total - parts.vq).item<double>();
        vq += parts.vq.item<double>();
        losses.perplexity += output.perplexity / double(m_levels.size());
        if (name == "cc" && m_options.closureWeight > 0.0) {
            const torch::Tensor closure = closureLoss(level->rawContinuous(output), rows, padding);
            losses.total = losses.total + m_options.closureWeight * closure;
            losses.parts["closure"] = closure.item<double>();
        }
        if (name == "cc" && m_options.trajectoryWeight > 0.0) {
            const torch::Tensor trajectory =
                trajectoryLoss(level->rawContinuous(output), rows, padding);
            losses.total = losses.total + m_options.trajectoryWeight * trajectory;
            losses.parts["trajectory"] = trajectory.item<double>();
        }
    }
    losses.parts["vq"] = vq;
    return losses;
}

void CadCodebookImpl::fitStandardisation(const std::vector<CodebookExample>& examples) {
    std::vector<const CodebookExample*> all;
    for (const CodebookExample& e : examples)
        all.push_back(&e);
    for (auto& [name, level] : m_levels) {
        std::vector<float> values;
        for (const FeatureMatrix* m : levelRows(name, all))
            values.insert(values.end(), m->values.begin(), m->values.end());
        const std::int64_t cols = level->options().layout.rowDim;
        if (values.empty()) throw Error("codebook: no training rows for level " + name);
        level->fitStandardisation(torch::from_blob(values.data(),
                                                   {std::int64_t(values.size()) / cols, cols},
                                                   torch::kFloat)
                                      .clone());
    }
}

CadCodebookImpl::Reconstruction CadCodebookImpl::reconstruct(const CodebookExample& example) {
    const bool wasTraining = is_training();
    eval();
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(*this);
    Reconstruction result;
    ProgramMatrices decoded;
    decoded.name = example.name;
    decoded.normalisation = example.normalisation;
    for (auto& [name, level] : m_levels) {
        const std::vector<const FeatureMatrix*> originals = levelRows(name, {&example});
        const LevelLayout& layout = level->options().layout;
        const auto [rows, padding] = padMatrices(originals, layout.rowDim, device);
        const torch::Tensor codes = encodeLevel(name, level, example, rows, padding);
        const torch::Tensor back = level->decodeCodes(codes, padding);
        const torch::Tensor valid = padding.logical_not();
        const std::vector<std::string> labels = codebookLabels(name, level);
        for (std::size_t c = 0; c < labels.size(); ++c) {
            const torch::Tensor used = (codes.dim() == 2 ? codes : codes.select(2, std::int64_t(c)))
                                           .masked_select(valid)
                                           .cpu();
            result.codes[labels[c]].assign(used.data_ptr<std::int64_t>(),
                                           used.data_ptr<std::int64_t>() + used.numel());
        }
        for (std::size_t i = 0; i < originals.size(); ++i) {
            FeatureMatrix matrix = matrixFromTensor(back[std::int64_t(i)], originals[i]->rows);
            result.rows += std::int64_t(matrix.rows);
            result.rowsCorrect += rowsWithRightCategories(*originals[i], matrix, layout);
            if (name == "eb")
                decoded.eb = std::move(matrix);
            else if (name == "sp")
                decoded.sp.push_back(std::move(matrix));
            else if (name == "cc")
                decoded.cc.push_back(std::move(matrix));
            else
                decoded.eb = std::move(matrix); // flat rows, decoded below
        }
    }
    result.matrices = decoded;
    try {
        if (m_options.variant == CodebookVariant::Hierarchical) {
            result.program = decodeProgram(fromMatrices(decoded));
        } else {
            FlatProgram flat{example.name, example.normalisation, {}};
            for (std::size_t r = 0; r < decoded.eb.rows; ++r) {
                FlatRow row{};
                for (std::size_t c = 0; c < kFlatDim; ++c)
                    row[c] = decoded.eb.values[r * kFlatDim + c];
                flat.rows.push_back(row);
            }
            result.program = decodeFlat(flat);
        }
    } catch (const Error& e) {
        result.error = e.what();
    }
    train(wasTraining);
    return result;
}

torch::Tensor CadCodebookImpl::encodeLevel(const std::string& name, LevelVqVae& level,
                                           const CodebookExample& example,
                                           const torch::Tensor& rows,
                                           const torch::Tensor& padding) {
    torch::Tensor codes = level->forward(rows, padding).indices;
    if (m_search.passes <= 0) return codes;
    const std::vector<const FeatureMatrix*> sequences = levelRows(name, {&example});
    // Each extrude's SP rows place its loops for the crossing check of the CC cost.
    const EncodedProgram placement = fromMatrices(example.levels);
    for (std::size_t i = 0; i < sequences.size(); ++i) {
        const std::int64_t length = std::int64_t(sequences[i]->rows);
        if (length == 0) continue;
        const torch::Tensor original = rows[std::int64_t(i)].narrow(0, 0, length).unsqueeze(0);
        const SequenceCost cost =
            name == "cc" ? curveClusterCost(*level, original, placement.extrudes[i].loops)
                         : rowCost(*level, original);
        torch::Tensor sequenceCodes = codes[std::int64_t(i)].narrow(0, 0, length);
        sequenceCodes.copy_(
            searchCodes(*level, original, sequenceCodes.unsqueeze(0), cost, m_search)[0]);
    }
    return codes;
}

std::vector<std::string> CadCodebookImpl::levelNames() const {
    std::vector<std::string> names;
    for (const auto& [name, level] : m_levels)
        names.push_back(name);
    return names;
}

std::int64_t CadCodebookImpl::codesPerRow() const {
    return m_levels.front().second->codesPerRow();
}

CadCodebookImpl::LevelCodes CadCodebookImpl::encodeCodes(const CodebookExample& example) {
    const bool wasTraining = is_training();
    eval();
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(*this);
    LevelCodes result;
    for (auto& [name, level] : m_levels) {
        const std::vector<const FeatureMatrix*> matrices = levelRows(name, {&example});
        const auto [rows, padding] = padMatrices(matrices, level->options().layout.rowDim, device);
        torch::Tensor codes = encodeLevel(name, level, example, rows, padding).cpu();
        if (codes.dim() == 2) codes = codes.unsqueeze(2);
        for (std::size_t i = 0; i < matrices.size(); ++i)
            result[name].push_back(
                codes[std::int64_t(i)].narrow(0, 0, std::int64_t(matrices[i]->rows)));
    }
    train(wasTraining);
    return result;
}

cad::Program CadCodebookImpl::decodeCodes(const LevelCodes& codes,
                                          const Normalisation& normalisation,
                                          const std::string& name, DecodeMode mode) {
    const bool wasTraining = is_training();
    eval();
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(*this);
    ProgramMatrices decoded;
    decoded.name = name;
    decoded.normalisation = normalisation;
    for (auto& [levelName, level] : m_levels) {
        const auto found = codes.find(levelName);
        if (found == codes.end() || found->second.empty())
            throw Error("cannot decode: no codes for the " + levelName + " level");
        std::int64_t longest = 1;
        for (const torch::Tensor& c : found->second) {
            if (c.dim() != 2 || c.size(1) != level->codesPerRow())
                throw Error("cannot decode: the " + levelName + " codes have the wrong shape");
            longest = std::max(longest, c.size(0));
        }
        const std::int64_t batch = std::int64_t(found->second.size());
        torch::Tensor indices = torch::zeros({batch, longest, level->codesPerRow()}, torch::kLong);
        torch::Tensor padding = torch::ones({batch, longest}, torch::kBool);
        for (std::int64_t b = 0; b < batch; ++b) {
            const torch::Tensor& c = found->second[std::size_t(b)];
            if (c.size(0) == 0) continue;
            if (c.min().item<std::int64_t>() < 0 || c.max().item<std::int64_t>() >= m_options.codes)
                throw Error("cannot decode: a code outside the codebook");
            indices[b].narrow(0, 0, c.size(0)).copy_(c);
            padding[b].narrow(0, 0, c.size(0)).fill_(false);
        }
        if (indices.size(2) == 1) indices = indices.squeeze(2);
        const torch::Tensor rows = level->decodeCodes(indices.to(device), padding.to(device)).cpu();
        for (std::int64_t b = 0; b < batch; ++b) {
            FeatureMatrix matrix =
                matrixFromTensor(rows[b], std::size_t(found->second[std::size_t(b)].size(0)));
            if (levelName == "sp")
                decoded.sp.push_back(std::move(matrix));
            else if (levelName == "cc")
                decoded.cc.push_back(std::move(matrix));
            else
                decoded.eb = std::move(matrix);
        }
    }
    train(wasTraining);
    if (m_options.variant == CodebookVariant::Hierarchical)
        return decodeProgram(fromMatrices(decoded), mode);
    FlatProgram flat{name, normalisation, {}};
    for (std::size_t r = 0; r < decoded.eb.rows; ++r) {
        FlatRow row{};
        for (std::size_t c = 0; c < kFlatDim; ++c)
            row[c] = decoded.eb.values[r * kFlatDim + c];
        flat.rows.push_back(row);
    }
    return decodeFlat(flat);
}

std::vector<CadCodebookImpl::CodebookHealth> CadCodebookImpl::health() const {
    std::vector<CodebookHealth> result;
    for (const auto& [name, level] : m_levels) {
        const auto quantizers = level->quantizers();
        const std::vector<std::string> labels = codebookLabels(name, level);
        for (std::size_t q = 0; q < quantizers.size(); ++q)
            result.push_back({labels[q], quantizers[q]->usage(), quantizers[q]->restartedCodes()});
    }
    return result;
}

void CadCodebookImpl::resetUsage() {
    for (auto& [name, level] : m_levels)
        for (auto& quantizer : level->quantizers())
            quantizer->resetUsage();
}

} // namespace img2cad::ml
