// SPDX-License-Identifier: MIT
// The real main window under Xvfb: open a STEP file and see the part drawn, open a program and
// a point cloud, export STEP and read it back with the same volume, drop a file onto the
// window, and open a corrupt file to see an error while the window stays alive.

#include "test_registry.h"
#include "window_test_helpers.h"

#include "cad/compiler.h"
#include "cad/point_cloud_io.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ui/main_window.h"
#include "viewer/vtk_widget.h"

#include <QMimeData>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <filesystem>
#include <fstream>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

const fs::path kSample =
    fs::path(IMG2CAD_SOURCE_DIR) / "assets" / "samples" / "flanged_bracket.json";

using test::changedShare;
using test::waitFor;

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensAStepFileAndDrawsIt();
    void exportsStepThatReadsBackWithTheSameVolume();
    void opensProgramsAndPointClouds();
    void acceptsADroppedFile();
    void showsAnErrorForACorruptFileAndStaysAlive();

private:
    QTemporaryDir m_dir;
    fs::path m_step;
    double m_volume = 0.0;
};

void TestMainWindow::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_step = fs::path(m_dir.path().toStdString()) / "bracket.step";
    const cad::Shape shape = cad::compile(cad::readProgram(kSample));
    cad::writeStep(shape, m_step);
    m_volume = cad::analyse(shape).volume;
}

void TestMainWindow::opensAStepFileAndDrawsIt() {
    ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::qWait(200);
    const QImage empty = window.view()->grabFramebuffer();
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(m_step.string()));
    QVERIFY(waitFor(shown));
    QTest::qWait(300);
    const QImage drawn = window.view()->grabFramebuffer();
    const double share = changedShare(drawn, empty);
    if (qEnvironmentVariableIsSet("IMG2CAD_SCREENSHOT_DIR"))
        drawn.save(qEnvironmentVariable("IMG2CAD_SCREENSHOT_DIR") + "/part_view.png");
    qInfo("the part covers %.1f%% of the view", 100.0 * share);
    QVERIFY2(share > 0.05, qPrintable(QString("only %1% of the view changed").arg(100 * share)));
    QVERIFY(window.errorText().isEmpty());
    const QString facts = window.findChild<QPlainTextEdit*>("facts")->toPlainText();
    QVERIFY2(facts.contains("valid solid: yes"), qPrintable(facts));
    QVERIFY(window.windowTitle().startsWith("bracket.step"));
}

void TestMainWindow::exportsStepThatReadsBackWithTheSameVolume() {
    ui::MainWindow window;
    window.show();
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(m_step.string()));
    QVERIFY(waitFor(shown));
    for (const char* name : {"exported.step", "exported.stl"}) {
        const fs::path out = fs::path(m_dir.path().toStdString()) / name;
        QSignalSpy exported(&window, &ui::MainWindow::exported);
        window.exportTo(QString::fromStdString(out.string()));
        QVERIFY2(waitFor(exported), qPrintable(window.errorText()));
        QVERIFY(fs::file_size(out) > 1000);
    }
    const double volume =
        cad::analyse(cad::readStep(fs::path(m_dir.path().toStdString()) / "exported.step")).volume;
    QVERIFY2(std::abs(volume - m_volume) <= 1e-6 * m_volume,
             qPrintable(QString("%1 vs %2").arg(volume).arg(m_volume)));
    // A format the part cannot become: an error in the banner, nothing written.
    const fs::path bad = fs::path(m_dir.path().toStdString()) / "exported.docx";
    QSignalSpy failed(&window, &ui::MainWindow::errorShown);
    window.exportTo(QString::fromStdString(bad.string()));
    QVERIFY(waitFor(failed));
    QVERIFY(!fs::exists(bad));
    QVERIFY(window.errorText().contains("Export failed"));
}

void TestMainWindow::opensProgramsAndPointClouds() {
    ui::MainWindow window;
    window.show();
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(kSample.string()));
    QVERIFY(waitFor(shown));
    QVERIFY(window.shownPart()->part.program.has_value());
    QVERIFY(window.findChild<QPlainTextEdit*>("facts")->toPlainText().contains("extrudes: "));

    const fs::path cloud = fs::path(m_dir.path().toStdString()) / "cloud.xyz";
    cad::writePointCloud(cad::samplePoints(cad::tessellate(cad::readStep(m_step)), 2000), cloud);
    shown.clear();
    window.openFile(QString::fromStdString(cloud.string()));
    QVERIFY(waitFor(shown));
    QVERIFY(window.shownPart()->part.cloud.has_value());
    QVERIFY(window.findChild<QPlainTextEdit*>("facts")->toPlainText().contains("points: 2000"));
}

void TestMainWindow::acceptsADroppedFile() {
    ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(m_step.string()))});
    const QPoint centre = window.rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QVERIFY(waitFor(shown));
}

void TestMainWindow::showsAnErrorForACorruptFileAndStaysAlive() {
    ui::MainWindow window;
    window.show();
    const fs::path corrupt = fs::path(m_dir.path().toStdString()) / "corrupt.step";
    std::ofstream(corrupt) << "ISO-10303-21;\nHEADER;\nthis is not a STEP file";
    QSignalSpy failed(&window, &ui::MainWindow::errorShown);
    window.openFile(QString::fromStdString(corrupt.string()));
    QVERIFY(waitFor(failed));
    qInfo("error shown: %s", qPrintable(window.errorText()));
    QVERIFY(window.errorText().contains("corrupt.step"));
    QVERIFY(window.isVisible());
    QVERIFY(window.shownPart() == nullptr);
    // The window still works: the next file opens and the error goes away.
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(m_step.string()));
    QVERIFY(waitFor(shown));
    QVERIFY(window.errorText().isEmpty());
}

IMG2CAD_REGISTER_TEST(TestMainWindow)
#include "test_main_window.moc"
