// SPDX-License-Identifier: MIT
// The capture-labelling tool, for real: a child process (this test binary again) creates a
// project, adds three photos and a STEP, tags and masks them through the window, and is killed
// without any chance to save; the project then holds everything. Also: undo and redo of tags and
// masks, clear refusals of files that are not projects, photos or CAD, and the export as a
// dataset that `img2cadseq train lift` (and its LoRA fine-tuning) reads.

#include "test_registry.h"
#include "window_test_helpers.h"

#include "cad/compiler.h"
#include "cad/program_json.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ui/labelling/capture_project.h"
#include "ui/labelling/labelling_window.h"
#include "ui/labelling/pose_editor.h"
#include "ui/photo_panel.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <cstdio>
#include <filesystem>

using namespace img2cad;
using test::waitFor;

namespace {

constexpr const char* kChildProject = "IMG2CAD_LABELLING_PROJECT";
constexpr const char* kChildInputs = "IMG2CAD_LABELLING_INPUTS";
const QStringList kViews{"front", "left", "top"};
const ml::PixelRect kPartBox{180, 120, 280, 240}; ///< where the photos' part is, with margin

/// A photo-like picture: a dark part on a light, slightly noisy table.
QImage partPhoto(int seed) {
    QImage image(640, 480, QImage::Format_RGB888);
    image.fill(QColor(225, 222, 215));
    QPainter painter(&image);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(60 + 10 * seed, 64, 70));
    painter.drawRoundedRect(QRect(220, 160, 200, 160), 12, 12);
    painter.end();
    for (int i = 0; i < 4000; ++i) { // sensor noise, so GrabCut sees real colour models
        const int x = (i * 7919 + seed * 31) % 640, y = (i * 104729 + seed) % 480;
        const QColor c = image.pixelColor(x, y);
        image.setPixelColor(x, y, c.lighter(103 + i % 5));
    }
    return image;
}

} // namespace

class TestLabelling : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void survivesAKilledProcess();
    void undoesAndRedoesTagsAndMasks();
    void refusesWhatIsNotAProjectPhotoOrCad();
    void exportsADatasetTheLiftTrainerReads();
    void alignsTheCadsPoseToThePhoto();
    void opensAProjectOfTheFirstFormat();
    void childSession();

private:
    QTemporaryDir m_dir;
    QString m_photos, m_step;
};

void TestLabelling::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_photos = m_dir.filePath("photos");
    QVERIFY(QDir().mkpath(m_photos));
    for (int i = 0; i < 3; ++i)
        QVERIFY(partPhoto(i).save(
            QString("%1/capture-%2.%3").arg(m_photos).arg(i + 1).arg(i == 1 ? "jpg" : "png")));
    m_step = m_dir.filePath("part.step");
    const std::filesystem::path sample =
        std::filesystem::path(IMG2CAD_SOURCE_DIR) / "assets" / "samples" / "flanged_bracket.json";
    cad::writeStep(cad::compile(cad::readProgram(sample)), m_step.toStdString());
}

void TestLabelling::childSession() {
    const QString project = qEnvironmentVariable(kChildProject);
    if (project.isEmpty()) QSKIP("runs only as the child process of survivesAKilledProcess");
    const QString inputs = qEnvironmentVariable(kChildInputs);
    ui::LabellingWindow window;
    window.show();
    QVERIFY(window.newProject(project));
    QCOMPARE(window.addFolder(inputs + "/photos"), 3);
    const auto captures = window.project()->captures();
    QCOMPARE(captures.size(), std::size_t(3));
    for (std::size_t i = 0; i < captures.size(); ++i) {
        window.selectCapture(captures[i].id);
        QVERIFY(window.attachCad(inputs + "/part.step"));
        window.setTags({kViews[int(i)], "resin", "daylight", "table"});
        window.photoPanel()->setHintRect(kPartBox);
        QSignalSpy masked(&window, &ui::LabellingWindow::maskComputed);
        window.computeMask();
        QVERIFY2(waitFor(masked), qPrintable(window.errorText()));
    }
    std::printf("READY\n");
    std::fflush(stdout);
    QTest::qWait(120000); // the parent kills this process long before
}

void TestLabelling::survivesAKilledProcess() {
    const QString project = m_dir.filePath("killed.i2cl");
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(kChildProject, project);
    env.insert(kChildInputs, m_dir.path());
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {"TestLabelling", "childSession"});
    QVERIFY(child.waitForStarted());
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    while (!output.contains("READY") && clock.elapsed() < 120000 &&
           child.state() == QProcess::Running)
        if (child.waitForReadyRead(1000)) output += child.readAllStandardOutput();
    QVERIFY2(output.contains("READY"), output.constData());
    child.kill(); // SIGKILL: no destructor, no close, no save
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);

    const auto reopened = ui::CaptureProject::open(project);
    const auto captures = reopened->captures();
    QCOMPARE(captures.size(), std::size_t(3));
    QFile step(m_step);
    QVERIFY(step.open(QIODevice::ReadOnly));
    const QByteArray stepBytes = step.readAll();
    for (std::size_t i = 0; i < captures.size(); ++i) {
        const ui::CaptureSummary& c = captures[i];
        QCOMPARE(c.name, QString("capture-%1.%2").arg(i + 1).arg(i == 1 ? "jpg" : "png"));
        QCOMPARE(c.tags.view, kViews[int(i)]);
        QCOMPARE(c.tags.material, QString("resin"));
        QCOMPARE(c.tags.lighting, QString("daylight"));
        QCOMPARE(c.tags.background, QString("table"));
        QVERIFY(c.masked && c.cad);
        QCOMPARE(reopened->cad(*c.cad).bytes, stepBytes);
        const QImage photo = reopened->photo(c.id), mask = reopened->mask(c.id);
        QCOMPARE(photo.size(), QSize(640, 480));
        QCOMPARE(mask.size(), photo.size());
        // The part is masked, the table is not (GrabCut's quality is tested in tests/ml).
        QCOMPARE(qGray(mask.pixel(240, 180)), 255);
        QCOMPARE(qGray(mask.pixel(50, 50)), 0);
        QCOMPARE(reopened->maskHints(c.id).rect->width, kPartBox.width);
    }
    // The window shows what is there.
    ui::LabellingWindow window;
    QVERIFY(window.openProject(project));
    QCOMPARE(window.captureList()->count(), 3);
    QVERIFY(window.photoPanel()->hasMask());
}

void TestLabelling::undoesAndRedoesTagsAndMasks() {
    ui::LabellingWindow window;
    window.show();
    QVERIFY(window.newProject(m_dir.filePath("undo.i2cl")));
    QCOMPARE(window.addPhotos({m_photos + "/capture-1.png"}), 1);
    const qint64 id = window.selectedCapture();
    QVERIFY(id >= 0);
    ui::CaptureProject& project = *window.project();

    window.setTags({"top", "nylon", "flash", "hand"});
    QCOMPARE(project.capture(id).tags.view, QString("top"));
    window.undoStack()->undo();
    QCOMPARE(project.capture(id).tags, ui::CaptureTags{});
    window.undoStack()->redo();
    QCOMPARE(project.capture(id).tags.material, QString("nylon"));

    window.photoPanel()->setHintRect(kPartBox);
    QSignalSpy masked(&window, &ui::LabellingWindow::maskComputed);
    window.computeMask();
    QVERIFY(waitFor(masked));
    QVERIFY(project.capture(id).masked);
    window.undoStack()->undo();
    QVERIFY(!project.capture(id).masked);
    QVERIFY(!window.photoPanel()->hasMask());
    window.undoStack()->redo();
    QVERIFY(project.capture(id).masked);
    QVERIFY(window.photoPanel()->hasMask());
}

void TestLabelling::refusesWhatIsNotAProjectPhotoOrCad() {
    // Not a project: a text file, and an SQLite file of someone else's.
    const QString text = m_dir.filePath("notes.i2cl");
    QFile notes(text);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("shopping list\n");
    notes.close();
    QVERIFY_THROWS_EXCEPTION(ui::ProjectError, ui::CaptureProject::open(text));
    const QString other = m_dir.filePath("other.sqlite");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "other");
        db.setDatabaseName(other);
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec("CREATE TABLE t (x INTEGER)"));
        db.close();
    }
    QSqlDatabase::removeDatabase("other");
    try {
        ui::CaptureProject::open(other);
        QFAIL("opened a foreign SQLite file");
    } catch (const ui::ProjectError& e) {
        QVERIFY2(QString(e.what()).contains("not a capture project"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ui::ProjectError, ui::CaptureProject::create(text)); // exists

    ui::LabellingWindow window;
    QVERIFY(!window.openProject(text));
    QVERIFY(window.errorText().contains("notes.i2cl"));
    QVERIFY(window.newProject(m_dir.filePath("refusals.i2cl")));
    // Not a photo, not CAD: reported, nothing added, the project still works.
    QCOMPARE(window.addPhotos({text}), 0);
    QVERIFY(window.errorText().contains("notes.i2cl"));
    QCOMPARE(window.addPhotos({m_photos + "/capture-3.png"}), 1);
    QFile broken(m_dir.filePath("broken.step"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("ISO-10303-21;\nHEADER;\nnot really");
    broken.close();
    QVERIFY(!window.attachCad(broken.fileName()));
    QVERIFY(window.errorText().contains("broken.step"));
    QVERIFY(!window.project()->capture(window.selectedCapture()).cad);
}

void TestLabelling::exportsADatasetTheLiftTrainerReads() {
    ui::LabellingWindow window;
    window.show();
    QVERIFY(window.newProject(m_dir.filePath("export.i2cl")));
    QCOMPARE(window.addFolder(m_photos), 3);
    for (const ui::CaptureSummary& c : window.project()->captures()) {
        window.selectCapture(c.id);
        QVERIFY(window.attachCad(m_step));
        window.photoPanel()->setHintRect(kPartBox);
        QSignalSpy masked(&window, &ui::LabellingWindow::maskComputed);
        window.computeMask();
        QVERIFY(waitFor(masked));
    }
    QVERIFY(window.addPhotos({m_photos + "/capture-1.png"}) == 1); // no mask, no CAD: left out

    const QString folder = m_dir.filePath("captures-dataset");
    QSignalSpy exported(&window, &ui::LabellingWindow::exported);
    window.exportDataset(folder);
    QVERIFY2(waitFor(exported), qPrintable(window.errorText()));
    QCOMPARE(exported.front().at(1).toInt(), 3);
    const ml::DatasetManifest manifest = ml::readManifest(folder.toStdString());
    QCOMPARE(manifest.settings.kind, ml::DatasetKind::Captures);
    QVERIFY(manifest.complete);
    QCOMPARE(manifest.counts.samples, std::int64_t(3));
    QCOMPARE(manifest.counts.train, std::int64_t(2)); // one part: its last view is held out
    QCOMPARE(manifest.counts.test, std::int64_t(1));
    QCOMPARE(manifest.counts.failedInputs.size(), std::size_t(1));
    const ml::Sample sample = ml::readShardSample(
        std::filesystem::path(folder.toStdString()) / manifest.shardFileName(0), 0);
    QCOMPARE(sample.views.size(), std::size_t(1));
    QCOMPARE(sample.views[0].color.width, 224);
    QCOMPARE(sample.points.size(), std::size_t(4096));
    for (const cad::Vec3f& p : sample.points.positions) // the normalised frame: longest side 1
        QVERIFY(std::abs(p.x) <= 0.501f && std::abs(p.y) <= 0.501f && std::abs(p.z) <= 0.501f);

    // The lifting trainer reads it: a tiny base, then LoRA adapters on it, a few steps each.
    const auto train = [](const QStringList& arguments) {
        QProcess cli;
        cli.setProcessChannelMode(QProcess::MergedChannels);
        cli.start(IMG2CAD_CLI_PATH, QStringList{"train", "lift"} + arguments);
        const bool done = cli.waitForFinished(300000);
        const QByteArray output = cli.readAll();
        if (!done || cli.exitCode() != 0) qWarning("%s", output.constData());
        return done && cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0;
    };
    const QStringList tiny{"--steps",
                           "2",
                           "--batch",
                           "2",
                           "--width",
                           "32",
                           "--heads",
                           "2",
                           "--layers",
                           "1",
                           "--queries",
                           "16",
                           "--points-per-query",
                           "8",
                           "--warmup",
                           "1"};
    const QString base = m_dir.filePath("lift-base"), lora = m_dir.filePath("lift-lora");
    QVERIFY(train(QStringList{"--data", folder, "--out", base} + tiny));
    QVERIFY(train(QStringList{"--data", folder, "--out", lora, "--lora", "--base", base} + tiny));
}

/// The CAD's pose in a photo: placed on the mask, turned roughly by hand, fitted by silhouette
/// IoU; stored at once (a reopened project has it), exported as the view's camera direction,
/// and cleared when another CAD is attached.
void TestLabelling::alignsTheCadsPoseToThePhoto() {
    // The "photo": the part's silhouette at a known pose, dark on a light table.
    const cad::TriangleMesh mesh = cad::tessellate(cad::readStep(m_step.toStdString()));
    ml::CadPose truth;
    truth.azimuthDeg = 55.0, truth.elevationDeg = 30.0, truth.rollDeg = 0.0;
    truth.scale = 260.0, truth.centerX = 330.0, truth.centerY = 235.0;
    const QImage silhouette = ui::toQImage(ml::renderSilhouette(mesh, truth, 640, 480));
    QImage photo = partPhoto(0);
    for (int y = 0; y < photo.height(); ++y)
        for (int x = 0; x < photo.width(); ++x)
            if (qGray(silhouette.pixel(x, y)) > 0) photo.setPixelColor(x, y, QColor(70, 72, 80));
    const QString photoFile = m_dir.filePath("posed.png");
    QVERIFY(photo.save(photoFile));

    const QString projectFile = m_dir.filePath("pose.i2cl");
    qint64 id = -1;
    ml::CadPose fitted;
    {
        ui::LabellingWindow window;
        window.show();
        QVERIFY(window.newProject(projectFile));
        QCOMPARE(window.addPhotos({photoFile}), 1);
        id = window.selectedCapture();
        ui::PoseEditor* editor = window.poseEditor();
        auto* fit = editor->findChild<QPushButton*>("poseFit");
        QVERIFY(fit && !fit->isEnabled()); // no CAD yet
        QVERIFY(window.attachCad(m_step));
        window.photoPanel()->setHintRect(ml::PixelRect{60, 20, 540, 440});
        QSignalSpy masked(&window, &ui::LabellingWindow::maskComputed);
        window.computeMask();
        QVERIFY2(waitFor(masked), qPrintable(window.errorText()));
        QVERIFY(fit->isEnabled());

        editor->placeOnMask();
        QVERIFY(!window.photoPanel()->outline().isEmpty());
        QVERIFY(window.project()->pose(id));
        ml::CadPose rough = truth;
        rough.azimuthDeg += 15.0, rough.elevationDeg -= 10.0, rough.rollDeg += 8.0;
        rough.scale *= 0.9, rough.centerX -= 15.0;
        editor->setFields(rough);
        const double roughIou = window.project()->pose(id)->iou;
        QCOMPARE(window.project()->pose(id)->pose.azimuthDeg, rough.azimuthDeg);

        QSignalSpy done(editor, &ui::PoseEditor::fitted);
        QTest::mouseClick(fit, Qt::LeftButton);
        QVERIFY(waitFor(done));
        const double iou = done.front().at(1).toDouble();
        qInfo("silhouette IoU %.3f by hand, %.3f fitted", roughIou, iou);
        QVERIFY2(iou > 0.9 && iou > roughIou, qPrintable(QString::number(iou)));
        QVERIFY(editor->findChild<QLabel*>("poseIou")->text().contains("IoU"));
        fitted = window.project()->pose(id)->pose;
        QCOMPARE(window.project()->pose(id)->iou, iou);
    }
    {
        ui::LabellingWindow reopened;
        QVERIFY(reopened.openProject(projectFile));
        const std::optional<ui::CapturePose> kept = reopened.project()->pose(id);
        QVERIFY(kept);
        QCOMPARE(kept->pose.azimuthDeg, fitted.azimuthDeg);
        QCOMPARE(kept->pose.centerY, fitted.centerY);
        QVERIFY(!reopened.photoPanel()->outline().isEmpty()); // drawn again on opening

        const QString folder = m_dir.filePath("posed-dataset");
        QSignalSpy exported(&reopened, &ui::LabellingWindow::exported);
        reopened.exportDataset(folder);
        QVERIFY2(waitFor(exported), qPrintable(reopened.errorText()));
        const ml::DatasetManifest manifest = ml::readManifest(folder.toStdString());
        const ml::Sample sample = ml::readShardSample(
            std::filesystem::path(folder.toStdString()) / manifest.shardFileName(0), 0);
        const ml::CameraParameters& camera = sample.views.at(0).camera;
        const ml::ViewDirection view = ml::viewDirectionOf(fitted);
        cad::Vec3 direction{camera[0] - camera[3], camera[1] - camera[4], camera[2] - camera[5]};
        direction = direction.normalized();
        QVERIFY(std::abs(direction.x - view.towardsCamera[0]) < 1e-9);
        QVERIFY(std::abs(direction.z - view.towardsCamera[2]) < 1e-9);
        QCOMPARE(camera[9], 0.0); // weak perspective

        // Another CAD: the pose was of the old one.
        const QString other = m_dir.filePath("other-part.json");
        const std::filesystem::path sample2 = std::filesystem::path(IMG2CAD_SOURCE_DIR) / "assets" /
                                              "samples" / "pillow_block.truth.json";
        QVERIFY(QFile::copy(QString::fromStdString(sample2.string()), other));
        reopened.selectCapture(id);
        QVERIFY(reopened.attachCad(other));
        QVERIFY(!reopened.project()->pose(id));
        QVERIFY(reopened.photoPanel()->outline().isEmpty());
    }
}

/// A project written before poses existed (format 1) opens, gains the pose column, and keeps
/// its captures.
void TestLabelling::opensAProjectOfTheFirstFormat() {
    const QString file = m_dir.filePath("format1.i2cl");
    qint64 id = -1;
    {
        auto project = ui::CaptureProject::create(file);
        id = project->addPhoto(m_photos + "/capture-1.png");
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "format1");
        db.setDatabaseName(file);
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec("ALTER TABLE captures DROP COLUMN pose"));
        QVERIFY(QSqlQuery(db).exec("UPDATE meta SET value = '1' WHERE key = 'version'"));
        db.close();
    }
    QSqlDatabase::removeDatabase("format1");
    auto project = ui::CaptureProject::open(file);
    QCOMPARE(project->captures().size(), std::size_t(1));
    QVERIFY(!project->pose(id));
    project->setPose(id, ui::CapturePose{ml::CadPose{}, 0.5});
    QCOMPARE(project->pose(id)->iou, 0.5);
}

IMG2CAD_REGISTER_TEST(TestLabelling)
#include "test_labelling.moc"
