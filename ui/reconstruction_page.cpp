// SPDX-License-Identifier: MIT
#include "ui/reconstruction_page.h"

#include "ui/candidate_grid.h"
#include "ui/photo_panel.h"
#include "ui/reconstruction_runner.h"
#include "viewer/part_scene.h"
#include "viewer/vtk_widget.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace img2cad::ui {
namespace {

/// A titled box around a panel.
QWidget* titled(const QString& title, QWidget* content, QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    auto* label = new QLabel("<b>" + title + "</b>", box);
    layout->addWidget(label);
    content->setParent(box);
    layout->addWidget(content, 1);
    return box;
}

QString summaryOf(const ReconstructionResult& result) {
    const auto& candidates = result.reconstruction.candidates;
    const auto valid = std::count_if(candidates.begin(), candidates.end(),
                                     [](const auto& c) { return c.valid(); });
    QString text = QString("%1 of %2 candidates valid, %3 s")
                       .arg(valid)
                       .arg(candidates.size())
                       .arg(result.seconds, 0, 'f', 1);
    if (!result.input.isEmpty()) text = result.input + ": " + text;
    return text;
}

} // namespace

ReconstructionPage::ReconstructionPage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* vertical = new QSplitter(Qt::Vertical, this);
    auto* inputs = new QSplitter(Qt::Horizontal, vertical);
    m_photo = new PhotoPanel;
    m_photo->setObjectName("photoPanel");
    m_coarse = new viewer::VtkWidget;
    m_coarse->setObjectName("coarseCloudView");
    m_refined = new viewer::VtkWidget;
    m_refined->setObjectName("refinedCloudView");
    inputs->addWidget(titled("Photo and part mask", m_photo, inputs));
    inputs->addWidget(titled("Coarse cloud P_raw, coloured by importance", m_coarse, inputs));
    inputs->addWidget(titled("Refined cloud P_ref", m_refined, inputs));
    auto* lower = new QWidget(vertical);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(lower);
    m_summary->setObjectName("reconstructionSummary");
    m_candidates = new CandidateGrid(lower);
    m_candidates->setObjectName("candidateGrid");
    lowerLayout->addWidget(m_summary);
    lowerLayout->addWidget(m_candidates, 1);
    vertical->addWidget(inputs);
    vertical->addWidget(lower);
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 3);
    layout->addWidget(vertical);
}

void ReconstructionPage::showResult(std::shared_ptr<const ReconstructionResult> result) {
    const ml::Reconstruction& r = result->reconstruction;
    if (!r.photoMask.empty()) m_photo->setMask(toQImage(r.photoMask));
    if (r.raw.size() > 0) {
        viewer::CloudStyle style;
        style.scalarName = "importance";
        viewer::showPointCloud(*m_coarse, r.raw, r.importance, style);
        viewer::showPointCloud(*m_refined, r.refined);
    } else {
        viewer::clearScene(*m_coarse);
        viewer::clearScene(*m_refined);
    }
    m_summary->setText(summaryOf(*result));
    m_candidates->showCandidates(std::move(result));
}

void ReconstructionPage::clearResults() {
    viewer::clearScene(*m_coarse);
    viewer::clearScene(*m_refined);
    m_candidates->clear();
    m_summary->clear();
}

} // namespace img2cad::ui
