// SPDX-License-Identifier: MIT
// Reconstruction quality of trained codebooks (issue 4's table): every program of a set is
// encoded to codes and decoded from the codes alone, then compiled and compared with the
// original. Per model and set: row (token) accuracy, share of programs that compile to a valid
// solid, median and mean Chamfer distance x10^2, hanging-face ratio and code usage.
//
//   bench_codebook --data DATASET --model DIR [--model DIR ...] [--sequences DIR]
//                  [--programs N] [--split test|val|train] [--oracle LEVEL:COLUMN ...]
//                  [--search-passes P] [--search-candidates K] [--repair]
//
// --split train measures programs the codebook was trained on: the gap to the test split
// separates over-fitting (more data helps) from under-fitting (more capacity or steps help).
//
// --search-passes P (with --search-candidates K) encodes by searching the codes that decode best
// (ml/codebook/code_search.h) instead of taking the nearest ones.
//
// --repair passes every decoded program through cad::repairSketches before compiling it, as the
// Reconstructor does with its candidates: what the codebook gives the app, rather than what its
// decoder alone gives. The "repaired" column counts the programs the repair changed;
// BENCH_VERBOSE=1 prints every valid reconstruction's CD and what the repair did to it.
//
// --oracle (diagnosis, hierarchical models): the named columns of the decoded rows are replaced
// by the original's before the program is rebuilt, e.g. `--oracle cc:1` gives every curve its
// true turn angle; what validity that buys says which feature the model gets wrong.
//
// Chamfer distance: appendix A's (mean unsquared nearest distance, both ways, averaged), on
// 2,000 surface points, both shapes in the ORIGINAL's unit-cube frame (a reconstruction of the
// wrong size or place is penalised, not normalised away). A program whose codes do not decode
// or whose solid is invalid counts as invalid and is left out of CD and HF, as in the paper.

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/metrics/chamfer.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/sketch_repair.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/codebook/codebook_store.h"
#include "ml/compute_threads.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPoints = 2000;

struct Part {
    std::string name;
    cad::Program program;
};

std::vector<Part> splitParts(const fs::path& folder, ml::Split split, std::size_t limit) {
    const ml::DatasetManifest manifest = ml::readManifest(folder);
    std::vector<Part> parts;
    for (std::int64_t s = 0; s < manifest.shardCount() && parts.size() < limit; ++s)
        for (const ml::Sample& sample : ml::readShardHeaders(folder / manifest.shardFileName(s)))
            if (sample.split == split && !sample.programJson.empty() && parts.size() < limit)
                parts.push_back({sample.source + "#" + std::to_string(sample.index),
                                 cad::programFromJson(sample.programJson)});
    return parts;
}

std::vector<Part> realSequences(const fs::path& folder) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<Part> parts;
    for (const fs::path& file : files) {
        try {
            parts.push_back({file.filename().string(), cad::importSequenceFile(file).program});
        } catch (const std::exception& e) {
            std::cerr << "skipping " << file.filename().string() << ": " << e.what() << "\n";
        }
    }
    return parts;
}

struct Row {
    std::string model, set;
    /// Squared errors and counts of the decoded rows per "level:column" (hierarchical only).
    std::map<std::string, std::pair<double, std::int64_t>> columnErrors;
    std::int64_t programs = 0, encodable = 0, rows = 0, rowsCorrect = 0, valid = 0;
    std::int64_t undecodable = 0, uncompilable = 0, invalidSolid = 0; ///< why the others failed
    std::int64_t repaired = 0; ///< programs repairSketches changed (with --repair)
    std::vector<double> chamfer;
    double hangingFaces = 0.0; ///< sum over valid reconstructions
    double usage = 0.0;
};

/// Original shape's points in its own unit-cube frame, and that frame.
std::pair<std::vector<cad::Vec3f>, cad::Normalization> referenceOf(const cad::Program& program) {
    const cad::Shape shape = cad::compile(program);
    const cad::Normalization frame = cad::Normalization::toUnitCube(cad::analyse(shape).bbox);
    return {frame.apply(cad::samplePoints(cad::tessellate(shape), kPoints)).positions, frame};
}

struct OracleColumn {
    std::string level; ///< "eb", "sp" or "cc"
    std::size_t column = 0;
};

OracleColumn parseOracle(const std::string& text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) throw std::runtime_error("--oracle wants LEVEL:COLUMN");
    return {text.substr(0, colon), std::stoul(text.substr(colon + 1))};
}

/// `decoded` with the oracle columns copied from `original` (matrices of the same shapes).
ml::ProgramMatrices withOracle(ml::ProgramMatrices decoded, const ml::ProgramMatrices& original,
                               const std::vector<OracleColumn>& oracle) {
    const auto copyColumn = [](ml::FeatureMatrix& to, const ml::FeatureMatrix& from,
                               std::size_t column) {
        for (std::size_t r = 0; r < to.rows && r < from.rows; ++r)
            to.values[r * to.cols + column] = from.values[r * from.cols + column];
    };
    for (const OracleColumn& o : oracle) {
        if (o.level == "eb") copyColumn(decoded.eb, original.eb, o.column);
        for (std::size_t e = 0; o.level == "sp" && e < decoded.sp.size(); ++e)
            copyColumn(decoded.sp[e], original.sp[e], o.column);
        for (std::size_t e = 0; o.level == "cc" && e < decoded.cc.size(); ++e)
            copyColumn(decoded.cc[e], original.cc[e], o.column);
    }
    return decoded;
}

void addErrors(std::map<std::string, std::pair<double, std::int64_t>>& errors,
               const std::string& level, const ml::FeatureMatrix& decoded,
               const ml::FeatureMatrix& original) {
    if (decoded.rows != original.rows || decoded.cols != original.cols) return;
    for (std::size_t r = 0; r < decoded.rows; ++r)
        for (std::size_t c = 0; c < decoded.cols; ++c) {
            const double d =
                decoded.values[r * decoded.cols + c] - original.values[r * original.cols + c];
            auto& [sum, count] = errors[level + ":" + std::to_string(c)];
            sum += d * d;
            ++count;
        }
}

/// Per-column squared errors of a hierarchical reconstruction's rows (BENCH_VERBOSE prints
/// their RMS: which feature the model gets least right).
void accumulateColumnErrors(std::map<std::string, std::pair<double, std::int64_t>>& errors,
                            const ml::ProgramMatrices& decoded,
                            const ml::ProgramMatrices& original) {
    if (decoded.sp.size() != original.sp.size() || decoded.cc.size() != original.cc.size()) return;
    addErrors(errors, "eb", decoded.eb, original.eb);
    for (std::size_t e = 0; e < decoded.sp.size(); ++e) {
        addErrors(errors, "sp", decoded.sp[e], original.sp[e]);
        addErrors(errors, "cc", decoded.cc[e], original.cc[e]);
    }
}

/// ", repaired (...)" naming what the sketch repair did, or nothing when it did nothing.
std::string describe(const cad::SketchRepairs& r) {
    if (!r.any()) return "";
    return ", repaired (2-opt " + std::to_string(r.untangledCrossings) + ", arcs flattened " +
           std::to_string(r.flattenedArcs) + ", folds merged " + std::to_string(r.mergedFolds) +
           ", hulls " + std::to_string(r.hulledLoops) + ", loops shrunk " +
           std::to_string(r.shrunkLoops) + ", loops dropped " + std::to_string(r.droppedLoops) +
           ", curves dropped " + std::to_string(r.droppedCurves) + ")";
}

Row evaluate(ml::CadCodebook& codebook, const std::string& model, const std::string& set,
             const std::vector<Part>& parts, const std::vector<OracleColumn>& oracle, bool repair) {
    Row row;
    row.model = model;
    row.set = set;
    std::map<std::string, std::set<std::int64_t>> used;
    for (const Part& part : parts) {
        ++row.programs;
        ml::CodebookExample example;
        std::pair<std::vector<cad::Vec3f>, cad::Normalization> reference;
        try {
            example = ml::makeCodebookExample(part.program);
            reference = referenceOf(part.program);
        } catch (const std::exception& e) {
            std::cerr << "  " << part.name << ": not encodable (" << e.what() << ")\n";
            continue;
        }
        ++row.encodable;
        auto result = codebook->reconstruct(example);
        accumulateColumnErrors(row.columnErrors, result.matrices, example.levels);
        if (!oracle.empty() && codebook->options().variant == ml::CodebookVariant::Hierarchical) {
            try {
                result.program = ml::decodeProgram(
                    ml::fromMatrices(withOracle(result.matrices, example.levels, oracle)));
                result.error.clear();
            } catch (const std::exception& e) {
                result.error = e.what();
            }
        }
        row.rows += result.rows;
        row.rowsCorrect += result.rowsCorrect;
        for (const auto& [name, codes] : result.codes)
            used[name].insert(codes.begin(), codes.end());
        if (!result.error.empty()) {
            ++row.undecodable;
            continue;
        }
        cad::SketchRepairs repairs;
        if (repair) {
            result.program = cad::repairSketches(std::move(result.program), &repairs);
            row.repaired += repairs.any() ? 1 : 0;
        }
        try {
            const cad::Shape shape = cad::compile(result.program);
            const cad::ShapeReport report = cad::analyse(shape);
            if (!report.valid || report.solids == 0 || !(report.volume > 0.0)) {
                ++row.invalidSolid;
                continue;
            }
            const auto points =
                reference.second.apply(cad::samplePoints(cad::tessellate(shape), kPoints));
            row.chamfer.push_back(cad::chamferDistance(reference.first, points.positions));
            if (std::getenv("BENCH_VERBOSE"))
                std::fprintf(stderr, "  %s: CD x10^2 %.3f%s\n", part.name.c_str(),
                             row.chamfer.back() * 100.0, describe(repairs).c_str());
            row.hangingFaces += report.hangingFaceRatio;
            ++row.valid;
        } catch (const std::exception& e) {
            ++row.uncompilable;
            if (std::getenv("BENCH_VERBOSE"))
                std::cerr << "  " << part.name << ": does not compile: " << e.what() << "\n";
        }
    }
    for (const auto& [name, codes] : used)
        row.usage += double(codes.size()) / double(codebook->options().codes) / double(used.size());
    return row;
}

std::string modelLabel(ml::CodebookVariant variant) {
    switch (variant) {
    case ml::CodebookVariant::Hierarchical:
        return "full (hierarchical EB/SP/CC)";
    case ml::CodebookVariant::Flat:
        return "Model 1 (flat, HNC-CAD-like)";
    case ml::CodebookVariant::Disentangled:
        return "Model 2 (disentangled, SkexGen-like)";
    }
    return "?";
}

void printTable(const std::vector<Row>& rows) {
    std::printf("| model | set | programs | row accuracy | valid | CD x10^2 median | "
                "CD x10^2 mean | HF | code usage | failed: decode / compile / invalid solid | "
                "repaired |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows) {
        std::vector<double> cd = r.chamfer;
        std::sort(cd.begin(), cd.end());
        const double median = cd.empty() ? 0.0 : cd[cd.size() / 2] * 100.0;
        double mean = 0.0;
        for (double c : cd)
            mean += c * 100.0 / double(cd.size());
        std::printf(
            "| %s | %s | %lld | %.1f%% | %.1f%% | %.3f | %.3f | %.2f%% | %.1f%% | %lld / %lld "
            "/ %lld | %lld |\n",
            r.model.c_str(), r.set.c_str(), static_cast<long long>(r.encodable),
            r.rows ? 100.0 * double(r.rowsCorrect) / double(r.rows) : 0.0,
            r.encodable ? 100.0 * double(r.valid) / double(r.encodable) : 0.0, median, mean,
            r.valid ? 100.0 * r.hangingFaces / double(r.valid) : 0.0, 100.0 * r.usage,
            static_cast<long long>(r.undecodable), static_cast<long long>(r.uncompilable),
            static_cast<long long>(r.invalidSolid), static_cast<long long>(r.repaired));
    }
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Reconstruction benchmark of trained codebooks"};
    fs::path data,
        sequences = fs::path(IMG2CAD_SOURCE_DIR) / ".." / "shared" / "data" / "sequences";
    std::vector<fs::path> models;
    std::size_t limit = 300;
    std::vector<std::string> oracleText;
    std::string splitText = "test";
    cli.add_option("--data", data, "Dataset folder (its test split)")->required();
    cli.add_option("--model", models, "Model folder (repeat)")->required();
    cli.add_option("--sequences", sequences, "Real DeepCAD / Fusion 360 JSON folder");
    cli.add_option("--programs", limit, "Test-split programs to measure")->capture_default_str();
    cli.add_option("--split", splitText, "Dataset split to measure")
        ->check(CLI::IsMember({"train", "val", "test"}))
        ->capture_default_str();
    cli.add_option("--oracle", oracleText, "Diagnosis: LEVEL:COLUMN taken from the original");
    ml::CodeSearchOptions search;
    cli.add_option("--search-passes", search.passes,
                   "Encode by searching the codes that decode best (passes; 0 = nearest codes)")
        ->capture_default_str();
    cli.add_option("--search-candidates", search.candidates,
                   "Codes tried per row and residual column in the search")
        ->capture_default_str();
    bool repair = false;
    cli.add_flag("--repair", repair, "Repair decoded sketches before compiling, as the app does");
    CLI11_PARSE(cli, argc, argv);
    ml::useMachineThreads();
    try {
        std::vector<OracleColumn> oracle;
        for (const std::string& text : oracleText)
            oracle.push_back(parseOracle(text));
        const ml::Split split = splitText == "train" ? ml::Split::Train
                                : splitText == "val" ? ml::Split::Val
                                                     : ml::Split::Test;
        const std::vector<Part> generated = splitParts(data, split, limit);
        const std::string setName = "generated " + splitText + " split";
        std::vector<Part> real;
        if (fs::is_directory(sequences))
            real = realSequences(sequences);
        else
            std::cerr << "no real sequences at " << sequences << ": that row is skipped\n";
        std::vector<Row> rows;
        for (const fs::path& folder : models) {
            ml::CadCodebook codebook = ml::loadCodebook(folder);
            codebook->setCodeSearch(search);
            const std::string label = modelLabel(codebook->options().variant);
            std::cerr << "measuring " << label << " (" << folder.string() << ")\n";
            rows.push_back(evaluate(codebook, label, setName, generated, oracle, repair));
            if (!real.empty())
                rows.push_back(evaluate(codebook, label, "real sequences (shared/data)", real,
                                        oracle, repair));
        }
        printTable(rows);
        if (std::getenv("BENCH_VERBOSE"))
            for (const Row& r : rows)
                for (const auto& [column, error] : r.columnErrors)
                    std::fprintf(
                        stderr, "  %s / %s: %s RMS error %.5f\n", r.model.c_str(), r.set.c_str(),
                        column.c_str(),
                        std::sqrt(error.first / double(std::max<std::int64_t>(1, error.second))));
    } catch (const std::exception& e) {
        std::cerr << "bench_codebook: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
