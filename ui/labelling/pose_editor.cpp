// SPDX-License-Identifier: MIT
#include "ui/labelling/pose_editor.h"

#include "ui/photo_panel.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QtConcurrent/QtConcurrentRun>

namespace img2cad::ui {
namespace {

QDoubleSpinBox* field(double low, double high, double step, const QString& suffix,
                      QWidget* parent) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(low, high);
    box->setSingleStep(step);
    box->setDecimals(1);
    box->setSuffix(suffix);
    box->setKeyboardTracking(false); // one edit per value typed, not per key
    return box;
}

} // namespace

PoseEditor::PoseEditor(QWidget* parent) : QGroupBox("CAD pose in the photo", parent) {
    setObjectName("poseEditor");
    auto* form = new QFormLayout(this);
    m_fields = {field(-360, 360, 5, " °", this),        field(-89, 89, 5, " °", this),
                field(-360, 360, 5, " °", this),        field(1, 100000, 5, " px", this),
                field(-100000, 100000, 2, " px", this), field(-100000, 100000, 2, " px", this)};
    const std::array<const char*, 6> labels{"Azimuth",    "Elevation", "Roll",
                                            "Size (CAD)", "Centre x",  "Centre y"};
    const std::array<const char*, 6> names{"poseAzimuth", "poseElevation", "poseRoll",
                                           "poseScale",   "poseCenterX",   "poseCenterY"};
    for (std::size_t i = 0; i < m_fields.size(); ++i) {
        m_fields[i]->setObjectName(names[i]);
        form->addRow(labels[i], m_fields[i]);
        connect(m_fields[i], &QDoubleSpinBox::valueChanged, this, &PoseEditor::onFieldEdited);
    }
    auto* buttons = new QHBoxLayout;
    m_place = new QPushButton("Place on the mask", this);
    m_place->setToolTip("Put the CAD's outline over the part, to turn and move from there");
    m_fit = new QPushButton("Fit to the mask", this);
    m_fit->setObjectName("poseFit");
    m_fit->setToolTip("Search the pose whose silhouette overlaps the mask best, starting from "
                      "this one");
    m_clear = new QPushButton("Clear", this);
    for (QPushButton* button : {m_place, m_fit, m_clear})
        buttons->addWidget(button);
    form->addRow(buttons);
    m_iou = new QLabel(this);
    m_iou->setObjectName("poseIou");
    m_iou->setWordWrap(true);
    form->addRow(m_iou);
    connect(m_place, &QPushButton::clicked, this, &PoseEditor::placeOnMask);
    connect(m_fit, &QPushButton::clicked, this, &PoseEditor::fitToMask);
    connect(m_clear, &QPushButton::clicked, this, &PoseEditor::clearPose);
    connect(&m_fitting, &QFutureWatcher<FitOutcome>::finished, this, [this] {
        const FitOutcome outcome = m_fitting.result();
        refreshEnabled();
        if (m_fittingId != m_id) return; // another capture was selected meanwhile
        if (!outcome.error.isEmpty()) {
            Q_EMIT failed("The pose could not be fitted: " + outcome.error);
            return;
        }
        apply(outcome.fit.pose, true);
        Q_EMIT fitted(m_id, m_pose ? m_pose->iou : 0.0);
    });
    showCapture(-1, nullptr, {}, {}, std::nullopt);
}

PoseEditor::~PoseEditor() {
    m_fitting.waitForFinished();
}

void PoseEditor::showCapture(qint64 id, std::shared_ptr<const cad::TriangleMesh> mesh,
                             const QImage& mask, QSize photoSize,
                             const std::optional<CapturePose>& pose) {
    m_id = id;
    m_mesh = std::move(mesh);
    m_mask = mask;
    m_photoSize = photoSize;
    apply(pose ? std::optional(pose->pose) : std::nullopt, false);
}

void PoseEditor::placeOnMask() {
    if (!m_mesh || m_photoSize.isEmpty()) return;
    QImage region = m_mask;
    if (region.isNull()) { // no mask yet: the middle half of the photo
        region = QImage(m_photoSize, QImage::Format_Grayscale8);
        region.fill(0);
        for (int y = m_photoSize.height() / 4; y < 3 * m_photoSize.height() / 4; ++y)
            std::fill_n(region.scanLine(y) + m_photoSize.width() / 4, m_photoSize.width() / 2, 255);
    }
    try {
        apply(ml::poseCentredOn(*m_mesh, toGreyImage(region), 30.0, 25.0), true);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString("Cannot place the CAD: %1").arg(e.what()));
    }
}

void PoseEditor::fitToMask() {
    if (!m_mesh || m_mask.isNull() || m_fitting.isRunning()) {
        if (m_mask.isNull() && m_mesh)
            Q_EMIT failed("Compute the part's mask first: the fit "
                          "overlaps the CAD's silhouette with it.");
        return;
    }
    m_fittingId = m_id;
    const std::shared_ptr<const cad::TriangleMesh> mesh = m_mesh;
    const cad::Image mask = toGreyImage(m_mask);
    const std::optional<ml::CadPose> start = m_pose ? std::optional(m_pose->pose) : std::nullopt;
    m_fitting.setFuture(QtConcurrent::run([mesh, mask, start] {
        FitOutcome outcome;
        try {
            outcome.fit = ml::fitPose(*mesh, mask, start);
        } catch (const std::exception& e) {
            outcome.error = e.what();
        }
        return outcome;
    }));
    m_iou->setText("Fitting ...");
    refreshEnabled();
}

void PoseEditor::clearPose() {
    apply(std::nullopt, true);
}

void PoseEditor::setFields(const ml::CadPose& pose) {
    showFields(pose);
    onFieldEdited();
}

void PoseEditor::showFields(const ml::CadPose& pose) {
    m_showing = true;
    const std::array<double, 6> values{pose.azimuthDeg, pose.elevationDeg, pose.rollDeg,
                                       pose.scale,      pose.centerX,      pose.centerY};
    for (std::size_t i = 0; i < m_fields.size(); ++i)
        m_fields[i]->setValue(values[i]);
    m_showing = false;
}

void PoseEditor::onFieldEdited() {
    if (m_showing || !m_mesh) return;
    ml::CadPose pose;
    pose.azimuthDeg = m_fields[0]->value();
    pose.elevationDeg = m_fields[1]->value();
    pose.rollDeg = m_fields[2]->value();
    pose.scale = m_fields[3]->value();
    pose.centerX = m_fields[4]->value();
    pose.centerY = m_fields[5]->value();
    apply(pose, true);
}

void PoseEditor::apply(const std::optional<ml::CadPose>& pose, bool store) {
    QList<QPolygonF> outline;
    if (pose && m_mesh && !m_photoSize.isEmpty()) {
        CapturePose shown{*pose, 0.0};
        // One silhouette serves both the IoU and the outline drawn over the photo.
        const cad::Image silhouette =
            ml::renderSilhouette(*m_mesh, *pose, m_photoSize.width(), m_photoSize.height());
        if (!m_mask.isNull()) shown.iou = ml::maskIoU(silhouette, toGreyImage(m_mask));
        for (const auto& polygon : ml::maskOutline(silhouette)) {
            QPolygonF line;
            for (const auto& [x, y] : polygon)
                line << QPointF(x, y);
            outline << line;
        }
        m_pose = shown;
        showFields(*pose);
        m_iou->setText(m_mask.isNull()
                           ? QString("No mask yet: the fit needs one.")
                           : QString("Silhouette IoU with the mask: %1").arg(shown.iou, 0, 'f', 3));
    } else {
        m_pose.reset();
        m_iou->setText(!m_mesh ? QString("Attach the part's CAD to place it in the photo.")
                               : QString("No pose: Place on the mask, then turn it or Fit."));
    }
    refreshEnabled();
    Q_EMIT outlineChanged(outline);
    if (store && m_id >= 0) Q_EMIT poseEdited(m_id, m_pose);
}

void PoseEditor::refreshEnabled() {
    const bool idle = !m_fitting.isRunning();
    for (QDoubleSpinBox* box : m_fields)
        box->setEnabled(idle && m_pose.has_value());
    m_place->setEnabled(idle && m_mesh != nullptr);
    m_fit->setEnabled(idle && m_mesh != nullptr && !m_mask.isNull());
    m_clear->setEnabled(idle && m_pose.has_value());
}

} // namespace img2cad::ui
