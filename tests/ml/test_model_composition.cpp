// SPDX-License-Identifier: MIT
// "Use in the app" composes a model from the app's model and a finished run (issue 8): the run's
// stage replaces its slot, the stages a denoiser was trained against come with it, checkpoints
// stay behind, and what would not fit together (a lone codebook or aligner, a gone dependency,
// an unfinished run) is refused with the reason. Stage folders here are manifests and bytes:
// composing copies files, it does not load them (TestReconstructionWindow loads the result).

#include "test_registry.h"

#include "ml/error.h"
#include "ml/reconstruct/model_composition.h"
#include "ml/retrieval/part_library.h"
#include "ml/training/model_folder.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

/// A stage folder: its manifest (with `extra` keys) and a weights file holding `bytes`.
void writeStage(const fs::path& folder, const std::string& stage, const std::string& bytes,
                nlohmann::json extra = nlohmann::json::object()) {
    fs::create_directories(folder);
    extra["stage"] = stage;
    extra["weights"] = "weights.pt";
    ml::writeModelManifest(folder, extra);
    std::ofstream(folder / "weights.pt", std::ios::binary) << bytes;
}

std::string contents(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// True when `call` throws ml::Error whose message holds `words`.
template <typename Call> bool refusedSaying(Call&& call, const std::string& words) {
    try {
        call();
    } catch (const ml::Error& error) {
        if (std::string(error.what()).find(words) != std::string::npos) return true;
        qWarning("refused, but saying: %s", error.what());
    }
    return false;
}

} // namespace

class TestModelComposition : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void replacesTheRunsSlotAndKeepsTheRest();
    void aDenoiserBringsTheStagesItWasTrainedAgainst();
    void refusesWhatWouldNotFitTogether();
    void aLibraryGoesOnlyWithItsCodebookAndAligner();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_root, m_app;
};

void TestModelComposition::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_root = m_dir->path().toStdString();
    m_app = m_root / "app-model";
    for (const char* slot : {"codebook", "align", "refine", "diffusion", "lift"})
        writeStage(m_app / slot, slot, std::string("app ") + slot);
}

void TestModelComposition::replacesTheRunsSlotAndKeepsTheRest() {
    const fs::path run = m_root / "lora-run";
    writeStage(run, "lift-lora", "adapters");
    std::ofstream(run / "checkpoint.pt") << "training state";
    QCOMPARE(ml::stageSlotOf(run), std::string("lift"));
    QCOMPARE(ml::composeModel(m_app, run, m_root / "out"), std::string("lift"));
    QCOMPARE(contents(m_root / "out" / "lift" / "weights.pt"), std::string("adapters"));
    QCOMPARE(ml::readModelManifest(m_root / "out" / "lift")["stage"].get<std::string>(),
             std::string("lift-lora"));
    QVERIFY(!fs::exists(m_root / "out" / "lift" / "checkpoint.pt"));
    for (const char* slot : {"codebook", "align", "refine", "diffusion"})
        QCOMPARE(contents(m_root / "out" / slot / "weights.pt"), std::string("app ") + slot);
    QCOMPARE(contents(m_app / "lift" / "weights.pt"), std::string("app lift")); // untouched
    QVERIFY(!fs::exists(m_root / "out.partial"));
}

void TestModelComposition::aDenoiserBringsTheStagesItWasTrainedAgainst() {
    writeStage(m_root / "my-codebook", "codebook", "my codebook");
    writeStage(m_root / "my-align", "align", "my align");
    const fs::path run = m_root / "diffusion-run";
    writeStage(run, "diffusion", "my denoiser",
               {{"codebook", (m_root / "my-codebook").string()},
                {"align", (m_root / "my-align").string()}});
    ml::composeModel(m_app, run, m_root / "out");
    QCOMPARE(contents(m_root / "out" / "diffusion" / "weights.pt"), std::string("my denoiser"));
    QCOMPARE(contents(m_root / "out" / "codebook" / "weights.pt"), std::string("my codebook"));
    QCOMPARE(contents(m_root / "out" / "align" / "weights.pt"), std::string("my align"));
    QCOMPARE(contents(m_root / "out" / "refine" / "weights.pt"), std::string("app refine"));
}

void TestModelComposition::refusesWhatWouldNotFitTogether() {
    const fs::path out = m_root / "out";
    const fs::path unfinished = m_root / "paused-run";
    fs::create_directories(unfinished);
    std::ofstream(unfinished / "checkpoint.pt") << "training state";
    QVERIFY(refusedSaying([&] { ml::composeModel(m_app, unfinished, out); }, "no finished model"));

    for (const char* stage : {"codebook", "align"}) {
        writeStage(m_root / stage, stage, "lone");
        QVERIFY(refusedSaying([&] { ml::composeModel(m_app, m_root / stage, out); },
                              "does not fit the app's denoiser"));
    }
    const fs::path orphan = m_root / "orphan";
    writeStage(orphan, "diffusion", "denoiser", {{"codebook", (m_root / "gone").string()}});
    QVERIFY(refusedSaying([&] { ml::composeModel(m_app, orphan, out); }, "which is gone"));

    const fs::path refine = m_root / "refine-run";
    writeStage(refine, "refine", "refiner");
    QVERIFY(refusedSaying([&] { ml::composeModel(m_root / "no-model", refine, out); },
                          "has no codebook stage"));
    fs::create_directories(out);
    QVERIFY(refusedSaying([&] { ml::composeModel(m_app, refine, out); }, "exists already"));
    writeStage(m_root / "other", "lift-view-classifier", "?");
    QVERIFY(refusedSaying([&] { ml::stageSlotOf(m_root / "other"); }, "no part of"));
}

void TestModelComposition::aLibraryGoesOnlyWithItsCodebookAndAligner() {
    const auto writeLibrary = [&](const fs::path& folder, const std::string& bytes,
                                  const fs::path& codebook) {
        writeStage(folder, "library", bytes,
                   {{"training",
                     {{"codebook_fingerprint", ml::weightsFingerprint(codebook)},
                      {"align_fingerprint", ml::weightsFingerprint(m_app / "align")}}}});
    };
    writeLibrary(m_app / "library", "app library", m_app / "codebook");
    const fs::path refine = m_root / "refine-run";
    writeStage(refine, "refine", "refiner");
    ml::composeModel(m_app, refine, m_root / "kept");
    QCOMPARE(contents(m_root / "kept" / "library" / "weights.pt"), std::string("app library"));

    // A denoiser that brings its own codebook leaves the old library out.
    writeStage(m_root / "my-codebook", "codebook", "my codebook");
    const fs::path run = m_root / "diffusion-run";
    writeStage(run, "diffusion", "my denoiser", {{"codebook", (m_root / "my-codebook").string()}});
    ml::composeModel(m_app, run, m_root / "dropped");
    QVERIFY(fs::exists(m_root / "dropped" / "diffusion"));
    QVERIFY(!fs::exists(m_root / "dropped" / "library"));

    // A library run joins a model whose codebook and aligner it was built with, only.
    const fs::path other = m_root / "other-library";
    writeLibrary(other, "other library", m_root / "my-codebook");
    QVERIFY(refusedSaying([&] { ml::composeModel(m_app, other, m_root / "refused"); },
                          "another codebook or aligner"));
    const fs::path library = m_root / "library-run";
    writeLibrary(library, "new library", m_app / "codebook");
    QCOMPARE(ml::composeModel(m_app, library, m_root / "joined"), std::string("library"));
    QCOMPARE(contents(m_root / "joined" / "library" / "weights.pt"), std::string("new library"));
}

IMG2CAD_REGISTER_TEST(TestModelComposition)
#include "test_model_composition.moc"
