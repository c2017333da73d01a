// SPDX-License-Identifier: MIT
#pragma once
// The input photo, as the models read it (upright, size-bounded), with the part mask found in
// it overlaid in green and the user's hints for the mask (ml/vision/part_mask.h): drag a
// rectangle around the part when the automatic mask misses it, Shift+drag scribbles on the
// part (sure part), Ctrl+drag on the background (sure background); right-click clears them all.
// The next reconstruction uses them.

#include "cad/geometry/image.h"
#include "ml/vision/part_mask.h"

#include <QImage>
#include <QList>
#include <QPolygonF>
#include <QWidget>

#include <array>
#include <optional>
#include <vector>

namespace img2cad::ui {

/// A cad::Image (RGB or grey) as a QImage (deep copy).
QImage toQImage(const cad::Image& image);
/// A QImage as an RGB cad::Image (any format; alpha dropped), as the models take photos.
cad::Image toRgbImage(const QImage& image);
/// A QImage as a 1-channel cad::Image (masks).
cad::Image toGreyImage(const QImage& image);

class PhotoPanel : public QWidget {
    Q_OBJECT
public:
    explicit PhotoPanel(QWidget* parent = nullptr);

    void setPhoto(const QImage& photo); ///< clears the mask and the hint
    void setMask(const QImage& mask);   ///< 1 channel, the photo's size; empty hides it
    /// Outlines drawn over the photo in orange (a CAD's silhouette in the labelling tool), in
    /// the photo's pixels; empty hides them.
    void setOutline(QList<QPolygonF> outline);
    const QList<QPolygonF>& outline() const { return m_outline; }
    void clear();
    const QImage& photo() const { return m_photo; }
    bool hasMask() const { return !m_mask.isNull(); }

    std::optional<ml::PixelRect> hintRect() const { return m_hint; }
    void setHintRect(std::optional<ml::PixelRect> rect);
    const std::vector<ml::MaskStroke>& strokes() const { return m_strokes; }
    void setStrokes(std::vector<ml::MaskStroke> strokes);
    /// Rectangle and scribbles, in the photo's pixels, as the Reconstructor takes them.
    ml::MaskHints hints() const { return {m_hint, m_strokes}; }
    void clearHints();

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
    void addStrokePoint(const QPointF& widgetPoint);

    QImage m_photo, m_overlay;
    QImage m_mask;
    QList<QPolygonF> m_outline;
    std::optional<ml::PixelRect> m_hint;
    std::optional<QPointF> m_dragStart; ///< image coordinates
    std::vector<ml::MaskStroke> m_strokes;
    std::optional<ml::MaskStroke> m_stroke; ///< being drawn
};

} // namespace img2cad::ui
