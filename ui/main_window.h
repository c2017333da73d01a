// SPDX-License-Identifier: MIT
#pragma once
// The main window of Img2CADSeq Studio. This first version opens any part file the CAD core
// reads (program JSON, DeepCAD / Fusion 360 sequences, STEP/BREP, meshes, point clouds) by
// menu, command line or drag and drop, shows it in a VTK view with its facts beside it, and
// exports it to every format the part can become. Reading, compiling and writing run on a
// worker thread; errors appear in a banner above the view and never close the window.
// The reconstruction panels (photo, clouds, candidates) join as the models land (issue 7).

#include "cad/part_file.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <memory>

class QLabel;
class QMenu;
class QPlainTextEdit;
class QAction;

namespace img2cad::viewer {
class VtkWidget;
}

namespace img2cad::ui {

/// A part as the window holds it: the file's content plus what the view draws.
struct OpenedPart {
    QString path;
    cad::PartFile part;
    cad::TriangleMesh mesh; ///< empty for point clouds
    QString facts;          ///< the text of the facts panel
    QString error;          ///< set instead of the rest when the file could not be opened
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a file in the background; emits partShown or errorShown when done.
    void openFile(const QString& path);
    /// Exports the shown part in the background (format from the extension); emits exported
    /// or errorShown.
    void exportTo(const QString& path);

    viewer::VtkWidget* view() const { return m_view; }
    QString errorText() const; ///< the banner's text, empty when hidden
    const OpenedPart* shownPart() const { return m_shown.get(); }
    bool isBusy() const;

Q_SIGNALS:
    void partShown(const QString& path);
    void exported(const QString& path);
    void errorShown(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void chooseAndOpen();
    void chooseAndExport();
    void showPart(std::shared_ptr<OpenedPart> part);
    void showError(const QString& message);
    void clearError();
    void rememberRecent(const QString& path);
    void refreshRecentMenu();
    void redrawSolid();

    viewer::VtkWidget* m_view = nullptr;
    QLabel* m_errorBanner = nullptr;
    QPlainTextEdit* m_facts = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_primitiveColours = nullptr;
    std::shared_ptr<OpenedPart> m_shown;
    QFutureWatcher<std::shared_ptr<OpenedPart>> m_opening;
    QFutureWatcher<QString> m_exporting; ///< an error message, empty on success
    QString m_exportPath;
};

} // namespace img2cad::ui
