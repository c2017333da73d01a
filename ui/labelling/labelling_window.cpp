// SPDX-License-Identifier: MIT
#include "ui/labelling/labelling_window.h"

#include "ml/vision/photo_io.h"
#include "ui/labelling/pose_editor.h"
#include "ui/photo_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace img2cad::ui {
namespace {

constexpr int kIdRole = Qt::UserRole;
constexpr int kThumbnailSize = 96;

/// Undoable change of a capture's tags: both directions write the project.
class SetTagsCommand : public QUndoCommand {
public:
    SetTagsCommand(LabellingWindow& window, qint64 id, CaptureTags before, CaptureTags after)
        : QUndoCommand(QString("Tag capture %1").arg(id)), m_window(window), m_id(id),
          m_before(std::move(before)), m_after(std::move(after)) {}
    void redo() override { apply(m_after); }
    void undo() override { apply(m_before); }

private:
    void apply(const CaptureTags& tags) {
        m_window.project()->setTags(m_id, tags);
        m_window.selectCapture(m_id);
    }
    LabellingWindow& m_window;
    qint64 m_id;
    CaptureTags m_before, m_after;
};

/// Undoable change of a capture's mask and the hints that made it.
class SetMaskCommand : public QUndoCommand {
public:
    SetMaskCommand(LabellingWindow& window, qint64 id, QImage mask, ml::MaskHints hints)
        : QUndoCommand(QString("Mask capture %1").arg(id)), m_window(window), m_id(id),
          m_beforeMask(window.project()->mask(id)), m_beforeHints(window.project()->maskHints(id)),
          m_afterMask(std::move(mask)), m_afterHints(std::move(hints)) {}
    void redo() override { apply(m_afterMask, m_afterHints); }
    void undo() override { apply(m_beforeMask, m_beforeHints); }

private:
    void apply(const QImage& mask, const ml::MaskHints& hints) {
        m_window.project()->setMask(m_id, mask, hints);
        m_window.selectCapture(m_id);
    }
    LabellingWindow& m_window;
    qint64 m_id;
    QImage m_beforeMask;
    ml::MaskHints m_beforeHints;
    QImage m_afterMask;
    ml::MaskHints m_afterHints;
};

QComboBox* tagBox(const QStringList& values, QWidget* parent) {
    auto* box = new QComboBox(parent);
    box->addItems(values);
    return box;
}

QString describe(const CaptureSummary& c) {
    return QString("%1\n%2 · %3 · %4 · %5\n%6 · %7")
        .arg(c.name, c.tags.view, c.tags.material, c.tags.lighting, c.tags.background,
             c.masked ? "masked" : "no mask", c.cad ? "CAD attached" : "no CAD");
}

} // namespace

LabellingWindow::LabellingWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("Label captures - Img2CADSeq Studio");
    resize(1100, 700);
    m_undo = new QUndoStack(this);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    m_list = new QListWidget(splitter);
    m_list->setObjectName("captureList");
    m_list->setIconSize(QSize(kThumbnailSize, kThumbnailSize));
    m_list->setMinimumWidth(260);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item && !m_showing) selectCapture(item->data(kIdRole).toLongLong());
    });
    m_photo = new PhotoPanel(splitter);

    auto* side = new QWidget(splitter);
    auto* form = new QFormLayout(side);
    m_view = tagBox(viewTags(), side);
    m_material = tagBox(materialTags(), side);
    m_lighting = tagBox(lightingTags(), side);
    m_background = tagBox(backgroundTags(), side);
    form->addRow("View", m_view);
    form->addRow("Material", m_material);
    form->addRow("Lighting", m_lighting);
    form->addRow("Background", m_background);
    for (QComboBox* box : {m_view, m_material, m_lighting, m_background})
        connect(box, &QComboBox::currentIndexChanged, this, &LabellingWindow::onTagEdited);
    m_cad = new QLabel("no CAD", side);
    m_cad->setObjectName("captureCad");
    form->addRow("CAD", m_cad);
    auto* attach = new QPushButton("Attach CAD...", side);
    connect(attach, &QPushButton::clicked, this, &LabellingWindow::chooseAndAttachCad);
    form->addRow(attach);
    auto* segment = new QPushButton("Compute mask (Ctrl+M)", side);
    connect(segment, &QPushButton::clicked, this, &LabellingWindow::computeMask);
    form->addRow(segment);
    m_pose = new PoseEditor(side);
    form->addRow(m_pose);
    connect(m_pose, &PoseEditor::outlineChanged, m_photo, &PhotoPanel::setOutline);
    connect(m_pose, &PoseEditor::failed, this, &LabellingWindow::showError);
    connect(m_pose, &PoseEditor::poseEdited, this,
            [this](qint64 id, const std::optional<CapturePose>& pose) {
                if (!m_project) return;
                try {
                    m_project->setPose(id, pose);
                } catch (const ProjectError& e) {
                    showError(e.what());
                }
            });
    m_status = new QLabel(side);
    m_status->setWordWrap(true);
    m_status->setText("Draw on the photo to help the mask: a rectangle around the part, "
                      "Shift+drag on the part, Ctrl+drag on the background; then Compute mask.");
    form->addRow(m_status);
    splitter->addWidget(m_list);
    splitter->addWidget(m_photo);
    splitter->addWidget(side);
    splitter->setStretchFactor(1, 3);
    setCentralWidget(splitter);

    connect(&m_segmenting, &QFutureWatcher<QImage>::finished, this, [this] {
        const QImage mask = m_segmenting.result();
        if (mask.isNull() || !m_project) {
            showError("The mask could not be computed: no part found with these hints; draw a "
                      "rectangle around the part or scribble on it.");
            return;
        }
        m_undo->push(new SetMaskCommand(*this, m_segmentingId, mask, m_segmentingHints));
        statusBar()->showMessage("Mask stored", 3000);
        Q_EMIT maskComputed(m_segmentingId);
    });
    connect(&m_exporting, &QFutureWatcher<ExportOutcome>::finished, this,
            &LabellingWindow::onExported);
    buildMenus();
    setProjectLoaded(false);
}

LabellingWindow::~LabellingWindow() {
    m_segmenting.waitForFinished();
    m_exporting.waitForFinished();
}

void LabellingWindow::exportDataset(const QString& folder) {
    if (!m_project) return;
    if (m_exporting.isRunning()) {
        showError("An export is still running; try again in a moment.");
        return;
    }
    statusBar()->showMessage("Exporting the dataset ...");
    m_exportFolder = folder;
    const QString path = m_project->path();
    m_exporting.setFuture(QtConcurrent::run([path, folder] {
        ExportOutcome outcome;
        try {
            outcome.report = exportCaptureDataset(path, folder);
        } catch (const std::exception& e) {
            outcome.error = QString("Export failed: %1").arg(e.what());
        }
        return outcome;
    }));
}

void LabellingWindow::onExported() {
    const ExportOutcome outcome = m_exporting.result();
    if (!outcome.error.isEmpty()) {
        showError(outcome.error);
        return;
    }
    const CaptureExportReport& r = outcome.report;
    m_status->setStyleSheet({});
    m_status->setText(
        QString("Exported %1 captures to %2 (%3 train, %4 held-out test views)%5")
            .arg(r.samples)
            .arg(m_exportFolder)
            .arg(r.train)
            .arg(r.test)
            .arg(r.skipped.isEmpty() ? QString() : "; left out:\n" + r.skipped.join('\n')));
    statusBar()->showMessage("Exported", 5000);
    Q_EMIT exported(m_exportFolder, r.samples);
}

void LabellingWindow::buildMenus() {
    QMenu* project = menuBar()->addMenu("&Project");
    project->addAction("&New project...", QKeySequence::New, this,
                       &LabellingWindow::chooseNewProject);
    project->addAction("&Open project...", QKeySequence::Open, this,
                       &LabellingWindow::chooseOpenProject);
    project->addSeparator();
    m_projectActions << project->addAction("Add &photos...", QKeySequence("Ctrl+I"), this,
                                           &LabellingWindow::chooseAndAddPhotos)
                     << project->addAction("Add a &folder of photos...", this,
                                           &LabellingWindow::chooseAndAddFolder)
                     << project->addAction("&Remove the capture", QKeySequence::Delete, this,
                                           &LabellingWindow::removeSelected);
    project->addSeparator();
    project->addAction("&Close", QKeySequence::Close, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu("&Edit");
    QAction* undo = m_undo->createUndoAction(this, "&Undo");
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, "&Redo");
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* capture = menuBar()->addMenu("&Capture");
    m_projectActions << capture->addAction("&Attach CAD...", this,
                                           &LabellingWindow::chooseAndAttachCad)
                     << capture->addAction("Compute &mask", QKeySequence("Ctrl+M"), this,
                                           &LabellingWindow::computeMask)
                     << capture->addAction("&Clear mask", this, &LabellingWindow::clearMask);
    m_projectActions << project->addAction("&Export as a training dataset...", this,
                                           &LabellingWindow::chooseAndExport);
}

void LabellingWindow::setProjectLoaded(bool loaded) {
    for (QAction* action : m_projectActions)
        action->setEnabled(loaded);
    for (QComboBox* box : {m_view, m_material, m_lighting, m_background})
        box->setEnabled(loaded && m_selected >= 0);
    if (m_project) setWindowTitle(QFileInfo(m_project->path()).fileName() + " - Label captures");
}

bool LabellingWindow::newProject(const QString& path) {
    return useProject([&path] { return CaptureProject::create(path); });
}

bool LabellingWindow::openProject(const QString& path) {
    return useProject([&path] { return CaptureProject::open(path); });
}

bool LabellingWindow::useProject(const std::function<std::unique_ptr<CaptureProject>()>& make) {
    try {
        m_project = make(); // on failure the open project stays
    } catch (const ProjectError& e) {
        showError(e.what());
        return false;
    }
    m_undo->clear();
    m_meshes.clear(); // CAD ids belong to the project
    m_selected = -1;
    refreshList();
    const std::vector<CaptureSummary> captures = m_project->captures();
    if (!captures.empty()) selectCapture(captures.front().id);
    setProjectLoaded(true);
    return true;
}

int LabellingWindow::addPhotos(const QStringList& files) {
    if (!m_project) return 0;
    int added = 0;
    QStringList problems;
    qint64 last = -1;
    for (const QString& file : files) {
        try {
            last = m_project->addPhoto(file);
            ++added;
        } catch (const ProjectError& e) {
            problems << e.what();
        }
    }
    refreshList();
    if (last >= 0) selectCapture(last);
    if (!problems.isEmpty()) showError(problems.join('\n'));
    statusBar()->showMessage(QString("Added %1 photos").arg(added), 5000);
    return added;
}

int LabellingWindow::addFolder(const QString& folder) {
    QStringList files;
    for (const QFileInfo& info : QDir(folder).entryInfoList(QDir::Files, QDir::Name))
        if (ml::isPhotoExtension(info.filePath().toStdString())) files << info.filePath();
    if (files.isEmpty()) {
        showError(QString("No photos in %1").arg(folder));
        return 0;
    }
    return addPhotos(files);
}

bool LabellingWindow::attachCad(const QString& file) {
    if (!m_project || m_selected < 0) {
        showError("Select a capture first, then attach the CAD of the part it shows.");
        return false;
    }
    try {
        m_project->attachCad(m_selected, m_project->addCad(file));
    } catch (const ProjectError& e) {
        showError(e.what());
        return false;
    }
    selectCapture(m_selected);
    return true;
}

void LabellingWindow::selectCapture(qint64 id) {
    if (!m_project) return;
    CaptureSummary capture;
    try {
        capture = m_project->capture(id);
    } catch (const ProjectError& e) {
        showError(e.what());
        return;
    }
    const bool changed = id != m_selected;
    m_selected = id;
    m_showing = true;
    for (int row = 0; row < m_list->count(); ++row) {
        QListWidgetItem* item = m_list->item(row);
        if (item->data(kIdRole).toLongLong() != id) continue;
        item->setText(describe(capture));
        m_list->setCurrentItem(item);
    }
    m_view->setCurrentText(capture.tags.view);
    m_material->setCurrentText(capture.tags.material);
    m_lighting->setCurrentText(capture.tags.lighting);
    m_background->setCurrentText(capture.tags.background);
    m_cad->setText(capture.cad ? m_project->cad(*capture.cad).name : QString("no CAD"));
    m_showing = false;
    if (changed) {
        m_photo->setPhoto(m_project->photo(id));
        const ml::MaskHints hints = m_project->maskHints(id);
        m_photo->setHintRect(hints.rect);
        m_photo->setStrokes(hints.strokes);
    }
    const QImage mask = m_project->mask(id);
    m_photo->setMask(mask);
    m_pose->showCapture(id, capture.cad ? cadMesh(*capture.cad) : nullptr, mask,
                        m_photo->photo().size(), m_project->pose(id));
    setProjectLoaded(true);
}

std::shared_ptr<const cad::TriangleMesh> LabellingWindow::cadMesh(qint64 cadId) {
    if (const auto known = m_meshes.find(cadId); known != m_meshes.end()) return known->second;
    try {
        auto mesh =
            std::make_shared<const cad::TriangleMesh>(readCadSurface(m_project->cad(cadId)).mesh);
        m_meshes[cadId] = mesh;
        return mesh;
    } catch (const ProjectError& e) {
        showError(e.what());
        return nullptr;
    }
}

void LabellingWindow::setTags(const CaptureTags& tags) {
    if (!m_project || m_selected < 0) return;
    const CaptureTags before = m_project->capture(m_selected).tags;
    if (before == tags) return;
    // Checked before the command is pushed: an undo stack must not hold a change that failed.
    if (!viewTags().contains(tags.view) || !materialTags().contains(tags.material) ||
        !lightingTags().contains(tags.lighting) || !backgroundTags().contains(tags.background)) {
        showError("Unknown tag: use the values the lists offer.");
        return;
    }
    m_undo->push(new SetTagsCommand(*this, m_selected, before, tags));
}

void LabellingWindow::onTagEdited() {
    if (m_showing) return;
    setTags({m_view->currentText(), m_material->currentText(), m_lighting->currentText(),
             m_background->currentText()});
}

void LabellingWindow::computeMask() {
    if (!m_project || m_selected < 0) return;
    if (m_segmenting.isRunning()) {
        statusBar()->showMessage("Still computing the previous mask ...", 3000);
        return;
    }
    m_segmentingId = m_selected;
    m_segmentingHints = m_photo->hints();
    const cad::Image photo = toRgbImage(m_project->photo(m_selected));
    const ml::MaskHints hints = m_segmentingHints;
    statusBar()->showMessage("Computing the mask ...");
    m_segmenting.setFuture(QtConcurrent::run([photo, hints]() -> QImage {
        try {
            return toQImage(ml::segmentPart(photo, hints));
        } catch (const std::exception&) {
            return {};
        }
    }));
}

void LabellingWindow::clearMask() {
    if (!m_project || m_selected < 0) return;
    m_undo->push(new SetMaskCommand(*this, m_selected, {}, {}));
}

void LabellingWindow::removeSelected() {
    if (!m_project || m_selected < 0) return;
    if (QMessageBox::question(this, "Remove the capture",
                              "Remove this capture from the project? This cannot be undone.") !=
        QMessageBox::Yes)
        return;
    m_project->removeCapture(m_selected);
    m_undo->clear(); // its commands would address a capture that is gone
    m_selected = -1;
    m_photo->clear();
    m_pose->showCapture(-1, nullptr, {}, {}, std::nullopt);
    refreshList();
    setProjectLoaded(true);
}

void LabellingWindow::refreshList() {
    m_showing = true;
    m_list->clear();
    if (m_project)
        for (const CaptureSummary& c : m_project->captures()) {
            auto* item = new QListWidgetItem(describe(c), m_list);
            item->setData(kIdRole, c.id);
            item->setIcon(QPixmap::fromImage(m_project->photo(c.id).scaled(
                kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
        }
    m_showing = false;
}

void LabellingWindow::showError(const QString& message) {
    m_lastError = message;
    m_status->setText(message);
    m_status->setStyleSheet("color: #a4161a;");
    statusBar()->showMessage("Error", 5000);
    Q_EMIT errorShown(message);
}

void LabellingWindow::chooseNewProject() {
    const QString path = QFileDialog::getSaveFileName(this, "New capture project", "captures.i2cl",
                                                      "Capture projects (*.i2cl)");
    if (!path.isEmpty()) newProject(path);
}

void LabellingWindow::chooseOpenProject() {
    const QString path = QFileDialog::getOpenFileName(this, "Open a capture project", QString(),
                                                      "Capture projects (*.i2cl);;All files (*)");
    if (!path.isEmpty()) openProject(path);
}

void LabellingWindow::chooseAndAddPhotos() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, "Add photos", QString(),
        "Photos (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp);;All files (*)");
    if (!files.isEmpty()) addPhotos(files);
}

void LabellingWindow::chooseAndAddFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, "Add a folder of photos");
    if (!folder.isEmpty()) addFolder(folder);
}

void LabellingWindow::chooseAndExport() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, "Export the captures into an empty folder");
    if (!folder.isEmpty()) exportDataset(folder);
}

void LabellingWindow::chooseAndAttachCad() {
    const QString file =
        QFileDialog::getOpenFileName(this, "Attach the part's CAD", QString(),
                                     "CAD (*.step *.stp *.json *.stl *.obj *.brep);;All files (*)");
    if (!file.isEmpty()) attachCad(file);
}

} // namespace img2cad::ui
