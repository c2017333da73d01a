// SPDX-License-Identifier: MIT
#include "ui/candidate_grid.h"

#include "ui/reconstruction_runner.h"
#include "viewer/part_scene.h"
#include "viewer/vtk_widget.h"

#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

namespace img2cad::ui {
namespace {

constexpr int kColumns = 4;
const char* const kFrameStyle = "QFrame#candidateCard { border: 2px solid %1; }";

QString captionOf(const ml::Candidate& c, int index) {
    if (!c.valid())
        return QString("#%1  <span style='color:#b02a37'>&#10007; invalid</span>: %2")
            .arg(index + 1)
            .arg(QString::fromStdString(c.error).toHtmlEscaped());
    return QString("#%1  CD %2  &middot;  %3 faces  <span style='color:#146c43'>&#10003; "
                   "valid</span>%4")
        .arg(index + 1)
        .arg(c.chamfer, 0, 'g', 3)
        .arg(c.report.faces)
        .arg(QString::fromStdString(c.provenance()));
}

} // namespace

CandidateGrid::CandidateGrid(QWidget* parent) : QWidget(parent) {
    m_layout = new QGridLayout(this);
    m_layout->setContentsMargins(4, 4, 4, 4);
    m_placeholder = new QLabel("Candidates appear here: open or drop a photo, a point cloud or a "
                               "part, or use Reconstruct > Unconditional samples.",
                               this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_layout->addWidget(m_placeholder, 0, 0);
}

void CandidateGrid::clear() {
    for (const Card& card : m_cards)
        delete card.frame;
    m_cards.clear();
    m_result.reset();
    m_selected = -1;
    m_placeholder->show();
}

void CandidateGrid::showCandidates(std::shared_ptr<const ReconstructionResult> result) {
    clear();
    m_result = std::move(result);
    const std::vector<ml::Candidate>& candidates = m_result->reconstruction.candidates;
    m_placeholder->setVisible(candidates.empty());
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        Card card;
        card.frame = new QFrame(this);
        card.frame->setObjectName("candidateCard");
        card.frame->setStyleSheet(QString(kFrameStyle).arg("transparent"));
        auto* layout = new QVBoxLayout(card.frame);
        layout->setContentsMargins(2, 2, 2, 2);
        card.view = new viewer::VtkWidget(card.frame);
        card.view->setObjectName(QString("candidateView%1").arg(i));
        card.view->setMinimumSize(160, 140);
        card.view->installEventFilter(this);
        card.caption = new QLabel(captionOf(candidates[i], int(i)), card.frame);
        card.caption->setWordWrap(true);
        card.caption->setTextFormat(Qt::RichText);
        card.caption->installEventFilter(this);
        layout->addWidget(card.view, 1);
        layout->addWidget(card.caption);
        m_layout->addWidget(card.frame, int(i) / kColumns, int(i) % kColumns);
        if (candidates[i].valid()) {
            viewer::showSolid(*card.view, m_result->meshes[i]);
            card.view->setIsometricView();
        }
        connect(card.view, &viewer::VtkWidget::cameraChanged, this,
                [this, view = card.view] { linkCameras(view); });
        m_cards.push_back(card);
    }
}

viewer::VtkWidget* CandidateGrid::view(int index) const {
    return index >= 0 && index < count() ? m_cards[std::size_t(index)].view : nullptr;
}

QString CandidateGrid::caption(int index) const {
    return index >= 0 && index < count() ? m_cards[std::size_t(index)].caption->text() : QString();
}

void CandidateGrid::select(int index) {
    if (index < 0 || index >= count()) return;
    if (m_selected >= 0)
        m_cards[std::size_t(m_selected)].frame->setStyleSheet(
            QString(kFrameStyle).arg("transparent"));
    m_selected = index;
    m_cards[std::size_t(index)].frame->setStyleSheet(QString(kFrameStyle).arg("#0d6efd"));
    Q_EMIT selectionChanged(index);
}

void CandidateGrid::linkCameras(viewer::VtkWidget* source) {
    for (const Card& card : m_cards)
        if (card.view != source) card.view->copyCameraFrom(*source);
}

bool CandidateGrid::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::MouseButtonPress)
        for (int i = 0; i < count(); ++i)
            if (watched == m_cards[std::size_t(i)].view ||
                watched == m_cards[std::size_t(i)].caption) {
                if (i != m_selected) select(i);
                break;
            }
    return QWidget::eventFilter(watched, event); // the view still rotates on the same press
}

} // namespace img2cad::ui
