// SPDX-License-Identifier: MIT
#pragma once
// The capture-labelling tool (Tools > Label captures): a project's photos in a list, the
// selected one large with its part mask (GrabCut seeded by the rectangle and scribbles drawn on
// it, ui/photo_panel.h), its tags, the CAD it shows and where that CAD sits in the photo
// (pose_editor.h). Every change goes straight into the
// project file (capture_project.h), so there is nothing to save; tag and mask changes can be
// undone and redone. Segmentation and the export as a training dataset run on worker threads.

#include "ui/labelling/capture_dataset.h"
#include "ui/labelling/capture_project.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <functional>
#include <map>
#include <memory>

class QComboBox;
class QLabel;
class QListWidget;
class QUndoStack;

namespace img2cad::ui {

class PhotoPanel;
class PoseEditor;

class LabellingWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit LabellingWindow(QWidget* parent = nullptr);
    ~LabellingWindow() override;

    /// Creates or opens a project; on failure the error is shown and false returned.
    bool newProject(const QString& path);
    bool openProject(const QString& path);
    CaptureProject* project() const { return m_project.get(); }

    /// Adds photos (files that are not photos are reported and skipped); returns how many.
    int addPhotos(const QStringList& files);
    /// Adds every photo of a folder (not its sub-folders).
    int addFolder(const QString& folder);
    /// Reads a CAD file into the project and attaches it to the selected capture.
    bool attachCad(const QString& file);

    /// Writes the project as a training dataset (capture_dataset.h) on a worker; emits
    /// exported or errorShown.
    void exportDataset(const QString& folder);

    void selectCapture(qint64 id);
    qint64 selectedCapture() const { return m_selected; }
    /// Tags of the selected capture (undoable).
    void setTags(const CaptureTags& tags);
    /// GrabCut on the selected photo with the drawn hints; emits maskComputed when stored.
    void computeMask();
    void clearMask();

    PhotoPanel* photoPanel() const { return m_photo; }
    PoseEditor* poseEditor() const { return m_pose; }
    QListWidget* captureList() const { return m_list; }
    QUndoStack* undoStack() const { return m_undo; }
    QString errorText() const { return m_lastError; }

Q_SIGNALS:
    void maskComputed(qint64 id);
    void exported(const QString& folder, int samples);
    void errorShown(const QString& message);

private:
    void buildMenus();
    bool useProject(const std::function<std::unique_ptr<CaptureProject>()>& make);
    void chooseNewProject();
    void chooseOpenProject();
    void chooseAndAddPhotos();
    void chooseAndAddFolder();
    void chooseAndAttachCad();
    void chooseAndExport();
    void onExported();
    void removeSelected();
    void refreshList();
    void showSelected();
    void onTagEdited();
    void showError(const QString& message);
    void setProjectLoaded(bool loaded);
    /// The surface of a CAD of the project, read once (null, with the error shown, when it
    /// cannot be read).
    std::shared_ptr<const cad::TriangleMesh> cadMesh(qint64 cadId);

    std::unique_ptr<CaptureProject> m_project;
    qint64 m_selected = -1;
    QListWidget* m_list = nullptr;
    PhotoPanel* m_photo = nullptr;
    QComboBox* m_view = nullptr;
    QComboBox* m_material = nullptr;
    QComboBox* m_lighting = nullptr;
    QComboBox* m_background = nullptr;
    QLabel* m_cad = nullptr;
    PoseEditor* m_pose = nullptr;
    std::map<qint64, std::shared_ptr<const cad::TriangleMesh>> m_meshes; ///< by CAD id
    QLabel* m_status = nullptr;
    QUndoStack* m_undo = nullptr;
    QList<QAction*> m_projectActions; ///< enabled only with a project open
    QFutureWatcher<QImage> m_segmenting;
    struct ExportOutcome {
        CaptureExportReport report;
        QString error;
    };
    QFutureWatcher<ExportOutcome> m_exporting;
    QString m_exportFolder;
    qint64 m_segmentingId = -1;
    ml::MaskHints m_segmentingHints;
    QString m_lastError;
    bool m_showing = false; ///< filling the tag boxes: their changes are not edits
};

} // namespace img2cad::ui
