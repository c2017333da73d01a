// SPDX-License-Identifier: MIT
#pragma once
// The input photo, as the models read it (upright, size-bounded), with the part mask found in
// it overlaid in green and the user's hint rectangle: drag a rectangle around the part when the
// automatic mask misses it (right-click clears it); the next reconstruction uses it.

#include "cad/geometry/image.h"
#include "ml/vision/part_mask.h"

#include <QImage>
#include <QWidget>

#include <optional>

namespace img2cad::ui {

/// A cad::Image (RGB or grey) as a QImage (deep copy).
QImage toQImage(const cad::Image& image);

class PhotoPanel : public QWidget {
    Q_OBJECT
public:
    explicit PhotoPanel(QWidget* parent = nullptr);

    void setPhoto(const QImage& photo); ///< clears the mask and the hint
    void setMask(const QImage& mask);   ///< 1 channel, the photo's size; empty hides it
    void clear();
    const QImage& photo() const { return m_photo; }
    bool hasMask() const { return !m_mask.isNull(); }

    std::optional<ml::PixelRect> hintRect() const { return m_hint; }
    void setHintRect(std::optional<ml::PixelRect> rect);

Q_SIGNALS:
    void hintChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QRectF imageArea() const; ///< where the photo is drawn, aspect kept
    QPointF toImage(const QPointF& widgetPoint) const;

    QImage m_photo, m_overlay;
    QImage m_mask;
    std::optional<ml::PixelRect> m_hint;
    std::optional<QPointF> m_dragStart; ///< image coordinates
};

} // namespace img2cad::ui
