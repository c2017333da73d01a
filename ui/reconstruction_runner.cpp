// SPDX-License-Identifier: MIT
#include "ui/reconstruction_runner.h"

#include "cad/tessellation.h"
#include "ml/training/training_loop.h"
#include "ui/worker_priority.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace img2cad::ui {

ReconstructionRunner::ReconstructionRunner(QObject* parent) : QObject(parent) {
    m_pool.setMaxThreadCount(1); // one job at a time anyway
    connect(&m_loading, &QFutureWatcher<std::shared_ptr<ml::Reconstructor>>::finished, this,
            [this] {
                if (m_nextLoad) {
                    const auto [folder, device] = *std::exchange(m_nextLoad, std::nullopt);
                    startLoading(folder, device);
                    return;
                }
                m_model = m_loading.result();
                if (m_model)
                    Q_EMIT modelReady(m_modelFolder);
                else
                    Q_EMIT modelFailed(m_unavailable);
            });
    connect(&m_job, &QFutureWatcher<Outcome>::finished, this, [this] {
        const Outcome outcome = m_job.result();
        if (outcome.cancelled)
            Q_EMIT cancelled();
        else if (!outcome.error.isEmpty())
            Q_EMIT failed(outcome.error);
        else
            Q_EMIT finished(outcome.result);
    });
}

ReconstructionRunner::~ReconstructionRunner() {
    m_cancel = true;
    m_loading.waitForFinished();
    m_job.waitForFinished();
    m_pool.waitForDone();
}

void ReconstructionRunner::loadModel(const QString& folder, const QString& device) {
    if (m_job.isRunning()) {
        Q_EMIT modelFailed("a reconstruction is running: cancel it before changing the model");
        return;
    }
    m_model.reset();
    if (m_loading.isRunning()) {
        m_nextLoad = {folder, device};
        return;
    }
    startLoading(folder, device);
}

void ReconstructionRunner::startLoading(const QString& folder, const QString& device) {
    m_modelFolder = folder;
    if (folder.isEmpty()) {
        m_unavailable = "no model folder: choose one in Reconstruct > Settings (a folder with "
                        "codebook/, align/, refine/, diffusion/ and lift/ from img2cadseq train)";
        Q_EMIT modelFailed(m_unavailable);
        return;
    }
    m_loading.setFuture(QtConcurrent::run(&m_pool, [this, folder, device] {
        lowerThisThreadsPriority();
        try {
            return std::make_shared<ml::Reconstructor>(folder.toStdString(),
                                                       ml::trainingDevice(device.toStdString()));
        } catch (const std::exception& e) {
            // Written before the future finishes, read after: the watcher orders the two.
            m_unavailable = QString("cannot load the model %1: %2").arg(folder, e.what());
            return std::shared_ptr<ml::Reconstructor>();
        }
    }));
}

bool ReconstructionRunner::readsPhotos() const {
    return m_model && m_model->readsPhotos();
}

bool ReconstructionRunner::isBusy() const {
    return m_loading.isRunning() || m_job.isRunning();
}

void ReconstructionRunner::cancel() {
    m_cancel = true;
}

bool ReconstructionRunner::canStart() {
    if (isBusy()) {
        Q_EMIT failed("A reconstruction or model load is still running; wait or cancel it.");
        return false;
    }
    if (!m_model) {
        Q_EMIT failed("Reconstruction is disabled: " + m_unavailable);
        return false;
    }
    return true;
}

bool ReconstructionRunner::reconstruct(const ReconstructionInput& input,
                                       const ml::ReconstructionOptions& options) {
    if (!canStart()) return false;
    if (!input.photo.isEmpty() && !m_model->readsPhotos()) {
        Q_EMIT failed("This model reads point clouds only (it has no lift/ stage); open a point "
                      "cloud, mesh or part instead, or choose a model that reads photos.");
        return false;
    }
    start([this, input, options] {
        auto result = std::make_shared<ReconstructionResult>();
        result->input = input.name;
        const ml::ReconstructionProgress onProgress = throttledProgress();
        result->reconstruction =
            input.photo.isEmpty()
                ? m_model->fromPointCloud(*input.cloud, options, onProgress, &m_cancel)
                : m_model->fromPhoto(input.photo.toStdString(), options, onProgress, &m_cancel);
        return result;
    });
    return true;
}

bool ReconstructionRunner::generate(int count, const ml::ReconstructionOptions& options) {
    if (!canStart()) return false;
    start([this, count, options] {
        auto result = std::make_shared<ReconstructionResult>();
        const ml::ReconstructionProgress onProgress = throttledProgress();
        result->reconstruction.candidates =
            m_model->generate(count, options, onProgress, &m_cancel);
        return result;
    });
    return true;
}

ml::ReconstructionProgress ReconstructionRunner::throttledProgress() {
    struct Last {
        std::optional<ml::ReconstructionStage> stage;
        QElapsedTimer clock;
    };
    auto last = std::make_shared<Last>();
    return [this, last](ml::ReconstructionStage stage, double share) {
        if (last->stage == stage && last->clock.isValid() && last->clock.elapsed() < 50) return;
        last->stage = stage;
        last->clock.start();
        Q_EMIT progress(QString(ml::stageName(stage)), share);
    };
}

void ReconstructionRunner::start(std::function<std::shared_ptr<ReconstructionResult>()> job) {
    m_cancel = false;
    m_job.setFuture(QtConcurrent::run(&m_pool, [this, job = std::move(job)] {
        lowerThisThreadsPriority();
        Outcome outcome;
        QElapsedTimer clock;
        clock.start();
        try {
            std::shared_ptr<ReconstructionResult> result = job();
            for (const ml::Candidate& c : result->reconstruction.candidates)
                result->meshes.push_back(c.valid() ? cad::tessellate(c.shape)
                                                   : cad::TriangleMesh{});
            result->seconds = double(clock.elapsed()) / 1000.0;
            outcome.result = std::move(result);
        } catch (const ml::Cancelled&) {
            outcome.cancelled = true;
        } catch (const std::exception& e) {
            outcome.error = QString("Reconstruction failed: %1").arg(e.what());
        }
        return outcome;
    }));
}

} // namespace img2cad::ui
