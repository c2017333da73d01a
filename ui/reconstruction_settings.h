// SPDX-License-Identifier: MIT
#pragma once
// What the user chooses about reconstructions (model folder, K, diffusion steps, seed,
// guidance, the fit to the input, device), remembered between runs in QSettings, and the dialog
// that edits it.

#include "ml/reconstruct/reconstructor.h"

#include <QDialog>
#include <QString>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace img2cad::ui {

struct ReconstructionSettings {
    QString modelFolder; ///< empty: the default model (defaultModelFolder())
    int candidates = 8;
    int steps = 20; ///< reverse-diffusion steps (the fast sampler below the model's T)
    int seed = 0;
    double guidance = 1.0;
    /// Fitting the best candidates' numbers to the input (ml::ReconstructionOptions::fitCompiles)
    int fitCompiles = ml::ReconstructionOptions{}.fitCompiles;
    int fitCandidates = int(ml::ReconstructionOptions{}.fitCandidates); ///< 0 = all
    bool fitPhotos = ml::ReconstructionOptions{}.fitPhotos;
    /// Candidates turned towards the input (ml::ReconstructionOptions::turnCandidates)
    bool turnCandidates = ml::ReconstructionOptions{}.turnCandidates;
    /// K x this many sampled, the K nearest the input kept; 0 = automatic (samplesPerCandidate)
    int samplesPerCandidate = int(ml::ReconstructionOptions{}.samplesPerCandidate);
    /// The model library's parts nearest the input among the samples; -1 = automatic
    int retrievedParts = int(ml::ReconstructionOptions{}.retrievedParts);
    QString device = "cpu"; ///< "cpu" or "cuda"

    static ReconstructionSettings load(); ///< from QSettings, defaults where unset
    void save() const;
    ml::ReconstructionOptions options() const;
    /// The model folder to load: $IMG2CAD_MODEL when set, else `modelFolder`, else the default.
    QString effectiveModelFolder() const;
};

/// The shipped default model (ml::shippedModelFolder beside this executable); empty when none.
QString defaultModelFolder();

class ReconstructionSettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ReconstructionSettingsDialog(const ReconstructionSettings& settings,
                                          QWidget* parent = nullptr);
    ReconstructionSettings settings() const;

private:
    QLineEdit* m_model = nullptr;
    QSpinBox* m_candidates = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_samplesPerCandidate = nullptr;
    QSpinBox* m_retrievedParts = nullptr;
    QDoubleSpinBox* m_guidance = nullptr;
    QSpinBox* m_fitCompiles = nullptr;
    QSpinBox* m_fitCandidates = nullptr;
    QCheckBox* m_fitPhotos = nullptr;
    QCheckBox* m_turnCandidates = nullptr;
    QComboBox* m_device = nullptr;
};

} // namespace img2cad::ui
