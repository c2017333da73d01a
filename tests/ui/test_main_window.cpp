// SPDX-License-Identifier: MIT
// The real main window under Xvfb: open a STEP file and see the part drawn, open a program and
// a point cloud, export STEP and read it back with the same volume, drop a file onto the
// window, open a corrupt file to see an error while the window stays alive, edit a program in
// the operation tree and recompile it (a good edit reshapes the part, a bad one is refused with
// the faulty item selected), and copy a view's image.

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
#include "ui/program_tree.h"
#include "viewer/vtk_widget.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>

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

/// A 40 x 20 plate, 5 mm thick, with a 4 mm hole in the middle.
cad::Program plateWithHole() {
    using cad::Line;
    cad::Loop outer{{Line{{0, 0}, {40, 0}}, Line{{40, 0}, {40, 20}}, Line{{40, 20}, {0, 20}},
                     Line{{0, 20}, {0, 0}}}};
    cad::Loop hole{{cad::Circle{{20, 10}, 4}}};
    cad::Extrude extrude;
    extrude.profiles = {cad::Profile{{outer, hole}}};
    extrude.extent = {cad::ExtentType::OneSided, 5.0, 0.0};
    return cad::Program{"plate", {extrude}};
}

/// The tree's number item `name` (e.g. "radius") under the item whose text is `parent`.
QTreeWidgetItem* numberItem(ui::ProgramTree& tree, const QString& parent, const QString& name) {
    for (QTreeWidgetItemIterator it(tree.tree()); *it; ++it)
        if ((*it)->text(0) == name && (*it)->parent() && (*it)->parent()->text(0) == parent)
            return *it;
    return nullptr;
}

double shownVolume(const ui::MainWindow& window) {
    return cad::analyse(window.shownPart()->part.shape).volume;
}

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
    void editsTheProgramAndRecompiles();
    void refusesAnEditThatDoesNotCompile();
    void copiesTheViewImage();

private:
    /// Writes plateWithHole() as `name` and opens it in `window` (QVERIFY-fails otherwise).
    void openPlate(ui::MainWindow& window, const char* name);

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

void TestMainWindow::openPlate(ui::MainWindow& window, const char* name) {
    const fs::path path = fs::path(m_dir.path().toStdString()) / name;
    cad::writeProgram(plateWithHole(), path);
    window.show();
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(path.string()));
    QVERIFY(waitFor(shown));
}

void TestMainWindow::editsTheProgramAndRecompiles() {
    ui::MainWindow window;
    openPlate(window, "plate.json");
    if (QTest::currentTestFailed()) return;
    ui::ProgramTree& tree = *window.programTree();
    QVERIFY(tree.hasProgram());
    QVERIFY(!tree.isEdited());
    const double before = shownVolume(window);

    // Typed like a user: the depth from 5 to 10 and the hole's radius from 4 to 6.
    QTreeWidgetItem* depth = numberItem(tree, "Extrude 1", "distance");
    QTreeWidgetItem* radius = numberItem(tree, "Curve 1", "radius");
    QVERIFY(depth && radius);
    QCOMPARE(depth->text(1), QString("5"));
    depth->setText(1, "10");
    radius->setText(1, "6");
    QVERIFY(tree.isEdited());
    // Not a number: refused, said so, and the value shown again is the last good one.
    radius->setText(1, "six");
    QVERIFY2(tree.statusText().contains("not a number"), qPrintable(tree.statusText()));
    QCOMPARE(radius->text(1), QString("6"));

    QSignalSpy recompiled(&window, &ui::MainWindow::programRecompiled);
    tree.requestRecompile();
    QVERIFY(waitFor(recompiled));
    QCOMPARE(recompiled.front().front().toBool(), true);
    const double expected = (800.0 - M_PI * 36.0) * 10.0;
    QVERIFY2(std::abs(shownVolume(window) - expected) < 1e-6 * expected,
             qPrintable(
                 QString("%1 vs %2 (was %3)").arg(shownVolume(window)).arg(expected).arg(before)));
    QVERIFY(!tree.isEdited());
    QVERIFY2(tree.statusText().startsWith("Compiled: valid solid"), qPrintable(tree.statusText()));
    QVERIFY(window.findChild<QPlainTextEdit*>("facts")->toPlainText().contains("volume: "));

    // The edited part is what File > Export writes.
    const fs::path step = fs::path(m_dir.path().toStdString()) / "edited.step";
    QSignalSpy exported(&window, &ui::MainWindow::exported);
    window.exportTo(QString::fromStdString(step.string()));
    QVERIFY2(waitFor(exported), qPrintable(window.errorText()));
    QVERIFY(std::abs(cad::analyse(cad::readStep(step)).volume - expected) < 1e-6 * expected);
}

void TestMainWindow::refusesAnEditThatDoesNotCompile() {
    ui::MainWindow window;
    openPlate(window, "plate2.json");
    if (QTest::currentTestFailed()) return;
    ui::ProgramTree& tree = *window.programTree();
    const double before = shownVolume(window);

    // A hole wider than the plate crosses its boundary.
    numberItem(tree, "Curve 1", "radius")->setText(1, "15");
    QSignalSpy recompiled(&window, &ui::MainWindow::programRecompiled);
    tree.requestRecompile();
    QVERIFY(waitFor(recompiled));
    QCOMPARE(recompiled.front().front().toBool(), false);
    qInfo("refused: %s", qPrintable(tree.statusText()));
    QVERIFY(tree.statusText().startsWith("Does not compile"));
    QVERIFY(window.errorText().contains("does not compile"));
    QVERIFY(tree.tree()->currentItem() != nullptr); // the item at fault is selected: the hole
    QCOMPARE(tree.tree()->currentItem()->text(0), QString("Loop 2"));
    // Nothing lost: the shown part is the last good one, the edit is still there to fix.
    QCOMPARE(shownVolume(window), before);
    QVERIFY(tree.isEdited());
    tree.revert();
    QCOMPARE(numberItem(tree, "Curve 1", "radius")->text(1), QString("4"));
}

void TestMainWindow::copiesTheViewImage() {
    ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy shown(&window, &ui::MainWindow::partShown);
    window.openFile(QString::fromStdString(m_step.string()));
    QVERIFY(waitFor(shown));
    QTest::qWait(200);
    QGuiApplication::clipboard()->clear();
    window.copyViewImage();
    const QImage copied = QGuiApplication::clipboard()->image();
    QVERIFY(!copied.isNull());
    QCOMPARE(copied.size(), window.view()->grabFramebuffer().size());
}

IMG2CAD_REGISTER_TEST(TestMainWindow)
#include "test_main_window.moc"
