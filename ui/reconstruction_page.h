// SPDX-License-Identifier: MIT
#pragma once
// The reconstruction tab: the input photo with its mask, the coarse cloud P_raw coloured by the
// UA-DGCNN's importance (the heatmap), the refined cloud P_ref, and the grid of candidates.

#include <QWidget>

#include <memory>

class QLabel;

namespace img2cad::viewer {
class VtkWidget;
}

namespace img2cad::ui {

class CandidateGrid;
class PhotoPanel;
struct ReconstructionResult;

class ReconstructionPage : public QWidget {
    Q_OBJECT
public:
    explicit ReconstructionPage(QWidget* parent = nullptr);

    PhotoPanel* photo() const { return m_photo; }
    CandidateGrid* candidates() const { return m_candidates; }
    viewer::VtkWidget* coarseView() const { return m_coarse; }
    viewer::VtkWidget* refinedView() const { return m_refined; }

    /// Shows a result: mask over the photo, both clouds (when it had an input), candidates.
    void showResult(std::shared_ptr<const ReconstructionResult> result);
    /// Empties the clouds and the candidates (a new input); the photo stays.
    void clearResults();

private:
    PhotoPanel* m_photo = nullptr;
    viewer::VtkWidget* m_coarse = nullptr;
    viewer::VtkWidget* m_refined = nullptr;
    CandidateGrid* m_candidates = nullptr;
    QLabel* m_summary = nullptr;
};

} // namespace img2cad::ui
