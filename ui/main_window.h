// SPDX-License-Identifier: MIT
#pragma once
// The main window of Img2CADSeq Studio. It opens photos and any part file the CAD core reads
// (program JSON, DeepCAD / Fusion 360 sequences, STEP/BREP, meshes, point clouds) by menu,
// command line or drag and drop. A part is shown in the Part tab with its facts beside it and
// exports to every format it can become. A photo (at once) or a part (Reconstruct > Reconstruct)
// becomes K CAD candidates in the Reconstruction tab: photo and mask, coarse cloud with its
// importance heatmap, refined cloud, candidates side by side; the selected candidate is what
// File > Export writes. Reading, compiling, reconstructing and writing run on worker threads;
// errors appear in a banner above the views and never close the window. Without a usable model
// the window works as a viewer and says why reconstruction is disabled. A shown program (opened
// or a candidate's) is listed as an operation tree below the facts; its numbers can be edited
// and the program recompiled into the shown part. The Training tab trains any stage
// (ui/training/trainer_panel.h); Tools > Label captures opens the labelling tool.

#include "cad/error.h"
#include "cad/part_file.h"
#include "ui/reconstruction_runner.h"
#include "ui/reconstruction_settings.h"

#include <QFutureWatcher>
#include <QImage>
#include <QMainWindow>

#include <functional>
#include <memory>
#include <optional>

class QLabel;
class QMenu;
class QPlainTextEdit;
class QAction;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace img2cad::viewer {
class VtkWidget;
}

namespace img2cad::ui {

class CandidateGrid;
class LabellingWindow;
class PhotoPanel;
class ProgramTree;
class ReconstructionPage;
class TrainerPanel;

/// A part (or photo) as the window holds it: the file's content plus what the view draws.
struct OpenedPart {
    QString path;
    cad::PartFile part;
    cad::TriangleMesh mesh;               ///< empty for point clouds and photos
    QImage photo;                         ///< set for photos (then `part` is empty)
    std::optional<cad::PointCloud> cloud; ///< what a reconstruction of a part starts from
    QString facts;                        ///< the text of the facts panel
    QString error; ///< set instead of the rest when the file could not be opened
    bool isPhoto() const { return !photo.isNull(); }
};

/// What compiling an edited program gave: the new part, or why not and where.
struct RecompileOutcome {
    std::shared_ptr<OpenedPart> part; ///< null when it did not compile
    QString summary;                  ///< "valid solid, 12 faces, 4200.00 mm^3"
    QString error;
    cad::ProgramLocation where;
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
    /// Exports every candidate that can become the format of `path`: "dir/name.step" writes
    /// dir/name-1.step, dir/name-2.step ... by rank (invalid candidates only as program JSON).
    /// Emits exported(dir/name-*.ext) or errorShown.
    void exportCandidates(const QString& path);
    /// Puts the picture of the current view (the part, or the selected candidate) on the
    /// clipboard.
    void copyViewImage();
    /// Compiles the operation tree's edited program into the shown part (in the background);
    /// emits programRecompiled.
    void recompileProgram(const cad::Program& program);

    /// Candidates for the opened photo or part (photos start this by themselves).
    void reconstruct();
    /// K samples of the learnt unconditional distribution.
    void generateSamples();
    void cancelReconstruction();
    /// Saves the settings and, when the model folder or device changed, reloads the model.
    void setReconstructionSettings(const ReconstructionSettings& settings);
    /// The Training tab's "Use in the app": a copy of the model in use with the finished run's
    /// stage in its place (ml::composeModel), under the app's data folder, becomes the model
    /// (the settings' model folder) and loads. Says why in the banner when it cannot.
    void useTrainedModel(const QString& runFolder);
    const ReconstructionSettings& reconstructionSettings() const { return m_settings; }

    viewer::VtkWidget* view() const { return m_view; }
    ReconstructionPage* reconstructionPage() const { return m_page; }
    ProgramTree* programTree() const { return m_programTree; }
    TrainerPanel* trainerPanel() const { return m_trainer; }
    QString errorText() const;   ///< the banner's text, empty when hidden
    QString modelStatus() const; ///< "Model: ..." or "Reconstruction disabled: <why>"
    bool modelReady() const { return m_runner.hasModel(); }
    /// What File > Export writes: the opened part, or the selected candidate.
    const OpenedPart* shownPart() const { return m_shown.get(); }
    bool isBusy() const;
    /// A reconstruction runs, or waits for the model to load.
    bool isReconstructing() const { return m_runner.isRunning() || m_reconstructWhenReady; }

Q_SIGNALS:
    void partShown(const QString& path);
    void exported(const QString& path);
    void errorShown(const QString& message);
    void modelLoaded(const QString& folder);
    void modelUnavailable(const QString& reason);
    void reconstructed(int candidates);
    void reconstructionCancelled();
    /// An edited program compiled (`ok`) or not; the tree says why.
    void programRecompiled(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void chooseAndOpen();
    void chooseAndExport();
    void chooseAndExportCandidates();
    void startExport(const QString& label, std::function<QString()> job);
    void showPart(std::shared_ptr<OpenedPart> part);
    void showError(const QString& message);
    void clearError();
    void rememberRecent(const QString& path);
    void refreshRecentMenu();
    void redrawSolid();
    void showProgramOf(const OpenedPart& part);
    void buildReconstructMenu();
    void loadModel();
    void setModelStatus(const QString& text, bool ready);
    void onProgress(const QString& stage, double share);
    void onReconstructed(std::shared_ptr<const ReconstructionResult> result);
    void onReconstructionEnded();
    void selectCandidate(int index);
    void editSettings();
    void showLabelling();

    viewer::VtkWidget* m_view = nullptr;
    QTabWidget* m_tabs = nullptr;
    ReconstructionPage* m_page = nullptr;
    TrainerPanel* m_trainer = nullptr;
    QLabel* m_modelStatus = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QAction* m_reconstructAction = nullptr;
    QAction* m_generateAction = nullptr;
    ReconstructionSettings m_settings;
    ReconstructionRunner m_runner;
    std::shared_ptr<OpenedPart> m_input; ///< the last photo or part opened
    std::shared_ptr<const ReconstructionResult> m_result;
    bool m_reconstructWhenReady = false; ///< a photo arrived while the model was loading
    QLabel* m_errorBanner = nullptr;
    QPlainTextEdit* m_facts = nullptr;
    LabellingWindow* m_labelling = nullptr; ///< created on first use
    ProgramTree* m_programTree = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_exportCandidatesAction = nullptr;
    QAction* m_primitiveColours = nullptr;
    std::shared_ptr<OpenedPart> m_shown;
    QFutureWatcher<std::shared_ptr<OpenedPart>> m_opening;
    QFutureWatcher<RecompileOutcome> m_recompiling;
    QFutureWatcher<QString> m_exporting; ///< an error message, empty on success
    QString m_exportPath;
};

} // namespace img2cad::ui
