// SPDX-License-Identifier: MIT
#include "ui/training/trainer_panel.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

namespace img2cad::ui {
namespace {

QString duration(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    return s >= 3600 ? QString("%1 h %2 min").arg(s / 3600).arg(s / 60 % 60)
                     : QString("%1 min %2 s").arg(s / 60).arg(s % 60);
}

} // namespace

TrainerPanel::TrainerPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_stage = new QComboBox(this);
    m_stage->setObjectName("trainerStage");
    for (const std::string& name : ml::trainingStageNames())
        m_stage->addItem(QString::fromStdString(name));
    m_start = new QPushButton("Start", this);
    m_start->setObjectName("trainerStart");
    m_start->setToolTip("Start the run, or resume it from its checkpoint");
    m_pause = new QPushButton("Pause", this);
    m_pause->setObjectName("trainerPause");
    m_pause->setToolTip("Checkpoint and stop; Start resumes exactly here");
    bar->addWidget(new QLabel("Stage", this));
    bar->addWidget(m_stage);
    m_finish = new QPushButton("Finish now", this);
    m_finish->setObjectName("trainerFinish");
    m_finish->setToolTip("End the run at this step: its model is validated and written from "
                         "the weights so far");
    bar->addWidget(m_start);
    bar->addWidget(m_pause);
    bar->addWidget(m_finish);
    bar->addStretch(1);
    layout->addLayout(bar);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    auto* scroll = new QScrollArea(splitter);
    scroll->setWidgetResizable(true);
    m_formHost = new QWidget(scroll);
    m_form = new QFormLayout(m_formHost);
    scroll->setWidget(m_formHost);

    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    auto* chart = new QChart;
    chart->setTitle("Training loss");
    chart->legend()->hide();
    m_loss = new QLineSeries(chart);
    chart->addSeries(m_loss);
    m_stepAxis = new QValueAxis(chart);
    m_stepAxis->setTitleText("step");
    m_stepAxis->setLabelFormat("%d");
    m_lossAxis = new QValueAxis(chart);
    m_lossAxis->setTitleText("loss");
    chart->addAxis(m_stepAxis, Qt::AlignBottom);
    chart->addAxis(m_lossAxis, Qt::AlignLeft);
    m_loss->attachAxis(m_stepAxis);
    m_loss->attachAxis(m_lossAxis);
    auto* view = new QChartView(chart, right);
    view->setObjectName("trainerChart");
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(240);
    rightLayout->addWidget(view, 3);
    m_speed = new QLabel(right);
    rightLayout->addWidget(m_speed);
    m_status = new QLabel(right);
    m_status->setObjectName("trainerStatus");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rightLayout->addWidget(m_status);
    rightLayout->addWidget(new QLabel("Run folder (checkpoint and model):", right));
    m_files = new QListWidget(right);
    m_files->setObjectName("trainerFiles");
    rightLayout->addWidget(m_files, 1);
    m_useModel = new QPushButton("Use in the app", right);
    m_useModel->setObjectName("trainerUseModel");
    m_useModel->setToolTip("Reconstruct with this run's model: it replaces its stage in the "
                           "app's model (a copy; the model in use is kept)");
    rightLayout->addWidget(m_useModel, 0, Qt::AlignLeft);
    splitter->addWidget(scroll);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_stage, &QComboBox::currentTextChanged, this, &TrainerPanel::selectStage);
    connect(m_start, &QPushButton::clicked, this, &TrainerPanel::start);
    connect(m_pause, &QPushButton::clicked, this, &TrainerPanel::pause);
    connect(m_finish, &QPushButton::clicked, this, &TrainerPanel::finishNow);
    connect(m_useModel, &QPushButton::clicked, this, &TrainerPanel::useModelInApp);
    connect(&m_job, &TrainingJob::progress, this, &TrainerPanel::onTick);
    connect(&m_job, &TrainingJob::paused, this, [this](qint64 step) {
        m_pausedAt = step;
        setRunning(false);
        setStatus(QString("Paused at step %1 with a checkpoint: Start resumes.").arg(step));
        refreshFiles();
        Q_EMIT paused(step);
        if (m_finishRequested) finishNow();
    });
    connect(&m_job, &TrainingJob::finished, this, [this](const QString& summary) {
        m_pausedAt = -1;
        m_finishRequested = false;
        setRunning(false);
        m_lastSummary = summary;
        setStatus("Finished: " + summary);
        refreshFiles();
        Q_EMIT finished(summary);
    });
    connect(&m_job, &TrainingJob::failed, this, [this](const QString& message) {
        m_finishRequested = false;
        setRunning(false);
        setStatus("Training failed: " + message, true);
        Q_EMIT failed(message);
    });
    selectStage(m_stage->currentText());
    setRunning(false);
}

void TrainerPanel::selectStage(const QString& name) {
    if (m_job.isRunning()) return;
    if (m_stage->currentText() != name) {
        m_stage->setCurrentText(name); // comes back here through currentTextChanged
        return;
    }
    m_lastSummary.clear();
    m_pausedAt = -1;
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_fields.clear();
    m_flags.clear();
    const std::unique_ptr<ml::TrainingStage> stage = ml::makeTrainingStage(name.toStdString());
    for (const ml::StageOption& option : stage->options()) {
        const QString flag = QString::fromStdString(option.flag);
        const QString label = flag.mid(2) + (option.required ? " *" : "");
        const QString help = QString::fromStdString(option.help);
        if (option.kind == ml::StageOption::Kind::Flag) {
            auto* box = new QCheckBox(m_formHost);
            box->setChecked(stage->value(option.flag) == "true");
            box->setToolTip(help);
            m_flags[flag] = box;
            m_form->addRow(label, box);
            continue;
        }
        auto* field = new QLineEdit(QString::fromStdString(stage->value(option.flag)), m_formHost);
        field->setObjectName("option" + flag);
        field->setToolTip(help);
        field->setPlaceholderText(help);
        m_fields[flag] = field;
        // Pointing --out at a finished run lists its files and offers its model to the app.
        if (flag == "--out")
            connect(field, &QLineEdit::editingFinished, this, &TrainerPanel::refreshFiles);
        if (option.kind != ml::StageOption::Kind::Folder) {
            m_form->addRow(label, field);
            continue;
        }
        auto* row = new QWidget(m_formHost);
        auto* rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        rowLayout->addWidget(field, 1);
        auto* browse = new QToolButton(row);
        browse->setText("...");
        connect(browse, &QToolButton::clicked, this, [this, field, label] {
            const QString folder = QFileDialog::getExistingDirectory(this, label, field->text());
            if (!folder.isEmpty()) field->setText(folder);
            refreshFiles();
        });
        rowLayout->addWidget(browse);
        m_form->addRow(label, row);
    }
    refreshFiles();
    setStatus(QString::fromStdString(stage->description()) +
              ". Fields marked * are needed; the others start at the paper's defaults.");
}

QString TrainerPanel::stageName() const {
    return m_stage->currentText();
}

void TrainerPanel::setOption(const QString& flag, const QString& value) {
    if (const auto field = m_fields.find(flag); field != m_fields.end()) {
        field->second->setText(value);
        if (flag == "--out") refreshFiles();
    } else if (const auto box = m_flags.find(flag); box != m_flags.end())
        box->second->setChecked(value == "true");
}

QString TrainerPanel::option(const QString& flag) const {
    if (const auto field = m_fields.find(flag); field != m_fields.end())
        return field->second->text();
    if (const auto box = m_flags.find(flag); box != m_flags.end())
        return box->second->isChecked() ? "true" : "false";
    return {};
}

bool TrainerPanel::start() {
    if (m_job.isRunning()) return false;
    std::shared_ptr<ml::TrainingStage> stage;
    try {
        stage = ml::makeTrainingStage(stageName().toStdString());
        for (const auto& [flag, field] : m_fields)
            stage->set(flag.toStdString(), field->text().trimmed().toStdString());
        for (const auto& [flag, box] : m_flags)
            stage->set(flag.toStdString(), box->isChecked() ? "true" : "false");
        stage->checkRequired();
    } catch (const std::exception& e) {
        setStatus(QString("Not started: %1").arg(e.what()), true);
        return false;
    }
    // A new run starts a new curve; a paused one (its checkpoint is there) continues its own.
    if (!QFileInfo::exists(
            QDir(QString::fromStdString(stage->outFolder().string())).filePath("checkpoint.pt"))) {
        m_loss->clear();
        m_lastSummary.clear();
    }
    m_job.start(stage);
    setRunning(true);
    setStatus("Starting (reading the data) ...");
    return true;
}

void TrainerPanel::pause() {
    if (!m_job.isRunning()) return;
    m_job.pause();
    setStatus("Pausing: writing the checkpoint ...");
}

void TrainerPanel::onTick(const TrainingTick& tick) {
    if (tick.resumed || (m_loss->count() > 0 && tick.step <= m_loss->at(m_loss->count() - 1).x())) {
        // A resumed run repeats nothing: drop points past where it resumed from.
        QList<QPointF> kept;
        for (const QPointF& p : m_loss->points())
            if (p.x() < tick.step) kept << p;
        m_loss->replace(kept);
    }
    if (std::isfinite(tick.loss)) m_loss->append(double(tick.step), tick.loss);
    double low = tick.loss, high = tick.loss;
    for (const QPointF& p : m_loss->points()) {
        low = std::min(low, p.y());
        high = std::max(high, p.y());
    }
    m_stepAxis->setRange(0.0, double(std::max<qint64>(1, tick.steps)));
    m_lossAxis->setRange(std::max(0.0, low * 0.9), high * 1.05 + 1e-12);
    m_speed->setText(QString("step %1 / %2 · %3 samples/s · %4 left%5")
                         .arg(tick.step)
                         .arg(tick.steps)
                         .arg(tick.samplesPerSecond, 0, 'f', 1)
                         .arg(duration(tick.etaSeconds))
                         .arg(tick.checkpointed ? " · checkpoint written" : ""));
    setStatus(QString("Training: loss %1").arg(tick.loss, 0, 'g', 4));
    if (tick.checkpointed) refreshFiles();
    Q_EMIT progressed(tick.step);
}

QList<QPointF> TrainerPanel::lossCurve() const {
    return m_loss->points();
}

QString TrainerPanel::statusText() const {
    return m_status->text();
}

void TrainerPanel::finishNow() {
    if (m_job.isRunning()) {
        m_finishRequested = true; // continued when the pause lands (a checkpoint at its step)
        pause();
        return;
    }
    m_finishRequested = false;
    if (m_pausedAt <= 0) {
        setStatus("Nothing to finish: start a run, or finish one after a step.", true);
        return;
    }
    setOption("--steps", QString::number(m_pausedAt));
    start();
}

bool TrainerPanel::canUseModel() const {
    const auto field = m_fields.find("--out");
    return !m_job.isRunning() && field != m_fields.end() &&
           QFileInfo::exists(QDir(field->second->text()).filePath("model.json"));
}

void TrainerPanel::useModelInApp() {
    if (!canUseModel()) {
        setStatus("This run has no finished model yet: it writes one when it ends.", true);
        return;
    }
    Q_EMIT useModelRequested(option("--out"));
}

void TrainerPanel::refreshFiles() {
    m_files->clear();
    m_useModel->setEnabled(canUseModel());
    const auto field = m_fields.find("--out");
    if (field == m_fields.end()) return;
    for (const QFileInfo& info :
         QDir(field->second->text()).entryInfoList(QDir::Files, QDir::Time | QDir::Reversed))
        m_files->addItem(QString("%1  (%2 MB, %3)")
                             .arg(info.fileName())
                             .arg(double(info.size()) / 1e6, 0, 'f', 1)
                             .arg(info.lastModified().toString("yyyy-MM-dd hh:mm:ss")));
    if (!m_lastSummary.isEmpty()) m_files->addItem(m_lastSummary);
}

void TrainerPanel::setRunning(bool running) {
    m_start->setEnabled(!running);
    m_pause->setEnabled(running);
    m_stage->setEnabled(!running);
    m_formHost->setEnabled(!running);
    m_start->setText(running ? "Start" : "Start / resume");
    m_finish->setEnabled(running || m_pausedAt > 0);
    m_useModel->setEnabled(canUseModel());
}

void TrainerPanel::setStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(error ? "color: #a4161a;" : QString());
}

} // namespace img2cad::ui
