// SPDX-License-Identifier: MIT
#include "ui/training/training_job.h"

#include "ui/worker_priority.h"

#include <QtConcurrent/QtConcurrentRun>

namespace img2cad::ui {

TrainingJob::TrainingJob(QObject* parent) : QObject(parent) {
    qRegisterMetaType<TrainingTick>();
    m_pool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &TrainingJob::onDone);
}

TrainingJob::~TrainingJob() {
    m_stop = true;
    m_pool.waitForDone();
}

bool TrainingJob::start(std::shared_ptr<ml::TrainingStage> stage) {
    if (isRunning() || !stage) return false;
    m_stage = std::move(stage);
    m_stop = false;
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [this, stage = m_stage] {
        lowerThisThreadsPriority();
        Outcome outcome;
        try {
            outcome.result = stage->run(
                [this](const ml::TrainingProgress& p) {
                    // Emitted on the worker; delivered queued on the window's thread.
                    Q_EMIT progress(TrainingTick{p.step, p.steps, p.loss, p.samplesPerSecond,
                                                 p.etaSeconds, p.checkpointed, p.resumed});
                },
                &m_stop);
        } catch (const std::exception& e) {
            outcome.error = e.what();
        }
        return outcome;
    }));
    return true;
}

void TrainingJob::pause() {
    if (isRunning()) m_stop = true;
}

void TrainingJob::onDone() {
    const Outcome outcome = m_watcher.result();
    if (!outcome.error.isEmpty())
        Q_EMIT failed(outcome.error);
    else if (!outcome.result.finished)
        Q_EMIT paused(outcome.result.stepsDone);
    else
        Q_EMIT finished(QString::fromStdString(outcome.result.summary));
}

} // namespace img2cad::ui
