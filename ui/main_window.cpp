// SPDX-License-Identifier: MIT
#include "ui/main_window.h"

#include "cad/tessellation.h"
#include "cad/topology.h"
#include "viewer/part_scene.h"
#include "viewer/vtk_widget.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace img2cad::ui {
namespace {

constexpr int kMaxRecentFiles = 8;

QString describeBox(const cad::BoundingBox& box) {
    if (box.isEmpty()) return "empty";
    const cad::Vec3 size = box.size();
    return QString("%1 x %2 x %3 mm")
        .arg(size.x, 0, 'f', 2)
        .arg(size.y, 0, 'f', 2)
        .arg(size.z, 0, 'f', 2);
}

/// Reads, compiles and tessellates on a worker thread; errors become the message to show.
std::shared_ptr<OpenedPart> loadPart(const QString& path) {
    auto opened = std::make_shared<OpenedPart>();
    opened->path = path;
    opened->part = cad::readPartFile(path.toStdString());
    const cad::PartFile& part = opened->part;
    QStringList facts{QString("file: %1").arg(QFileInfo(path).fileName()),
                      QString("kind: %1").arg(cad::fileKindName(part.kind))};
    if (part.program) {
        facts << QString("extrudes: %1").arg(part.program->extrudes.size())
              << QString("curves: %1").arg(cad::curveCount(*part.program));
    }
    if (!part.shape.isNull()) {
        opened->mesh = cad::tessellate(part.shape);
        const cad::ShapeReport report = cad::analyse(part.shape);
        facts << QString("valid solid: %1").arg(report.valid ? "yes" : "no")
              << QString("solids: %1, faces: %2, edges: %3")
                     .arg(report.solids)
                     .arg(report.faces)
                     .arg(report.edges)
              << QString("volume: %1 mm^3").arg(report.volume, 0, 'f', 2)
              << QString("size: %1").arg(describeBox(report.bbox))
              << QString("hanging faces: %1%").arg(100.0 * report.hangingFaceRatio, 0, 'f', 1);
    } else if (part.mesh) {
        opened->mesh = *part.mesh;
        facts << QString("triangles: %1").arg(part.mesh->triangles.size())
              << QString("size: %1").arg(describeBox(part.mesh->bounds()));
    } else if (part.cloud) {
        facts << QString("points: %1").arg(part.cloud->size())
              << QString("size: %1").arg(describeBox(part.cloud->bounds()));
    }
    opened->facts = facts.join('\n');
    return opened;
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
    m_facts = new QPlainTextEdit(splitter);
    m_facts->setObjectName("facts");
    m_facts->setReadOnly(true);
    m_facts->setPlaceholderText("Open or drop a part: program JSON, DeepCAD / Fusion 360 JSON, "
                                "STEP, BREP, STL, OBJ, PLY, XYZ ...");
    m_view = new viewer::VtkWidget(splitter);
    m_view->setObjectName("partView");
    splitter->addWidget(m_facts);
    splitter->addWidget(m_view);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({280, 920});
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    buildMenus();
    statusBar()->showMessage("Ready");

    connect(&m_opening, &QFutureWatcher<std::shared_ptr<OpenedPart>>::finished, this, [this] {
        const std::shared_ptr<OpenedPart> opened = m_opening.result();
        if (opened->error.isEmpty())
            showPart(opened);
        else
            showError(opened->error);
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
    m_exporting.waitForFinished();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu("&File");
    file->addAction("&Open...", QKeySequence::Open, this, &MainWindow::chooseAndOpen);
    m_recentMenu = file->addMenu("Open &Recent");
    m_exportAction =
        file->addAction("&Export...", QKeySequence("Ctrl+E"), this, &MainWindow::chooseAndExport);
    m_exportAction->setEnabled(false);
    file->addSeparator();
    file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu("&View");
    view->addAction("&Fit", QKeySequence("F"), m_view, &viewer::VtkWidget::fitView);
    m_primitiveColours = view->addAction("Colour faces by &primitive type");
    m_primitiveColours->setCheckable(true);
    connect(m_primitiveColours, &QAction::toggled, this, &MainWindow::redrawSolid);
    refreshRecentMenu();
}

bool MainWindow::isBusy() const {
    return m_opening.isRunning() || m_exporting.isRunning();
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
    if (m_exporting.isRunning()) {
        showError("An export is still running; try again in a moment.");
        return;
    }
    clearError();
    m_exportPath = path;
    statusBar()->showMessage("Exporting " + path + " ...");
    const std::shared_ptr<OpenedPart> part = m_shown;
    m_exporting.setFuture(QtConcurrent::run([part, path]() -> QString {
        try {
            cad::writePartFile(part->part, path.toStdString());
            return {};
        } catch (const std::exception& e) {
            return QString("Export failed: %1").arg(e.what());
        }
    }));
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

void MainWindow::showPart(std::shared_ptr<OpenedPart> part) {
    m_shown = std::move(part);
    m_facts->setPlainText(m_shown->facts);
    if (m_shown->part.cloud)
        viewer::showPointCloud(*m_view, *m_shown->part.cloud);
    else
        redrawSolid();
    m_exportAction->setEnabled(true);
    setWindowTitle(QFileInfo(m_shown->path).fileName() + " - Img2CADSeq Studio");
    statusBar()->showMessage("Opened " + m_shown->path, 5000);
    rememberRecent(m_shown->path);
    Q_EMIT partShown(m_shown->path);
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
