// SPDX-License-Identifier: MIT
// `img2cadseq reconstruct` and `img2cadseq generate` as a user runs them, on a tiny model
// trained here: candidates as STEP, STL and program JSON with a report, for a mesh and a photo;
// unconditional samples; `img2cadseq eval` on the training washers (its table and report),
// from their clouds and from their rendered views;
// clear errors for a missing model or input.

#include "cli_runner.h"
#include "test_registry.h"
#include "tiny_models.h"

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/mesh_io.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/vision/photo_io.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <memory>

using namespace img2cad;
using namespace img2cad::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json readJson(const fs::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

} // namespace

class TestReconstructCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void reconstructsAMeshIntoCandidateFiles();
    void reconstructsAPhoto();
    void generatesSamples();
    void evaluatesADatasetSplit();
    void evaluatesFromRenderedViews();
    void evaluatesUnconditionalGeneration();
    void reportsMissingModelsAndInputs();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_root, m_model;
};

void TestReconstructCommand::initTestCase() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_root = m_dir->path().toStdString();
    m_model = trainTinyWasherModel(m_root);
}

void TestReconstructCommand::reconstructsAMeshIntoCandidateFiles() {
    const cad::Program washer = cad::generatePart(cad::PartFamily::Spacer, 1).program;
    cad::writeMesh(cad::tessellate(cad::compile(washer)), m_root / "washer.stl");
    const fs::path out = m_root / "mesh-candidates";
    const CliResult run = runCli({"reconstruct", q(m_root / "washer.stl"), "-m", q(m_model), "-o",
                                  q(out), "-k", "4", "--seed", "1"});
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.err + run.out));
    QVERIFY2(run.out.contains("candidates valid"), qPrintable(run.out));

    const nlohmann::json report = readJson(out / "report.json");
    QCOMPARE(report["input_kind"].get<std::string>(), std::string("points"));
    QCOMPARE(report["candidates"].size(), std::size_t(4));
    for (const char* stage : {"preprocess", "refine", "encode", "diffuse", "decode", "compile"})
        QVERIFY2(report["seconds"].contains(stage), stage);
    int valid = 0;
    for (const nlohmann::json& candidate : report["candidates"]) {
        if (!candidate["valid"].get<bool>()) {
            QVERIFY(!candidate["error"].get<std::string>().empty());
            continue;
        }
        ++valid;
        QCOMPARE(candidate["files"].size(), std::size_t(3)); // JSON, STEP, STL
        const std::string stem = candidate["files"][0].get<std::string>();
        const fs::path step = out / (stem.substr(0, stem.size() - 5) + ".step");
        const cad::ShapeReport read = cad::analyse(cad::readStep(step));
        QVERIFY(read.valid && read.volume > 0.0);
        QVERIFY(std::abs(read.volume - candidate["volume_mm3"].get<double>()) < 1e-4 * read.volume);
        QVERIFY(candidate["chamfer_x100"].get<double>() >= 0.0);
        QVERIFY(candidate["turned"].is_boolean() && candidate["fitted"].is_boolean());
        QVERIFY(candidate["solids"].get<int>() >= 1);
        // The console line says what the report says of how it came to be.
        const QString line =
            run.out.split('\n')
                .filter(QString::fromStdString(stem.substr(0, stem.size() - 5) + ": valid"))
                .value(0);
        QVERIFY2(!line.isEmpty(), qPrintable(run.out));
        QCOMPARE(line.contains("(turned)"), candidate["turned"].get<bool>());
        QCOMPARE(line.contains("(fitted)"), candidate["fitted"].get<bool>());
    }
    QCOMPARE(report["valid"].get<int>(), valid);
    QVERIFY(valid > 0);
}

void TestReconstructCommand::reconstructsAPhoto() {
    ml::writeImage(syntheticView(3).color, m_root / "washer.png");
    const fs::path out = m_root / "photo-candidates";
    const CliResult run = runCli({"reconstruct", q(m_root / "washer.png"), "-m", q(m_model), "-o",
                                  q(out), "-k", "2", "--part-size", "30"});
    QVERIFY2(!run.crashed && (run.exitCode == 0 || run.exitCode == 2),
             qPrintable(run.err + run.out));
    const nlohmann::json report = readJson(out / "report.json");
    QCOMPARE(report["input_kind"].get<std::string>(), std::string("photo"));
    QVERIFY(report["seconds"].contains("lift"));
    QCOMPARE(report["candidates"].size(), std::size_t(2));
}

void TestReconstructCommand::generatesSamples() {
    const fs::path out = m_root / "samples";
    const CliResult run =
        runCli({"generate", "-m", q(m_model), "-o", q(out), "-n", "3", "--seed", "2"});
    QVERIFY2(!run.crashed && (run.exitCode == 0 || run.exitCode == 2),
             qPrintable(run.err + run.out));
    const nlohmann::json report = readJson(out / "report.json");
    QCOMPARE(report["samples"].size(), std::size_t(3));
    for (const nlohmann::json& sample : report["samples"])
        for (const nlohmann::json& file : sample["files"])
            QVERIFY(fs::exists(out / file.get<std::string>()));
}

void TestReconstructCommand::evaluatesADatasetSplit() {
    const fs::path report = m_root / "eval.json";
    const CliResult run =
        runCli({"eval", "--data", q(m_root / "washers"), "-m", q(m_model), "--split", "train", "-n",
                "3", "-k", "2", "--steps", "5", "--points", "300", "-o", q(report)});
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.err + run.out));
    QVERIFY2(run.out.contains("| ours, best of K |"), qPrintable(run.out));
    QVERIFY2(run.out.contains("| retrieval (nearest training cloud by CD) |"), qPrintable(run.out));
    QVERIFY2(run.out.contains("| retrieval by z_P"), qPrintable(run.out));
    QVERIFY2(run.out.contains("Seg Acc"), qPrintable(run.out));
    const nlohmann::json j = readJson(report);
    QCOMPARE(j["parts"].get<int>(), 3);
    QCOMPARE(j["per_part"].size(), std::size_t(3));
    // Each part's valid candidates in ranking order: the first is the top-ranked pick, the
    // nearest the best of K.
    for (const nlohmann::json& part : j["per_part"]) {
        const nlohmann::json& ranked = part["candidates"];
        QCOMPARE(ranked.size(), std::size_t(part["valid"].get<int>()));
        if (ranked.empty()) continue;
        double nearest = ranked[0]["cd"].get<double>();
        for (std::size_t c = 0; c < ranked.size(); ++c) {
            nearest = std::min(nearest, ranked[c]["cd"].get<double>());
            QVERIFY(ranked[c]["solids"].get<int>() >= 1);
            if (c > 0)
                QVERIFY(ranked[c]["ranking_cd"].get<double>() >=
                        ranked[c - 1]["ranking_cd"].get<double>());
        }
        QCOMPARE(ranked[0]["cd"].get<double>(), part["top_cd"].get<double>());
        QCOMPARE(nearest, part["best_cd"].get<double>());
    }
    // The washers are in the retrieval index themselves: retrieval finds an identical part, so
    // its CD is the sampling floor, and the floor is small (the frames agree).
    const double floor = j["sampling_floor_median_cd"].get<double>();
    QVERIFY2(floor > 0.0 && floor < 0.03, qPrintable(QString::number(floor)));
    const auto row = [&](const std::string& method) {
        for (const nlohmann::json& r : j["summary"])
            if (r["method"].get<std::string>().rfind(method, 0) == 0) return r;
        return nlohmann::json();
    };
    QVERIFY(row("retrieval (nearest")["median_cd"].get<double>() < 2.0 * floor + 0.01);
    QVERIFY(row("retrieval by z_P")["median_cd"].is_number()); // some washer, a number
    // Each washer's own program through the tiny codebook: how far a perfect denoiser gets.
    const nlohmann::json perfect = row("the part's own program through the codebook");
    QVERIFY(perfect.is_object());
    const double perfectInvalid = perfect["invalid_ratio"].get<double>();
    QVERIFY(perfectInvalid >= 0.0 && perfectInvalid <= 1.0);
    QVERIFY(perfectInvalid == 1.0 || perfect["median_cd"].get<double>() < 0.5);
    const double invalid = j["summary"][0]["invalid_ratio"].get<double>();
    QVERIFY(invalid >= 0.0 && invalid <= 1.0);
    // Seg Acc and primitive precision / recall of the best candidates, when any compiled.
    for (const char* key : {"seg_acc", "primitive_precision", "primitive_recall"}) {
        const nlohmann::json& value = j["summary"][0][key];
        QVERIFY2(value.is_null() || (value.get<double>() >= 0.0 && value.get<double>() <= 1.0),
                 key);
    }

    const CliResult bad =
        runCli({"eval", "--data", q(m_root / "washers"), "-m", q(m_model), "--split", "holdout"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("--split must be train, val, test or all"), qPrintable(bad.err));
}

void TestReconstructCommand::reportsMissingModelsAndInputs() {
    CliResult run = runCli({"reconstruct", q(m_root / "washer.stl"), "-m", q(m_root / "nowhere"),
                            "-o", q(m_root / "x")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("not a model folder"), qPrintable(run.err));
    run =
        runCli({"reconstruct", q(m_root / "absent.ply"), "-m", q(m_model), "-o", q(m_root / "x")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("absent.ply"), qPrintable(run.err));
    QVERIFY(!fs::exists(m_root / "x")); // nothing written for a failed run
}

void TestReconstructCommand::evaluatesFromRenderedViews() {
    const fs::path report = m_root / "eval-photos.json";
    const CliResult run =
        runCli({"eval", "--data", q(m_root / "washers"), "-m", q(m_model), "--split", "train", "-n",
                "2", "-k", "2", "--steps", "5", "--points", "300", "--photos", "-o", q(report)});
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.err + run.out));
    QVERIFY2(run.out.contains("lifting from the photo"), qPrintable(run.out));
    const nlohmann::json j = readJson(report);
    QCOMPARE(j["input"].get<std::string>(), std::string("photo"));
    // Lifted clouds of a washer against the washer, in its unit cube: a number, and not absurd.
    const double raw = j["raw_median_cd"].get<double>();
    QVERIFY2(raw > 0.0 && raw < 0.5, qPrintable(QString::number(raw)));
    QVERIFY(j["refined_median_cd"].get<double>() > 0.0);
    QVERIFY(j["per_part"][0].contains("raw_cd"));
}

void TestReconstructCommand::evaluatesUnconditionalGeneration() {
    // The tiny set has no test split: the validation parts are the references.
    const fs::path report = m_root / "eval-generation.json";
    const CliResult run =
        runCli({"eval-generation", "--data", q(m_root / "washers"), "-m", q(m_model), "--split",
                "val", "-n", "6", "--draws", "2", "--draw-size", "3", "--steps", "5", "--points",
                "64", "-o", q(report)});
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.err + run.out));
    QVERIFY2(run.out.contains("| ours, unconditional samples |"), qPrintable(run.out));
    const nlohmann::json j = readJson(report);
    QCOMPARE(j["samples"].get<int>(), 6);
    QVERIFY(j["sampled"].get<int>() >= 6);
    for (const char* row : {"ours", "training_parts"})
        for (const char* key : {"mmd", "coverage", "jsd", "novelty", "uniqueness"})
            QVERIFY2(j[row][key].is_number() && j[row][key].get<double>() >= 0.0, key);
    // Two washers repeated: the training parts are all copies of training programs.
    QCOMPARE(j["training_parts"]["novelty"].get<double>(), 0.0);
    QVERIFY(j["ours"]["coverage"].get<double>() <= 1.0);

    const CliResult bad = runCli(
        {"eval-generation", "--data", q(m_root / "washers"), "-m", q(m_model), "--split", "train"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("held out"), qPrintable(bad.err));
}

IMG2CAD_REGISTER_TEST(TestReconstructCommand)
#include "test_reconstruct_command.moc"
