// SPDX-License-Identifier: MIT
// The window's reconstruction flow, for real under Xvfb with a tiny model trained here by the
// real trainers: drop the shipped sample photo and see the mask, both clouds and K candidate
// views drawn (the tiny model only knows washers: this tests the window, not the model); select
// a candidate, export STEP and open it again with the same volume, export every candidate at
// once, and edit the selected candidate's program in the operation tree; the event loop keeps
// running while the worker reconstructs; cancel; unconditional samples; a broken model folder
// disables reconstruction with its reason while the window still opens parts.

#include "test_registry.h"
#include "tiny_models.h"
#include "window_test_helpers.h"

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/point_cloud_io.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ui/candidate_grid.h"
#include "ui/main_window.h"
#include "ui/photo_panel.h"
#include "ui/program_tree.h"
#include "ui/reconstruction_page.h"
#include "ui/reconstruction_runner.h"
#include "ui/reconstruction_settings.h"
#include "ui/training/trainer_panel.h"
#include "viewer/vtk_widget.h"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QUrl>

#include <filesystem>
#include <fstream>
#include <memory>

using namespace img2cad;
namespace fs = std::filesystem;
using test::drawnShare;
using test::waitFor;

namespace {

/// What the window says, for failure messages.
QByteArray stateOf(const ui::MainWindow& window) {
    return QString("error: '%1'; status: '%2'; model: '%3'")
        .arg(window.errorText(), window.statusBar()->currentMessage(), window.modelStatus())
        .toLocal8Bit();
}

} // namespace

class TestReconstructionWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void reconstructsADroppedPhotoIntoKCandidates();
    void exportsTheSelectedCandidateAsStep();
    void exportsEveryCandidateAndEditsOne();
    void staysResponsiveWhileReconstructing();
    void cancelsAReconstruction();
    void samplesUnconditionally();
    void aBrokenModelDisablesReconstructionWithItsReason();
    void usesAFinishedTrainingRunInTheApp();
    void theSettingsDialogTurnsAndFitsAsAsked();
    void aCardSaysHowItsCandidateWasMended();

private:
    /// A shown window using the tiny model with `k` candidates, its model loaded.
    std::unique_ptr<ui::MainWindow> openWindow(int k, int steps = 5);
    /// Opens the washer cloud; false when the window did not show it.
    bool openCloud(ui::MainWindow& window);
    /// Opens the washer cloud and waits for its candidates; false when none came.
    bool reconstructCloud(ui::MainWindow& window);

    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_model, m_photo, m_cloud;
};

void TestReconstructionWindow::initTestCase() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const fs::path root = m_dir->path().toStdString();
    m_model = test::trainTinyWasherModel(root);
    m_photo = fs::path(IMG2CAD_SOURCE_DIR) / "assets" / "samples" / "pillow_block.png";
    m_cloud = root / "washer.xyz";
    cad::writePointCloud(
        cad::samplePoints(
            cad::tessellate(cad::compile(cad::generatePart(cad::PartFamily::Spacer, 0).program)),
            2000),
        m_cloud);
}

std::unique_ptr<ui::MainWindow> TestReconstructionWindow::openWindow(int k, int steps) {
    auto window = std::make_unique<ui::MainWindow>();
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
    QSignalSpy loaded(window.get(), &ui::MainWindow::modelLoaded);
    ui::ReconstructionSettings settings;
    settings.modelFolder = QString::fromStdString(m_model.string());
    settings.candidates = k;
    settings.steps = steps;
    window->setReconstructionSettings(settings);
    // Already loaded when the remembered settings named the same model.
    if (!window->modelReady()) waitFor(loaded);
    return window->modelReady() ? std::move(window) : nullptr;
}

bool TestReconstructionWindow::openCloud(ui::MainWindow& window) {
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(m_cloud.string()));
    return waitFor(shown);
}

bool TestReconstructionWindow::reconstructCloud(ui::MainWindow& window) {
    if (!openCloud(window)) return false;
    QSignalSpy done(&window, &ui::MainWindow::reconstructed);
    window.reconstruct();
    return waitFor(done, 120000);
}

void TestReconstructionWindow::reconstructsADroppedPhotoIntoKCandidates() {
    const std::unique_ptr<ui::MainWindow> window = openWindow(4);
    QVERIFY(window);
    QVERIFY2(window->modelStatus().startsWith("Model: "), qPrintable(window->modelStatus()));
    QSignalSpy done(window.get(), &ui::MainWindow::reconstructed);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(m_photo.string()))});
    const QPoint centre = window->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window.get(), &enter);
    QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window.get(), &drop);
    QVERIFY2(waitFor(done, 120000), stateOf(*window));
    QVERIFY2(window->errorText().isEmpty(), qPrintable(window->errorText()));

    ui::ReconstructionPage* page = window->reconstructionPage();
    QVERIFY(page->isVisible()); // the window switched to the reconstruction tab
    QVERIFY(page->photo()->hasMask());
    QTest::qWait(300);
    QVERIFY(drawnShare(page->coarseView()->grabFramebuffer()) > 0.005);
    QVERIFY(drawnShare(page->refinedView()->grabFramebuffer()) > 0.005);

    ui::CandidateGrid* grid = page->candidates();
    QCOMPARE(grid->count(), 4);
    int valid = 0;
    for (int i = 0; i < grid->count(); ++i) {
        const double share = drawnShare(grid->view(i)->grabFramebuffer());
        const bool isValid =
            grid->caption(i).contains("valid</span>") && !grid->caption(i).contains("invalid");
        qInfo("candidate %d draws %.1f%% of its view: %s", i + 1, 100.0 * share,
              qPrintable(grid->caption(i)));
        if (isValid) {
            ++valid;
            QVERIFY2(share > 0.02, qPrintable(QString("candidate %1 view is blank").arg(i + 1)));
        }
    }
    QVERIFY2(valid > 0, "the tiny washer model gave no valid candidate");
    QCOMPARE(grid->selected(), 0); // the best candidate, ready to export
    QVERIFY(window->shownPart() && window->shownPart()->part.program);
}

void TestReconstructionWindow::exportsTheSelectedCandidateAsStep() {
    const std::unique_ptr<ui::MainWindow> window = openWindow(4);
    QVERIFY(window);
    QVERIFY(reconstructCloud(*window));
    ui::CandidateGrid* grid = window->reconstructionPage()->candidates();
    QVERIFY(grid->selected() == 0);
    const ui::OpenedPart* selected = window->shownPart();
    QVERIFY(selected && !selected->part.shape.isNull());
    const double volume = cad::analyse(selected->part.shape).volume;

    const fs::path step = fs::path(m_dir->path().toStdString()) / "candidate.step";
    QSignalSpy exported(window.get(), &ui::MainWindow::exported);
    window->exportTo(QString::fromStdString(step.string()));
    QVERIFY2(waitFor(exported), qPrintable(window->errorText()));
    QSignalSpy shown(window.get(), &ui::MainWindow::partShown);
    window->openFile(QString::fromStdString(step.string()));
    QVERIFY(waitFor(shown));
    const double reread = cad::analyse(window->shownPart()->part.shape).volume;
    QVERIFY2(std::abs(reread - volume) <= 1e-6 * volume,
             qPrintable(QString("%1 vs %2").arg(reread).arg(volume)));
}

void TestReconstructionWindow::exportsEveryCandidateAndEditsOne() {
    const std::unique_ptr<ui::MainWindow> window = openWindow(4);
    QVERIFY(window);
    QVERIFY(reconstructCloud(*window));
    const auto& candidates = window->reconstructionPage()->candidates();
    QCOMPARE(candidates->count(), 4);

    // Program JSON: every decoded candidate, numbered by rank, each readable again.
    const fs::path folder = fs::path(m_dir->path().toStdString()) / "all";
    fs::create_directories(folder);
    QSignalSpy exported(window.get(), &ui::MainWindow::exported);
    window->exportCandidates(QString::fromStdString((folder / "washer.json").string()));
    QVERIFY2(waitFor(exported), qPrintable(window->errorText()));
    int written = 0;
    for (int rank = 1; rank <= 4; ++rank) {
        const fs::path file = folder / ("washer-" + std::to_string(rank) + ".json");
        if (!fs::exists(file)) continue;
        cad::readProgram(file);
        ++written;
    }
    QVERIFY(written >= 1);
    QVERIFY(fs::exists(folder / "washer-1.json")); // the best one is valid, so decoded

    // The selected candidate's program is in the tree; doubling its first depth recompiles.
    ui::ProgramTree& tree = *window->programTree();
    QVERIFY(tree.hasProgram());
    QTreeWidgetItem* depth = nullptr;
    for (QTreeWidgetItemIterator it(tree.tree()); *it && !depth; ++it)
        if ((*it)->text(0) == "distance") depth = *it;
    QVERIFY(depth);
    depth->setText(1, QString::number(2.0 * depth->text(1).toDouble(), 'g', 10));
    QSignalSpy recompiled(window.get(), &ui::MainWindow::programRecompiled);
    tree.requestRecompile();
    QVERIFY(waitFor(recompiled));
    qInfo("edited candidate: %s", qPrintable(tree.statusText()));
    QVERIFY(recompiled.front().front().toBool());
    QVERIFY(window->shownPart()->path.endsWith("(edited)"));
}

void TestReconstructionWindow::staysResponsiveWhileReconstructing() {
    // Enough work that the worker runs for a while on two cores.
    const std::unique_ptr<ui::MainWindow> window = openWindow(16, 100);
    QVERIFY(window);
    QVERIFY(openCloud(*window));

    QElapsedTimer clock;
    qint64 last = -1, maxGap = 0, ticksWhileRunning = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        // Only gaps that end while the worker still runs: drawing the result afterwards is
        // the GUI thread's own work, not a freeze caused by the worker.
        if (window->isReconstructing()) {
            if (last >= 0) maxGap = std::max(maxGap, now - last);
            ++ticksWhileRunning;
        }
        last = now;
    });
    QSignalSpy done(window.get(), &ui::MainWindow::reconstructed);
    clock.start();
    ticker.start();
    window->reconstruct();
    QVERIFY(window->isReconstructing());
    QVERIFY(waitFor(done, 180000));
    ticker.stop();
    qInfo("worker ran %.2f s; %lld timer ticks meanwhile, longest gap %lld ms",
          double(clock.elapsed()) / 1000.0, ticksWhileRunning, maxGap);
    QVERIFY2(ticksWhileRunning >= 10, "the reconstruction was too short to measure");
    QVERIFY2(maxGap < 100, qPrintable(QString("the event loop stalled %1 ms").arg(maxGap)));
}

void TestReconstructionWindow::cancelsAReconstruction() {
    const std::unique_ptr<ui::MainWindow> window = openWindow(16, 100);
    QVERIFY(window);
    QVERIFY(openCloud(*window));
    QSignalSpy cancelled(window.get(), &ui::MainWindow::reconstructionCancelled);
    QSignalSpy done(window.get(), &ui::MainWindow::reconstructed);
    window->reconstruct();
    window->cancelReconstruction();
    QVERIFY(waitFor(cancelled));
    QVERIFY(done.isEmpty());
    QVERIFY(window->errorText().isEmpty());
    QCOMPARE(window->reconstructionPage()->candidates()->count(), 0);
    // The window still reconstructs afterwards.
    window->setReconstructionSettings([&] {
        ui::ReconstructionSettings s = window->reconstructionSettings();
        s.candidates = 2;
        s.steps = 5;
        return s;
    }());
    window->reconstruct();
    QVERIFY(waitFor(done, 120000));
    QCOMPARE(window->reconstructionPage()->candidates()->count(), 2);
}

void TestReconstructionWindow::samplesUnconditionally() {
    const std::unique_ptr<ui::MainWindow> window = openWindow(3);
    QVERIFY(window);
    QSignalSpy done(window.get(), &ui::MainWindow::reconstructed);
    window->generateSamples();
    QVERIFY(waitFor(done, 120000));
    QCOMPARE(done.front().front().toInt(), 3);
    QCOMPARE(window->reconstructionPage()->candidates()->count(), 3);
}

void TestReconstructionWindow::aBrokenModelDisablesReconstructionWithItsReason() {
    ui::MainWindow window;
    window.show();
    const fs::path broken = fs::path(m_dir->path().toStdString()) / "broken-model";
    fs::create_directories(broken / "codebook");
    std::ofstream(broken / "codebook" / "model.json") << "{ not json";
    QSignalSpy unavailable(&window, &ui::MainWindow::modelUnavailable);
    ui::ReconstructionSettings settings;
    settings.modelFolder = QString::fromStdString(broken.string());
    window.setReconstructionSettings(settings);
    QVERIFY(waitFor(unavailable));
    qInfo("model status: %s", qPrintable(window.modelStatus()));
    QVERIFY(window.modelStatus().startsWith("Reconstruction disabled: "));
    QVERIFY(unavailable.front().front().toString().contains("broken-model"));
    QVERIFY(!window.modelReady());

    // Reconstructing says why instead of doing nothing; opening parts still works.
    QVERIFY(openCloud(window));
    QSignalSpy failed(&window, &ui::MainWindow::errorShown);
    window.reconstruct();
    QVERIFY(waitFor(failed));
    QVERIFY2(window.errorText().contains("broken-model"), qPrintable(window.errorText()));
    QVERIFY(window.isVisible());
}

/// Training tab, a refinement run, "Use in the app": the window reconstructs with a copy of its
/// model whose refine stage is the run's; a codebook run is refused with the reason.
void TestReconstructionWindow::usesAFinishedTrainingRunInTheApp() {
    auto window = openWindow(2);
    QVERIFY(window);
    const fs::path root = m_dir->path().toStdString();
    ui::TrainerPanel* trainer = window->trainerPanel();
    auto* use = trainer->findChild<QPushButton*>("trainerUseModel");
    QVERIFY(use);
    trainer->selectStage("refine");
    const std::map<QString, QString> values{
        {"--data", QString::fromStdString((root / "washers").string())},
        {"--out", QString::fromStdString((root / "refine-run").string())},
        {"--steps", "3"},
        {"--batch", "4"},
        {"--points", "64"},
        {"--warmup", "1"},
        {"--width", "16"},
        {"--global-width", "32"},
        {"--neighbours", "8"}};
    for (const auto& [flag, value] : values)
        trainer->setOption(flag, value);
    QVERIFY(!use->isEnabled()); // nothing trained yet
    QSignalSpy finished(trainer, &ui::TrainerPanel::finished);
    QVERIFY2(trainer->start(), qPrintable(trainer->statusText()));
    QVERIFY2(waitFor(finished, 120000), qPrintable(trainer->statusText()));
    QVERIFY(use->isEnabled());

    QSignalSpy loaded(window.get(), &ui::MainWindow::modelLoaded);
    QTest::mouseClick(use, Qt::LeftButton);
    QVERIFY2(waitFor(loaded), stateOf(*window));
    const fs::path composed = loaded.back().front().toString().toStdString();
    QCOMPARE(window->reconstructionSettings().modelFolder,
             QString::fromStdString(composed.string()));
    const auto bytes = [](const fs::path& file) {
        std::ifstream in(file, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    QVERIFY(bytes(composed / "refine" / "refine.pt") == bytes(root / "refine-run" / "refine.pt"));
    QVERIFY(bytes(composed / "diffusion" / "denoiser.pt") ==
            bytes(m_model / "diffusion" / "denoiser.pt"));
    QVERIFY(!fs::exists(composed / "refine" / "checkpoint.pt"));
    QVERIFY(reconstructCloud(*window)); // and it reconstructs with it

    trainer->selectStage("codebook");
    trainer->setOption("--out", QString::fromStdString((m_model / "codebook").string()));
    QVERIFY(use->isEnabled());
    QTest::mouseClick(use, Qt::LeftButton);
    QVERIFY2(window->errorText().contains("does not fit the app's denoiser"), stateOf(*window));
    QCOMPARE(window->reconstructionSettings().modelFolder,
             QString::fromStdString(composed.string())); // the model in use stays
    fs::remove_all(composed); // under the (test-mode) app data folder, which outlives the test
}

// The settings a user sees: every candidate turned to the input, clouds' candidates fitted (the
// best 2, 120 compiles each), a photo's only when the box is ticked, samples per candidate
// automatic (4 from a cloud, 1 from a photo) unless set, and the choices reach the
// reconstructor's options.
void TestReconstructionWindow::theSettingsDialogTurnsAndFitsAsAsked() {
    ui::ReconstructionSettingsDialog dialog{ui::ReconstructionSettings{}};
    auto* fitPhotos = dialog.findChild<QCheckBox*>("fitPhotos");
    QVERIFY(fitPhotos && !fitPhotos->isChecked());
    const ml::ReconstructionOptions defaults = dialog.settings().options();
    QCOMPARE(defaults.fitCompiles, 120);
    QCOMPARE(defaults.fitCandidates, std::int64_t(2));
    QVERIFY(!defaults.fitPhotos);
    dialog.show();
    QTest::mouseClick(fitPhotos, Qt::LeftButton, {}, QPoint(4, fitPhotos->height() / 2));
    QVERIFY(fitPhotos->isChecked());
    QVERIFY(dialog.settings().options().fitPhotos);
    auto* turn = dialog.findChild<QCheckBox*>("turnCandidates");
    QVERIFY(turn && turn->isChecked() && defaults.turnCandidates);
    QTest::mouseClick(turn, Qt::LeftButton, {}, QPoint(4, turn->height() / 2));
    QVERIFY(!dialog.settings().options().turnCandidates);
    auto* samples = dialog.findChild<QSpinBox*>("samplesPerCandidate");
    QVERIFY(samples && samples->value() == 0 && defaults.samplesPerCandidate == 0);
    QVERIFY(samples->text().startsWith("Automatic"));
    samples->setFocus();
    QTest::keyClick(samples, Qt::Key_Up);
    QTest::keyClick(samples, Qt::Key_Up);
    QCOMPARE(samples->text(), QString("2"));
    QCOMPARE(dialog.settings().options().samplesPerCandidate, std::int64_t(2));
    auto* retrieved = dialog.findChild<QSpinBox*>("retrievedParts");
    QVERIFY(retrieved && retrieved->value() == -1 && defaults.retrievedParts == -1);
    QVERIFY(retrieved->text().startsWith("Automatic"));
    retrieved->setFocus();
    QTest::keyClick(retrieved, Qt::Key_Up);
    QCOMPARE(retrieved->text(), QString("0"));
    QCOMPARE(dialog.settings().options().retrievedParts, std::int64_t(0));
}

// What the reconstructor did to a candidate reads on its card: repaired, turned, fitted, and
// whether it started from a retrieved part.
void TestReconstructionWindow::aCardSaysHowItsCandidateWasMended() {
    auto result = std::make_shared<ui::ReconstructionResult>();
    ml::Candidate candidate;
    candidate.program = cad::generatePart(cad::PartFamily::Spacer, 0).program;
    candidate.shape = cad::compile(candidate.program);
    candidate.report = cad::analyse(candidate.shape);
    candidate.chamfer = 0.02;
    for (const bool turned : {true, false}) {
        candidate.turned = turned;
        candidate.fitted = turned;
        candidate.retrieved = turned;
        result->reconstruction.candidates.push_back(candidate);
        result->meshes.push_back(cad::tessellate(candidate.shape));
    }
    ui::CandidateGrid grid;
    grid.show();
    grid.showCandidates(result);
    QCOMPARE(grid.count(), 2);
    QVERIFY2(grid.caption(0).contains("(turned) (fitted) (retrieved)"),
             qPrintable(grid.caption(0)));
    QVERIFY2(!grid.caption(1).contains("turned") && !grid.caption(1).contains("fitted") &&
                 !grid.caption(1).contains("retrieved"),
             qPrintable(grid.caption(1)));
}

IMG2CAD_REGISTER_TEST(TestReconstructionWindow)
#include "test_reconstruction_window.moc"
