// SPDX-License-Identifier: MIT
#pragma once
// The labelling tool's pose box: where the attached CAD sits in the photo. "Place on the mask"
// puts the CAD's silhouette over the part; the user turns and moves it with the six fields
// (its outline is drawn over the photo as they change), and "Fit to the mask" searches the pose
// whose silhouette overlaps the mask best, from the fields' pose, on a worker
// (ml/vision/silhouette_pose.h). Every pose that changes is offered to be stored.

#include "ui/labelling/capture_project.h"

#include <QFutureWatcher>
#include <QGroupBox>
#include <QPolygonF>

#include <array>
#include <memory>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace img2cad::ui {

class PoseEditor : public QGroupBox {
    Q_OBJECT
public:
    explicit PoseEditor(QWidget* parent = nullptr);
    ~PoseEditor() override;

    /// The capture shown: its CAD's surface (null: no CAD), its mask (null: none yet), its
    /// photo's size and its stored pose.
    void showCapture(qint64 id, std::shared_ptr<const cad::TriangleMesh> mesh, const QImage& mask,
                     QSize photoSize, const std::optional<CapturePose>& pose);
    std::optional<CapturePose> pose() const { return m_pose; }

    /// A first pose: the silhouette centred and sized on the mask (or the photo).
    void placeOnMask();
    /// The silhouette-IoU search from the current pose (on a worker); emits fitted.
    void fitToMask();
    void clearPose();
    /// Sets the six fields as a user would (azimuth, elevation, roll in degrees, scale in px
    /// per CAD size, centre x and y in px) and stores the pose.
    void setFields(const ml::CadPose& pose);
    bool isFitting() const { return m_fitting.isRunning(); }

Q_SIGNALS:
    /// The pose of capture `id` changed (nullopt: cleared): store it.
    void poseEdited(qint64 id, const std::optional<img2cad::ui::CapturePose>& pose);
    /// The silhouette's outline to draw over the photo (empty: none).
    void outlineChanged(const QList<QPolygonF>& outline);
    void fitted(qint64 id, double iou);
    void failed(const QString& message);

private:
    void onFieldEdited();
    /// Fills the six fields without taking it as an edit.
    void showFields(const ml::CadPose& pose);
    /// Shows `pose` (IoU against the mask when there is one, outline) and emits poseEdited.
    void apply(const std::optional<ml::CadPose>& pose, bool store);
    void refreshEnabled();

    qint64 m_id = -1;
    std::shared_ptr<const cad::TriangleMesh> m_mesh;
    QImage m_mask;
    QSize m_photoSize;
    std::optional<CapturePose> m_pose;
    std::array<QDoubleSpinBox*, 6> m_fields{};
    QPushButton* m_place = nullptr;
    QPushButton* m_fit = nullptr;
    QPushButton* m_clear = nullptr;
    QLabel* m_iou = nullptr;
    bool m_showing = false; ///< filling the fields: their changes are not edits
    struct FitOutcome {
        ml::PoseFit fit;
        QString error;
    };
    QFutureWatcher<FitOutcome> m_fitting;
    qint64 m_fittingId = -1;
};

} // namespace img2cad::ui
