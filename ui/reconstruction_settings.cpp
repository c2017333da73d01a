// SPDX-License-Identifier: MIT
#include "ui/reconstruction_settings.h"

#include "ml/reconstruct/default_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace img2cad::ui {

ReconstructionSettings ReconstructionSettings::load() {
    QSettings s;
    s.beginGroup("reconstruction");
    ReconstructionSettings r;
    r.modelFolder = s.value("modelFolder", r.modelFolder).toString();
    r.candidates = s.value("candidates", r.candidates).toInt();
    r.steps = s.value("steps", r.steps).toInt();
    r.seed = s.value("seed", r.seed).toInt();
    r.guidance = s.value("guidance", r.guidance).toDouble();
    r.fitCompiles = s.value("fitCompiles", r.fitCompiles).toInt();
    r.fitCandidates = s.value("fitCandidates", r.fitCandidates).toInt();
    r.fitPhotos = s.value("fitPhotos", r.fitPhotos).toBool();
    r.turnCandidates = s.value("turnCandidates", r.turnCandidates).toBool();
    r.samplesPerCandidate = s.value("samplesPerCandidate", r.samplesPerCandidate).toInt();
    r.retrievedParts = s.value("retrievedParts", r.retrievedParts).toInt();
    r.device = s.value("device", r.device).toString();
    return r;
}

void ReconstructionSettings::save() const {
    QSettings s;
    s.beginGroup("reconstruction");
    s.setValue("modelFolder", modelFolder);
    s.setValue("candidates", candidates);
    s.setValue("steps", steps);
    s.setValue("seed", seed);
    s.setValue("guidance", guidance);
    s.setValue("fitCompiles", fitCompiles);
    s.setValue("fitCandidates", fitCandidates);
    s.setValue("fitPhotos", fitPhotos);
    s.setValue("turnCandidates", turnCandidates);
    s.setValue("samplesPerCandidate", samplesPerCandidate);
    s.setValue("retrievedParts", retrievedParts);
    s.setValue("device", device);
}

ml::ReconstructionOptions ReconstructionSettings::options() const {
    ml::ReconstructionOptions o;
    o.candidates = candidates;
    o.sampling.steps = steps;
    o.sampling.seed = std::uint64_t(seed);
    o.sampling.guidance = guidance;
    o.fitCompiles = fitCompiles;
    o.fitCandidates = fitCandidates;
    o.fitPhotos = fitPhotos;
    o.turnCandidates = turnCandidates;
    o.samplesPerCandidate = samplesPerCandidate;
    o.retrievedParts = retrievedParts;
    return o;
}

QString ReconstructionSettings::effectiveModelFolder() const {
    // The environment wins, so that scripts (screenshots, demos) never depend on what a user
    // chose in the dialog.
    if (qEnvironmentVariableIsSet("IMG2CAD_MODEL")) return qEnvironmentVariable("IMG2CAD_MODEL");
    return modelFolder.isEmpty() ? defaultModelFolder() : modelFolder;
}

QString defaultModelFolder() {
    return QString::fromStdString(
        ml::shippedModelFolder(QCoreApplication::applicationDirPath().toStdString()).string());
}

ReconstructionSettingsDialog::ReconstructionSettingsDialog(const ReconstructionSettings& settings,
                                                           QWidget* parent)
    : QDialog(parent) {
    setWindowTitle("Reconstruction settings");
    auto* form = new QFormLayout(this);

    m_model = new QLineEdit(settings.modelFolder, this);
    m_model->setPlaceholderText("the default model: " + defaultModelFolder());
    auto* browse = new QPushButton("Browse...", this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, "Model folder");
        if (!folder.isEmpty()) m_model->setText(folder);
    });
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(browse);
    form->addRow("Model folder", modelRow);

    m_candidates = new QSpinBox(this);
    m_candidates->setRange(1, 32);
    m_candidates->setValue(settings.candidates);
    form->addRow("Candidates (K)", m_candidates);
    m_steps = new QSpinBox(this);
    m_steps->setRange(1, 1000);
    m_steps->setValue(settings.steps);
    m_steps->setToolTip("Reverse-diffusion steps: fewer is faster, more is closer to training.");
    form->addRow("Diffusion steps", m_steps);
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1 << 30);
    m_seed->setValue(settings.seed);
    form->addRow("Seed", m_seed);
    m_samplesPerCandidate = new QSpinBox(this);
    m_samplesPerCandidate->setObjectName("samplesPerCandidate");
    m_samplesPerCandidate->setRange(0, 16);
    m_samplesPerCandidate->setSpecialValueText("Automatic (4 for clouds, 1 for photos)");
    m_samplesPerCandidate->setValue(settings.samplesPerCandidate);
    m_samplesPerCandidate->setToolTip(
        "Sequences sampled for each candidate shown; the candidates nearest the input are kept. "
        "From point clouds 4 bring the best candidate a sixth closer to the part in 2.5x the "
        "time (docs/results.md).");
    form->addRow("Samples per candidate", m_samplesPerCandidate);
    m_retrievedParts = new QSpinBox(this);
    m_retrievedParts->setObjectName("retrievedParts");
    m_retrievedParts->setRange(-1, 16);
    m_retrievedParts->setSpecialValueText("Automatic (4)");
    m_retrievedParts->setValue(settings.retrievedParts);
    m_retrievedParts->setToolTip(
        "Training parts nearest the input, from the model's part library, added to the samples "
        "and ranked, turned and fitted with them (nothing when the model has no library).");
    form->addRow("Retrieved parts", m_retrievedParts);
    m_guidance = new QDoubleSpinBox(this);
    m_guidance->setRange(0.0, 10.0);
    m_guidance->setSingleStep(0.5);
    m_guidance->setValue(settings.guidance);
    m_guidance->setToolTip("Classifier-free guidance scale: 1 = none, higher follows the "
                           "photo more closely and varies less.");
    form->addRow("Guidance", m_guidance);
    m_fitCompiles = new QSpinBox(this);
    m_fitCompiles->setRange(0, 1000);
    m_fitCompiles->setValue(settings.fitCompiles);
    m_fitCompiles->setSpecialValueText("off");
    m_fitCompiles->setToolTip(
        "Compiles each candidate may spend moving its sketches and extents onto the input's "
        "points: more is closer and slower. Point clouds and scans are fitted; a photo's "
        "candidates only when asked below (docs/results.md).");
    form->addRow("Fit to the input (compiles)", m_fitCompiles);
    m_fitCandidates = new QSpinBox(this);
    m_fitCandidates->setRange(0, 32);
    m_fitCandidates->setValue(settings.fitCandidates);
    m_fitCandidates->setSpecialValueText("all");
    m_fitCandidates->setToolTip("How many of the best-ranked candidates are fitted.");
    form->addRow("Candidates fitted", m_fitCandidates);
    m_fitPhotos = new QCheckBox("Fit a photo's candidates too", this);
    m_fitPhotos->setObjectName("fitPhotos");
    m_fitPhotos->setChecked(settings.fitPhotos);
    m_fitPhotos->setToolTip("A photo's candidates are fitted to the cloud lifted from it, whose "
                            "errors they then take on: measured, no closer candidates and a "
                            "worse ranking (docs/results.md).");
    form->addRow("", m_fitPhotos);
    m_turnCandidates = new QCheckBox("Turn candidates to the input", this);
    m_turnCandidates->setObjectName("turnCandidates");
    m_turnCandidates->setChecked(settings.turnCandidates);
    m_turnCandidates->setToolTip(
        "Each candidate is tried in the 24 quarter-turn orientations and kept in the one nearest "
        "the input's points: a candidate generated lying on its side comes back upright "
        "(docs/results.md).");
    form->addRow("", m_turnCandidates);
    m_device = new QComboBox(this);
    m_device->addItems({"cpu", "cuda"});
    m_device->setCurrentText(settings.device);
    form->addRow("Device", m_device);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

ReconstructionSettings ReconstructionSettingsDialog::settings() const {
    ReconstructionSettings s;
    s.modelFolder = m_model->text().trimmed();
    s.candidates = m_candidates->value();
    s.steps = m_steps->value();
    s.seed = m_seed->value();
    s.guidance = m_guidance->value();
    s.fitCompiles = m_fitCompiles->value();
    s.fitCandidates = m_fitCandidates->value();
    s.fitPhotos = m_fitPhotos->isChecked();
    s.turnCandidates = m_turnCandidates->isChecked();
    s.samplesPerCandidate = m_samplesPerCandidate->value();
    s.retrievedParts = m_retrievedParts->value();
    s.device = m_device->currentText();
    return s;
}

} // namespace img2cad::ui
