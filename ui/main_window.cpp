// SPDX-License-Identifier: MIT
#include "ui/main_window.h"

#include "cad/compiler.h"
#include "cad/program.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/reconstruct/model_composition.h"
#include "ml/vision/photo_io.h"
#include "ui/candidate_grid.h"
#include "ui/labelling/labelling_window.h"
#include "ui/photo_panel.h"
#include "ui/program_tree.h"
#include "ui/reconstruction_page.h"
#include "ui/training/trainer_panel.h"
#include "viewer/part_scene.h"
#include "viewer/vtk_widget.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace img2cad::ui {
namespace {

constexpr int kMaxRecentFiles = 8;
constexpr std::size_t kReconstructionPoints = 4096; ///< sampled from meshes and solids

QString describeBox(const cad::BoundingBox& box) {
    if (box.isEmpty()) return "empty";
    const cad::Vec3 size = box.size();
    return QString("%1 x %2 x %3 mm")
        .arg(size.x, 0, 'f', 2)
        .arg(size.y, 0, 'f', 2)
        .arg(size.z, 0, 'f', 2);
}

/// Fills the view's mesh, the facts and the reconstruction cloud of a part read or compiled;
/// returns the shape's report when it has a shape.
std::optional<cad::ShapeReport> describePart(OpenedPart& opened) {
    const cad::PartFile& part = opened.part;
    QStringList facts{QString("file: %1").arg(QFileInfo(opened.path).fileName()),
                      QString("kind: %1").arg(cad::fileKindName(part.kind))};
    if (part.program) {
        facts << QString("extrudes: %1").arg(part.program->extrudes.size())
              << QString("curves: %1").arg(cad::curveCount(*part.program));
    }
    std::optional<cad::ShapeReport> shapeReport;
    if (!part.shape.isNull()) {
        opened.mesh = cad::tessellate(part.shape);
        const cad::ShapeReport& report = shapeReport.emplace(cad::analyse(part.shape));
        facts << QString("valid solid: %1").arg(report.valid ? "yes" : "no")
              << QString("solids: %1, faces: %2, edges: %3")
                     .arg(report.solids)
                     .arg(report.faces)
                     .arg(report.edges)
              << QString("volume: %1 mm^3").arg(report.volume, 0, 'f', 2)
              << QString("size: %1").arg(describeBox(report.bbox))
              << QString("hanging faces: %1%").arg(100.0 * report.hangingFaceRatio, 0, 'f', 1);
    } else if (part.mesh) {
        opened.mesh = *part.mesh;
        facts << QString("triangles: %1").arg(part.mesh->triangles.size())
              << QString("size: %1").arg(describeBox(part.mesh->bounds()));
    } else if (part.cloud) {
        facts << QString("points: %1").arg(part.cloud->size())
              << QString("size: %1").arg(describeBox(part.cloud->bounds()));
    }
    opened.facts = facts.join('\n');
    if (part.cloud)
        opened.cloud = part.cloud;
    else if (!opened.mesh.empty())
        opened.cloud = cad::samplePoints(opened.mesh, kReconstructionPoints);
    return shapeReport;
}

/// Reads, compiles and tessellates on a worker thread; errors become the message to show.
std::shared_ptr<OpenedPart> loadPart(const QString& path) {
    auto opened = std::make_shared<OpenedPart>();
    opened->path = path;
    if (ml::isPhotoExtension(path.toStdString())) {
        // As the models will read it: upright and size-bounded, so the hint rectangle drawn
        // on it is in the Reconstructor's pixel coordinates.
        opened->photo = toQImage(ml::readPhoto(path.toStdString()));
        opened->facts = QString("file: %1\nkind: photo\nsize: %2 x %3 px")
                            .arg(QFileInfo(path).fileName())
                            .arg(opened->photo.width())
                            .arg(opened->photo.height());
        return opened;
    }
    opened->part = cad::readPartFile(path.toStdString());
    describePart(*opened);
    return opened;
}

/// The edited program as a part named after `shownPath`, or why it does not compile.
RecompileOutcome compileEdited(const cad::Program& program, const QString& shownPath) {
    RecompileOutcome outcome;
    try {
        auto edited = std::make_shared<OpenedPart>();
        edited->path = shownPath.endsWith(" (edited)") ? shownPath : shownPath + " (edited)";
        edited->part.kind = cad::FileKind::Program;
        edited->part.name = program.name;
        edited->part.program = program;
        edited->part.shape = cad::compile(program);
        const cad::ShapeReport report = *describePart(*edited);
        outcome.summary = QString("%1 solid, %2 faces, %3 mm^3")
                              .arg(report.valid ? "valid" : "INVALID")
                              .arg(report.faces)
                              .arg(report.volume, 0, 'f', 2);
        outcome.part = std::move(edited);
    } catch (const cad::Error& e) {
        outcome.error = QString::fromStdString(e.reason());
        outcome.where = e.where();
        if (e.where().isSet())
            outcome.error += QString(" (%1)").arg(QString::fromStdString(e.where().describe()));
    } catch (const std::exception& e) {
        outcome.error = e.what();
    }
    return outcome;
}

/// A candidate as a part file: its program (when its tokens decoded) and its solid (when it
/// compiled), what File > Export and Export all candidates write.
cad::PartFile candidatePart(const ml::Candidate& c, const std::string& name) {
    cad::PartFile part;
    part.kind = cad::FileKind::Program;
    part.name = name;
    if (c.decoded) part.program = c.program;
    part.shape = c.shape;
    return part;
}

/// The facts panel's text for a candidate.
QString candidateFacts(const ReconstructionResult& result, int index) {
    const ml::Candidate& c = result.reconstruction.candidates[std::size_t(index)];
    QStringList facts{
        QString("candidate %1 of %2").arg(index + 1).arg(result.reconstruction.candidates.size())};
    if (!result.input.isEmpty()) facts << "from: " + QFileInfo(result.input).fileName();
    if (c.decoded)
        facts << QString("extrudes: %1").arg(c.program.extrudes.size())
              << QString("curves: %1").arg(cad::curveCount(c.program));
    if (!c.valid()) {
        facts << "valid solid: no"
              << "why: " + QString::fromStdString(c.error);
        return facts.join('\n');
    }
    facts << "valid solid: yes";
    if (c.chamfer >= 0.0) facts << QString("Chamfer distance: %1").arg(c.chamfer, 0, 'g', 4);
    facts << QString("solids: %1, faces: %2, edges: %3")
                 .arg(c.report.solids)
                 .arg(c.report.faces)
                 .arg(c.report.edges)
          << QString("volume: %1 mm^3").arg(c.report.volume, 0, 'f', 2)
          << QString("size: %1").arg(describeBox(c.report.bbox))
          << QString("hanging faces: %1%").arg(100.0 * c.report.hangingFaceRatio, 0, 'f', 1);
    return facts.join('\n');
}

QStringList localFiles(const QMimeData* mime) {
    QStringList files;
    if (mime)
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile()) files << url.toLocalFile();
    return files;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("Img2CADSeq Studio");
    setAcceptDrops(true);
    resize(1200, 780);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_errorBanner = new QLabel(central);
    m_errorBanner->setObjectName("errorBanner");
    m_errorBanner->setWordWrap(true);
    m_errorBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorBanner->setStyleSheet("background: #f8d7da; color: #58151c; padding: 8px;");
    m_errorBanner->hide();
    layout->addWidget(m_errorBanner);

    auto* splitter = new QSplitter(Qt::Horizontal, central);
    auto* side = new QSplitter(Qt::Vertical, splitter);
    m_facts = new QPlainTextEdit(side);
    m_facts->setObjectName("facts");
    m_facts->setReadOnly(true);
    m_facts->setPlaceholderText("Open or drop a photo of a part (JPEG, PNG) to get CAD "
                                "candidates, or a part: program JSON, DeepCAD / Fusion 360 "
                                "JSON, STEP, BREP, STL, OBJ, PLY, XYZ ...");
    m_programTree = new ProgramTree(side);
    side->addWidget(m_facts);
    side->addWidget(m_programTree);
    side->setSizes({260, 520});
    connect(m_programTree, &ProgramTree::recompileRequested, this, &MainWindow::recompileProgram);
    m_tabs = new QTabWidget(splitter);
    m_tabs->setObjectName("workspaceTabs");
    m_view = new viewer::VtkWidget(m_tabs);
    m_view->setObjectName("partView");
    m_page = new ReconstructionPage(m_tabs);
    m_trainer = new TrainerPanel(m_tabs);
    m_tabs->addTab(m_view, "Part");
    m_tabs->addTab(m_page, "Reconstruction");
    m_tabs->addTab(m_trainer, "Training");
    connect(m_trainer, &TrainerPanel::useModelRequested, this, &MainWindow::useTrainedModel);
    splitter->addWidget(side);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({320, 880});
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName("reconstructionProgress");
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(260);
    m_progress->hide();
    m_cancel = new QPushButton("Cancel", this);
    m_cancel->setObjectName("cancelReconstruction");
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelReconstruction);
    m_modelStatus = new QLabel(this);
    m_modelStatus->setObjectName("modelStatus");
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    statusBar()->addPermanentWidget(m_modelStatus);

    buildMenus();
    statusBar()->showMessage("Ready");

    connect(&m_runner, &ReconstructionRunner::modelReady, this, [this](const QString& folder) {
        setModelStatus("Model: " + folder, true);
        Q_EMIT modelLoaded(folder);
        if (std::exchange(m_reconstructWhenReady, false)) reconstruct();
    });
    connect(&m_runner, &ReconstructionRunner::modelFailed, this, [this](const QString& reason) {
        m_reconstructWhenReady = false;
        setModelStatus("Reconstruction disabled: " + reason, false);
        Q_EMIT modelUnavailable(reason);
    });
    connect(&m_runner, &ReconstructionRunner::progress, this, &MainWindow::onProgress);
    connect(&m_runner, &ReconstructionRunner::finished, this, &MainWindow::onReconstructed);
    connect(&m_runner, &ReconstructionRunner::failed, this, [this](const QString& message) {
        onReconstructionEnded();
        showError(message);
    });
    connect(&m_runner, &ReconstructionRunner::cancelled, this, [this] {
        onReconstructionEnded();
        statusBar()->showMessage("Reconstruction cancelled", 5000);
        Q_EMIT reconstructionCancelled();
    });
    connect(m_page->candidates(), &CandidateGrid::selectionChanged, this,
            &MainWindow::selectCandidate);
    m_settings = ReconstructionSettings::load();
    loadModel();

    connect(&m_opening, &QFutureWatcher<std::shared_ptr<OpenedPart>>::finished, this, [this] {
        const std::shared_ptr<OpenedPart> opened = m_opening.result();
        if (opened->error.isEmpty())
            showPart(opened);
        else
            showError(opened->error);
    });
    connect(&m_recompiling, &QFutureWatcher<RecompileOutcome>::finished, this, [this] {
        const RecompileOutcome outcome = m_recompiling.result();
        if (!outcome.part) {
            m_programTree->showCompileError(outcome.error, outcome.where);
            showError("The edited program does not compile: " + outcome.error);
            Q_EMIT programRecompiled(false);
            return;
        }
        // The edit replaces the shown part (what File > Export writes); the previous part is
        // one Revert + Recompile away.
        clearError();
        m_shown = outcome.part;
        m_facts->setPlainText(m_shown->facts);
        m_exportAction->setEnabled(true);
        redrawSolid();
        m_tabs->setCurrentWidget(m_view);
        m_programTree->showCompiled(outcome.summary);
        Q_EMIT programRecompiled(true);
    });
    connect(&m_exporting, &QFutureWatcher<QString>::finished, this, [this] {
        const QString error = m_exporting.result();
        if (!error.isEmpty()) {
            showError(error);
            return;
        }
        statusBar()->showMessage("Exported " + m_exportPath, 5000);
        Q_EMIT exported(m_exportPath);
    });
}

MainWindow::~MainWindow() {
    m_opening.waitForFinished();
    m_recompiling.waitForFinished();
    m_exporting.waitForFinished();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu("&File");
    file->addAction("&Open...", QKeySequence::Open, this, &MainWindow::chooseAndOpen);
    m_recentMenu = file->addMenu("Open &Recent");
    m_exportAction =
        file->addAction("&Export...", QKeySequence("Ctrl+E"), this, &MainWindow::chooseAndExport);
    m_exportAction->setEnabled(false);
    m_exportCandidatesAction =
        file->addAction("Export &all candidates...", this, &MainWindow::chooseAndExportCandidates);
    m_exportCandidatesAction->setEnabled(false);
    file->addSeparator();
    file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu("&Edit");
    edit->addAction("&Copy view image", QKeySequence("Ctrl+Shift+C"), this,
                    &MainWindow::copyViewImage);

    QMenu* view = menuBar()->addMenu("&View");
    view->addAction("&Fit", QKeySequence("F"), m_view, &viewer::VtkWidget::fitView);
    m_primitiveColours = view->addAction("Colour faces by &primitive type");
    m_primitiveColours->setCheckable(true);
    connect(m_primitiveColours, &QAction::toggled, this, &MainWindow::redrawSolid);
    buildReconstructMenu();
    QMenu* tools = menuBar()->addMenu("&Tools");
    tools->addAction("&Label captures...", this, &MainWindow::showLabelling);
    refreshRecentMenu();
}

void MainWindow::buildReconstructMenu() {
    QMenu* menu = menuBar()->addMenu("&Reconstruct");
    m_reconstructAction =
        menu->addAction("&Reconstruct", QKeySequence("Ctrl+R"), this, &MainWindow::reconstruct);
    m_reconstructAction->setToolTip("CAD candidates for the opened photo, point cloud or part");
    m_generateAction = menu->addAction("&Unconditional samples", QKeySequence("Ctrl+U"), this,
                                       &MainWindow::generateSamples);
    menu->addAction("&Cancel", QKeySequence(Qt::Key_Escape), this,
                    &MainWindow::cancelReconstruction);
    menu->addSeparator();
    menu->addAction("&Settings...", this, &MainWindow::editSettings);
    menu->addAction("Re&load the model", this, &MainWindow::loadModel);
    m_reconstructAction->setEnabled(false);
    m_generateAction->setEnabled(false);
}

bool MainWindow::isBusy() const {
    return m_opening.isRunning() || m_exporting.isRunning() || m_runner.isBusy();
}

QString MainWindow::modelStatus() const {
    return m_modelStatus->text();
}

void MainWindow::loadModel() {
    setModelStatus("Loading the model ...", false);
    m_runner.loadModel(m_settings.effectiveModelFolder(), m_settings.device);
}

void MainWindow::setModelStatus(const QString& text, bool ready) {
    m_modelStatus->setText(text.size() > 90 ? text.left(87) + "..." : text);
    m_modelStatus->setToolTip(text);
    m_reconstructAction->setEnabled(ready);
    m_generateAction->setEnabled(ready);
}

void MainWindow::setReconstructionSettings(const ReconstructionSettings& settings) {
    const bool reload = settings.effectiveModelFolder() != m_settings.effectiveModelFolder() ||
                        settings.device != m_settings.device || !m_runner.hasModel();
    m_settings = settings;
    m_settings.save();
    if (reload) loadModel();
}

void MainWindow::useTrainedModel(const QString& runFolder) {
    if (qEnvironmentVariableIsSet("IMG2CAD_MODEL")) {
        showError("The model is fixed by the environment variable IMG2CAD_MODEL; unset it to use "
                  "a trained model in the app.");
        return;
    }
    const QString models =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/models";
    const QString folder = QString("%1/%2-%3")
                               .arg(models, QFileInfo(runFolder).fileName(),
                                    QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss"));
    try {
        std::filesystem::create_directories(models.toStdString());
        ml::composeModel(m_settings.effectiveModelFolder().toStdString(), runFolder.toStdString(),
                         folder.toStdString());
    } catch (const std::exception& error) {
        showError("Cannot use the run's model: " + QString::fromStdString(error.what()));
        return;
    }
    ReconstructionSettings settings = m_settings;
    settings.modelFolder = folder;
    setReconstructionSettings(settings);
    m_tabs->setCurrentWidget(m_page);
}

void MainWindow::showLabelling() {
    if (!m_labelling) {
        m_labelling = new LabellingWindow(this);
        m_labelling->setWindowFlag(Qt::Window); // its own window, closed with ours
    }
    m_labelling->show();
    m_labelling->raise();
    m_labelling->activateWindow();
}

void MainWindow::editSettings() {
    ReconstructionSettingsDialog dialog(m_settings, this);
    if (dialog.exec() == QDialog::Accepted) setReconstructionSettings(dialog.settings());
}

void MainWindow::reconstruct() {
    if (!m_input) {
        showError("Nothing to reconstruct: open or drop a photo, point cloud, mesh or part first.");
        return;
    }
    ReconstructionInput input;
    input.name = m_input->path;
    ml::ReconstructionOptions options = m_settings.options();
    if (m_input->isPhoto()) {
        input.photo = m_input->path;
        options.photoHints = m_page->photo()->hints();
    } else if (m_input->cloud) {
        input.cloud = m_input->cloud;
    } else {
        showError("This part has no surface to sample points from.");
        return;
    }
    clearError();
    if (!m_runner.reconstruct(input, options)) return;
    m_page->clearResults();
    m_tabs->setCurrentWidget(m_page);
    onProgress("preprocess", 0.0);
}

void MainWindow::generateSamples() {
    clearError();
    if (!m_runner.generate(m_settings.candidates, m_settings.options())) return;
    m_page->clearResults();
    m_tabs->setCurrentWidget(m_page);
    onProgress("diffuse", 0.0);
}

void MainWindow::cancelReconstruction() {
    if (m_runner.isBusy()) {
        m_runner.cancel();
        statusBar()->showMessage("Cancelling ...");
    }
}

void MainWindow::onProgress(const QString& stage, double share) {
    m_progress->show();
    m_cancel->show();
    m_reconstructAction->setEnabled(false);
    m_generateAction->setEnabled(false);
    m_progress->setValue(int(100.0 * share));
    m_progress->setFormat(stage + " %p%");
    statusBar()->showMessage("Reconstructing: " + stage + " ...");
}

void MainWindow::onReconstructionEnded() {
    m_progress->hide();
    m_cancel->hide();
    const bool ready = m_runner.hasModel();
    m_reconstructAction->setEnabled(ready);
    m_generateAction->setEnabled(ready);
}

void MainWindow::onReconstructed(std::shared_ptr<const ReconstructionResult> result) {
    onReconstructionEnded();
    m_result = result;
    m_exportCandidatesAction->setEnabled(!result->reconstruction.candidates.empty());
    m_page->showResult(result);
    const auto& candidates = result->reconstruction.candidates;
    statusBar()->showMessage(
        QString("%1 candidates in %2 s").arg(candidates.size()).arg(result->seconds, 0, 'f', 1),
        8000);
    // Valid candidates come first, best first: select the best one, ready to export.
    if (!candidates.empty() && candidates.front().valid()) m_page->candidates()->select(0);
    Q_EMIT reconstructed(int(candidates.size()));
}

void MainWindow::selectCandidate(int index) {
    if (!m_result || index < 0 || index >= int(m_result->reconstruction.candidates.size())) return;
    const ml::Candidate& c = m_result->reconstruction.candidates[std::size_t(index)];
    auto part = std::make_shared<OpenedPart>();
    const QString stem =
        m_result->input.isEmpty() ? "sample" : QFileInfo(m_result->input).completeBaseName();
    part->path = QString("%1-candidate-%2").arg(stem).arg(index + 1);
    part->part = candidatePart(c, part->path.toStdString());
    part->mesh = m_result->meshes[std::size_t(index)];
    part->facts = candidateFacts(*m_result, index);
    m_shown = std::move(part);
    m_facts->setPlainText(m_shown->facts);
    showProgramOf(*m_shown);
    m_exportAction->setEnabled(c.decoded);
    if (!m_shown->mesh.empty())
        redrawSolid();
    else
        viewer::clearScene(*m_view);
}

QString MainWindow::errorText() const {
    return m_errorBanner->isVisible() ? m_errorBanner->text() : QString();
}

void MainWindow::openFile(const QString& path) {
    if (m_opening.isRunning()) {
        showError("Still opening the previous file; try again in a moment.");
        return;
    }
    clearError();
    statusBar()->showMessage("Opening " + path + " ...");
    m_opening.setFuture(QtConcurrent::run([path] {
        try {
            return loadPart(path);
        } catch (const std::exception& e) {
            auto failed = std::make_shared<OpenedPart>();
            failed->error = QString("Cannot open %1: %2").arg(path, e.what());
            return failed;
        }
    }));
}

void MainWindow::exportTo(const QString& path) {
    if (!m_shown) {
        showError("Nothing to export: open a part first.");
        return;
    }
    const std::shared_ptr<OpenedPart> part = m_shown;
    startExport(path, [part, path]() -> QString {
        try {
            cad::writePartFile(part->part, path.toStdString());
            return {};
        } catch (const std::exception& e) {
            return QString("Export failed: %1").arg(e.what());
        }
    });
}

void MainWindow::exportCandidates(const QString& path) {
    if (!m_result || m_result->reconstruction.candidates.empty()) {
        showError("Nothing to export: no candidates yet.");
        return;
    }
    const QFileInfo target(path);
    const QString pattern =
        target.dir().filePath(target.completeBaseName() + "-%1." + target.suffix());
    const std::shared_ptr<const ReconstructionResult> result = m_result;
    const bool asProgram = target.suffix().compare("json", Qt::CaseInsensitive) == 0;
    startExport(target.dir().filePath(target.completeBaseName() + "-*." + target.suffix()),
                [result, pattern, asProgram]() -> QString {
                    QStringList failures;
                    int written = 0;
                    const auto& candidates = result->reconstruction.candidates;
                    for (std::size_t i = 0; i < candidates.size(); ++i) {
                        const ml::Candidate& c = candidates[i];
                        // Nothing to write, or no solid for a shape format: skipped.
                        if (!c.decoded || (c.shape.isNull() && !asProgram)) continue;
                        const cad::PartFile part =
                            candidatePart(c, "candidate-" + std::to_string(i + 1));
                        try {
                            cad::writePartFile(part, pattern.arg(i + 1).toStdString());
                            ++written;
                        } catch (const std::exception& e) {
                            failures << QString("candidate %1: %2").arg(i + 1).arg(e.what());
                        }
                    }
                    if (written == 0)
                        return "Export failed: no candidate can be written in this format" +
                               (failures.isEmpty() ? QString() : " (" + failures.front() + ")");
                    if (!failures.isEmpty())
                        return QString("Exported %1 candidates; not exported: %2")
                            .arg(written)
                            .arg(failures.join("; "));
                    return {};
                });
}

void MainWindow::startExport(const QString& label, std::function<QString()> job) {
    if (m_exporting.isRunning()) {
        showError("An export is still running; try again in a moment.");
        return;
    }
    clearError();
    m_exportPath = label;
    statusBar()->showMessage("Exporting " + label + " ...");
    m_exporting.setFuture(QtConcurrent::run(std::move(job)));
}

void MainWindow::copyViewImage() {
    viewer::VtkWidget* view = m_view;
    if (m_tabs->currentWidget() == m_page) {
        view = m_page->candidates()->view(m_page->candidates()->selected());
        if (!view) {
            QGuiApplication::clipboard()->setImage(m_page->grab().toImage());
            statusBar()->showMessage("Copied the reconstruction page", 3000);
            return;
        }
    }
    QGuiApplication::clipboard()->setImage(view->grabFramebuffer());
    statusBar()->showMessage("Copied the view's image", 3000);
}

void MainWindow::recompileProgram(const cad::Program& program) {
    if (m_recompiling.isRunning()) {
        m_programTree->showCompileError("still compiling the previous edit; try again", {});
        return;
    }
    const QString path = m_shown ? m_shown->path : QString("edited");
    statusBar()->showMessage("Compiling the edited program ...");
    m_recompiling.setFuture(
        QtConcurrent::run([program, path] { return compileEdited(program, path); }));
}

void MainWindow::chooseAndOpen() {
    const QString path = QFileDialog::getOpenFileName(
        this, "Open a part", QString(),
        "Parts (*.json *.step *.stp *.brep *.stl *.obj *.ply *.glb *.gltf *.off *.xyz);;All files "
        "(*)");
    if (!path.isEmpty()) openFile(path);
}

void MainWindow::chooseAndExport() {
    if (!m_shown) return;
    QStringList filters;
    for (const std::string& f : cad::exportFormats(m_shown->part))
        filters << QString::fromStdString(f);
    const QString base = QFileInfo(m_shown->path).completeBaseName();
    const QString path =
        QFileDialog::getSaveFileName(this, "Export the part", base, filters.join(";;"));
    if (!path.isEmpty()) exportTo(path);
}

void MainWindow::chooseAndExportCandidates() {
    if (!m_result) return;
    const QString stem =
        m_result->input.isEmpty() ? "sample" : QFileInfo(m_result->input).completeBaseName();
    const QString path = QFileDialog::getSaveFileName(
        this, "Export all candidates (numbered by rank)", stem + "-candidate.step",
        "STEP (*.step);;STL (*.stl);;OBJ (*.obj);;glTF (*.glb);;PLY (*.ply);;Program JSON "
        "(*.json)");
    if (!path.isEmpty()) exportCandidates(path);
}

void MainWindow::showPart(std::shared_ptr<OpenedPart> part) {
    m_input = part;
    m_result.reset();
    m_exportCandidatesAction->setEnabled(false);
    m_page->clearResults();
    m_facts->setPlainText(part->facts);
    setWindowTitle(QFileInfo(part->path).fileName() + " - Img2CADSeq Studio");
    statusBar()->showMessage("Opened " + part->path, 5000);
    rememberRecent(part->path);
    if (part->isPhoto()) {
        // A photo is an input, not a part: nothing to export until a candidate is selected.
        m_shown.reset();
        m_programTree->clear();
        m_exportAction->setEnabled(false);
        viewer::clearScene(*m_view);
        m_page->photo()->setPhoto(part->photo);
        m_tabs->setCurrentWidget(m_page);
        if (m_runner.hasModel() && !m_runner.isBusy())
            reconstruct();
        else if (m_runner.isLoading())
            m_reconstructWhenReady = true;
        Q_EMIT partShown(part->path);
        return;
    }
    m_shown = std::move(part);
    showProgramOf(*m_shown);
    if (m_shown->part.cloud)
        viewer::showPointCloud(*m_view, *m_shown->part.cloud);
    else
        redrawSolid();
    m_exportAction->setEnabled(true);
    m_tabs->setCurrentWidget(m_view);
    Q_EMIT partShown(m_shown->path);
}

void MainWindow::showProgramOf(const OpenedPart& part) {
    if (part.part.program)
        m_programTree->setProgram(*part.part.program);
    else
        m_programTree->clear();
}

void MainWindow::redrawSolid() {
    if (!m_shown || m_shown->mesh.empty()) return;
    viewer::SolidStyle style;
    style.colourByPrimitive = m_primitiveColours->isChecked();
    viewer::showSolid(*m_view, m_shown->mesh, style);
}

void MainWindow::showError(const QString& message) {
    m_errorBanner->setText(message);
    m_errorBanner->show();
    statusBar()->showMessage("Error", 5000);
    Q_EMIT errorShown(message);
}

void MainWindow::clearError() {
    m_errorBanner->hide();
    m_errorBanner->clear();
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentFiles)
        recent.removeLast();
    settings.setValue("recentFiles", recent);
    refreshRecentMenu();
}

void MainWindow::refreshRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localFiles(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QStringList files = localFiles(event->mimeData());
    if (files.isEmpty()) return;
    event->acceptProposedAction();
    openFile(files.front());
}

} // namespace img2cad::ui
