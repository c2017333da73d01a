// SPDX-License-Identifier: MIT
#pragma once
// Runs the Reconstructor off the GUI thread so the window never freezes: loads a model folder,
// reconstructs a photo or a point cloud, or samples unconditionally; one job at a time. The
// candidates are tessellated on the worker too, so the GUI thread only builds VTK scenes.
// Progress arrives as queued signals; results, errors and cancellation as signals on the GUI
// thread.

#include "cad/geometry/triangle_mesh.h"
#include "ml/reconstruct/reconstructor.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <optional>

namespace img2cad::ui {

/// A finished job: the Reconstructor's output and a mesh per candidate (empty when invalid).
struct ReconstructionResult {
    QString input; ///< the photo or part it came from; empty for unconditional samples
    ml::Reconstruction reconstruction;
    std::vector<cad::TriangleMesh> meshes;
    double seconds = 0.0;
};

/// What to reconstruct: a photo file, or a point cloud (sampled from any part).
struct ReconstructionInput {
    QString name; ///< shown in messages
    QString photo;
    std::optional<cad::PointCloud> cloud;
};

class ReconstructionRunner : public QObject {
    Q_OBJECT
public:
    explicit ReconstructionRunner(QObject* parent = nullptr);
    ~ReconstructionRunner() override; ///< cancels and waits for the running job

    /// Loads a model in the background; emits modelReady or modelFailed. An empty folder
    /// fails with a message that says where a model comes from.
    void loadModel(const QString& folder, const QString& device);
    bool hasModel() const { return m_model != nullptr; }
    bool readsPhotos() const;
    QString modelFolder() const { return m_modelFolder; }

    /// Starts a job; false (and `failed`) when busy or without a model.
    bool reconstruct(const ReconstructionInput& input, const ml::ReconstructionOptions& options);
    bool generate(int count, const ml::ReconstructionOptions& options);
    /// Asks the running job to stop at its next check; `cancelled` follows.
    void cancel();
    bool isBusy() const; ///< loading a model or running a job
    bool isLoading() const { return m_loading.isRunning(); }
    bool isRunning() const { return m_job.isRunning(); }

Q_SIGNALS:
    void modelReady(const QString& folder);
    void modelFailed(const QString& reason);
    /// `stage` is the Reconstructor's stage name; `share` of it done, 0..1.
    void progress(const QString& stage, double share);
    void finished(std::shared_ptr<const ReconstructionResult> result);
    void failed(const QString& message);
    void cancelled();

private:
    struct Outcome {
        std::shared_ptr<const ReconstructionResult> result;
        QString error;
        bool cancelled = false;
    };
    bool canStart();
    void start(std::function<std::shared_ptr<ReconstructionResult>()> job);
    /// The progress callback the Reconstructor calls on the worker: at most one signal per
    /// stage change or 50 ms, so a long diffusion does not flood the window's event queue.
    ml::ReconstructionProgress throttledProgress();
    void startLoading(const QString& folder, const QString& device);

    /// The runner's own worker thread, at a lower priority than the window (see start()).
    QThreadPool m_pool;
    std::shared_ptr<ml::Reconstructor> m_model;
    QString m_modelFolder;
    std::atomic<bool> m_cancel{false};
    QFutureWatcher<std::shared_ptr<ml::Reconstructor>> m_loading;
    QString m_unavailable = "no model is loaded"; ///< why there is no model
    /// A model asked for while another loads: loaded next, the one loading is dropped.
    std::optional<std::pair<QString, QString>> m_nextLoad;
    QFutureWatcher<Outcome> m_job;
};

} // namespace img2cad::ui
