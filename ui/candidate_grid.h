// SPDX-License-Identifier: MIT
#pragma once
// The K candidates side by side: one VTK view per candidate with its rank, Chamfer distance,
// face count and a validity badge. The views' cameras are linked (turning one turns all, so
// the candidates are compared from the same side); clicking a card selects that candidate.

#include <QWidget>

#include <memory>
#include <vector>

class QGridLayout;
class QLabel;
class QFrame;

namespace img2cad::viewer {
class VtkWidget;
}

namespace img2cad::ui {

struct ReconstructionResult;

class CandidateGrid : public QWidget {
    Q_OBJECT
public:
    explicit CandidateGrid(QWidget* parent = nullptr);

    /// Replaces the cards with one per candidate of `result` (in its order: valid ones by
    /// rising CD first) and selects none.
    void showCandidates(std::shared_ptr<const ReconstructionResult> result);
    void clear();

    int count() const { return int(m_cards.size()); }
    int selected() const { return m_selected; }
    void select(int index); ///< emits selectionChanged
    viewer::VtkWidget* view(int index) const;
    QString caption(int index) const;

Q_SIGNALS:
    void selectionChanged(int index);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Card {
        QFrame* frame = nullptr;
        viewer::VtkWidget* view = nullptr;
        QLabel* caption = nullptr;
    };
    void linkCameras(viewer::VtkWidget* source);

    QGridLayout* m_layout = nullptr;
    QLabel* m_placeholder = nullptr;
    std::vector<Card> m_cards;
    std::shared_ptr<const ReconstructionResult> m_result;
    int m_selected = -1;
};

} // namespace img2cad::ui
