// SPDX-License-Identifier: MIT
#pragma once
// One training run of a stage (ml/stages/training_stages.h) on a worker thread of its own, at a
// lower CPU priority than the window: progress arrives as signals on the window's thread; pause
// asks the trainer to checkpoint and return, and starting the same stage again resumes it.

#include "ml/stages/training_stages.h"

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace img2cad::ui {

/// What the panel draws of a progress report (plain values, queued across threads).
struct TrainingTick {
    qint64 step = 0, steps = 0;
    double loss = 0.0;
    double samplesPerSecond = 0.0;
    double etaSeconds = 0.0;
    bool checkpointed = false;
    bool resumed = false;
};

class TrainingJob : public QObject {
    Q_OBJECT
public:
    explicit TrainingJob(QObject* parent = nullptr);
    ~TrainingJob() override; ///< pauses a running job and waits for its checkpoint

    /// Starts (or resumes) `stage`; false when a job is already running.
    bool start(std::shared_ptr<ml::TrainingStage> stage);
    /// Asks the running job to checkpoint and stop; `paused` follows.
    void pause();
    bool isRunning() const { return m_watcher.isRunning(); }
    const ml::TrainingStage* stage() const { return m_stage.get(); }

Q_SIGNALS:
    void progress(const img2cad::ui::TrainingTick& tick);
    void finished(const QString& summary);
    void paused(qint64 step);
    void failed(const QString& message);

private:
    struct Outcome {
        ml::StageRunResult result;
        QString error;
    };
    void onDone();

    QThreadPool m_pool;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<ml::TrainingStage> m_stage;
    std::atomic<bool> m_stop{false};
};

} // namespace img2cad::ui

Q_DECLARE_METATYPE(img2cad::ui::TrainingTick)
