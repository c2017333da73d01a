// SPDX-License-Identifier: MIT
#pragma once
// The Trainer tab: pick a stage, fill in its data and hyper-parameters (the same options, with
// the same defaults, as `img2cadseq train STAGE`), start, pause, resume; the loss curve draws
// live (Qt Charts) with samples per second and the time left, and the run folder's checkpoint
// and model files are listed with the run's validation once it ends. Training runs on a worker
// (training_job.h); a paused run resumes exactly where it stopped, from its checkpoint, or
// "Finish now" ends it there with its model written. A finished run's model can be put into the
// app's model ("Use in the app").

#include "ui/training/training_job.h"

#include <QWidget>

#include <map>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

class QLineSeries;
class QValueAxis;

namespace img2cad::ui {

class TrainerPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainerPanel(QWidget* parent = nullptr);

    /// Shows `name`'s options with their defaults (only while no run is going).
    void selectStage(const QString& name);
    QString stageName() const;
    /// Sets an option's field as a user would type it (flags: "true" / "false").
    void setOption(const QString& flag, const QString& value);
    QString option(const QString& flag) const;

    /// Starts (or resumes) a run with the fields' values; false (with the reason shown) when
    /// a value is refused or a run is going.
    bool start();
    void pause();
    /// Ends the run at its current step: a going run pauses, then resumes with --steps set to
    /// that step, so the trainer validates and writes the model from the weights so far.
    void finishNow();
    bool isRunning() const { return m_job.isRunning(); }

    /// The loss curve so far: (step, loss) of every progress report.
    QList<QPointF> lossCurve() const;
    QString statusText() const;
    QListWidget* files() const { return m_files; }
    /// The run folder holds a finished model the app can use (not while a run is going).
    bool canUseModel() const;
    /// Asks the window to use the run's model (emits useModelRequested with the run folder).
    void useModelInApp();

Q_SIGNALS:
    void progressed(qint64 step);
    void paused(qint64 step);
    void finished(const QString& summary);
    void failed(const QString& message);
    /// "Use in the app": the window puts the run's stage into its model (ml::composeModel).
    void useModelRequested(const QString& runFolder);

private:
    void onTick(const TrainingTick& tick);
    void refreshFiles();
    void setRunning(bool running);
    void setStatus(const QString& text, bool error = false);

    QComboBox* m_stage = nullptr;
    QFormLayout* m_form = nullptr;
    QWidget* m_formHost = nullptr;
    std::map<QString, QLineEdit*> m_fields;
    std::map<QString, QCheckBox*> m_flags;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_finish = nullptr;
    QPushButton* m_useModel = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_speed = nullptr;
    QLineSeries* m_loss = nullptr;
    QValueAxis* m_stepAxis = nullptr;
    QValueAxis* m_lossAxis = nullptr;
    QListWidget* m_files = nullptr;
    TrainingJob m_job;
    QString m_lastSummary;
    qint64 m_pausedAt = -1;         ///< the step of a paused run, -1 when none is paused
    bool m_finishRequested = false; ///< finish when the pause lands
};

} // namespace img2cad::ui
