// SPDX-License-Identifier: MIT
#include "ui/photo_panel.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>

namespace img2cad::ui {

QImage toQImage(const cad::Image& image) {
    if (image.empty()) return {};
    const QImage::Format format =
        image.channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
    return QImage(image.pixels.data(), image.width, image.height, image.width * image.channels,
                  format)
        .copy();
}

cad::Image toRgbImage(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    cad::Image result{rgb.width(), rgb.height(), 3, {}};
    result.pixels.resize(std::size_t(rgb.width()) * rgb.height() * 3);
    for (int y = 0; y < rgb.height(); ++y)
        std::copy_n(rgb.constScanLine(y), std::size_t(rgb.width()) * 3,
                    result.pixels.begin() + std::ptrdiff_t(y) * rgb.width() * 3);
    return result;
}

cad::Image toGreyImage(const QImage& image) {
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    cad::Image result{grey.width(), grey.height(), 1, {}};
    result.pixels.resize(std::size_t(grey.width()) * grey.height());
    for (int y = 0; y < grey.height(); ++y)
        std::copy_n(grey.constScanLine(y), grey.width(),
                    result.pixels.begin() + std::ptrdiff_t(y) * grey.width());
    return result;
}

PhotoPanel::PhotoPanel(QWidget* parent) : QWidget(parent) {
    setMinimumSize(160, 160);
    setToolTip("The input photo with the part mask in green. If the mask misses: drag a "
               "rectangle around the part, Shift+drag to scribble on the part, Ctrl+drag to "
               "scribble on the background; right-click clears. Reconstruct again to use them.");
}

void PhotoPanel::setPhoto(const QImage& photo) {
    m_photo = photo;
    m_mask = m_overlay = {};
    m_outline.clear();
    m_hint.reset();
    m_strokes.clear();
    m_stroke.reset();
    update();
}

void PhotoPanel::setStrokes(std::vector<ml::MaskStroke> strokes) {
    m_strokes = std::move(strokes);
    update();
    Q_EMIT hintChanged();
}

void PhotoPanel::clearHints() {
    m_hint.reset();
    m_strokes.clear();
    m_stroke.reset();
    update();
    Q_EMIT hintChanged();
}

void PhotoPanel::setMask(const QImage& mask) {
    m_mask = mask;
    m_overlay = {};
    if (!mask.isNull() && mask.size() == m_photo.size()) {
        // Green, half transparent, where the part is.
        m_overlay = QImage(mask.size(), QImage::Format_ARGB32);
        for (int y = 0; y < mask.height(); ++y) {
            const uchar* row = mask.constScanLine(y);
            auto* out = reinterpret_cast<QRgb*>(m_overlay.scanLine(y));
            for (int x = 0; x < mask.width(); ++x)
                out[x] = row[x] > 127 ? qRgba(40, 200, 80, 110) : qRgba(0, 0, 0, 0);
        }
    }
    update();
}

void PhotoPanel::setOutline(QList<QPolygonF> outline) {
    m_outline = std::move(outline);
    update();
}

void PhotoPanel::clear() {
    setPhoto({});
}

void PhotoPanel::setHintRect(std::optional<ml::PixelRect> rect) {
    m_hint = rect;
    update();
    Q_EMIT hintChanged();
}

QRectF PhotoPanel::imageArea() const {
    if (m_photo.isNull()) return {};
    const QSizeF size = QSizeF(m_photo.size()).scaled(QSizeF(this->size()), Qt::KeepAspectRatio);
    return {QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size};
}

QPointF PhotoPanel::toImage(const QPointF& p) const {
    const QRectF area = imageArea();
    const double scale = double(m_photo.width()) / area.width();
    return {std::clamp((p.x() - area.left()) * scale, 0.0, double(m_photo.width())),
            std::clamp((p.y() - area.top()) * scale, 0.0, double(m_photo.height()))};
}

void PhotoPanel::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (m_photo.isNull()) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, "No photo");
        return;
    }
    const QRectF area = imageArea();
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(area, m_photo);
    if (!m_overlay.isNull()) painter.drawImage(area, m_overlay);
    const double scale = area.width() / double(m_photo.width());
    std::vector<const ml::MaskStroke*> strokes;
    for (const ml::MaskStroke& stroke : m_strokes)
        strokes.push_back(&stroke);
    if (m_stroke) strokes.push_back(&*m_stroke);
    painter.setRenderHint(QPainter::Antialiasing);
    for (const ml::MaskStroke* stroke : strokes) {
        // Drawn as wide as the brush: what is painted is what GrabCut will take as sure.
        const QColor colour =
            stroke->foreground ? QColor(25, 135, 84, 150) : QColor(220, 53, 69, 150);
        painter.setPen(QPen(colour, std::max(1.0, 2.0 * stroke->radius * scale), Qt::SolidLine,
                            Qt::RoundCap, Qt::RoundJoin));
        QPolygonF line;
        for (const auto& [x, y] : stroke->points)
            line << QPointF(area.left() + x * scale, area.top() + y * scale);
        if (line.size() == 1) line << line.front();
        painter.drawPolyline(line);
    }
    painter.setPen(QPen(QColor(253, 126, 20), 2));
    for (const QPolygonF& outline : m_outline) {
        QPolygonF shown;
        for (const QPointF& p : outline)
            shown << QPointF(area.left() + p.x() * scale, area.top() + p.y() * scale);
        painter.drawPolygon(shown);
    }
    if (m_hint) {
        painter.setPen(QPen(QColor(13, 110, 253), 2, Qt::DashLine));
        painter.drawRect(QRectF(area.left() + m_hint->x * scale, area.top() + m_hint->y * scale,
                                m_hint->width * scale, m_hint->height * scale));
    }
}

void PhotoPanel::mousePressEvent(QMouseEvent* event) {
    if (m_photo.isNull()) return;
    if (event->button() == Qt::RightButton) {
        clearHints();
        return;
    }
    if (event->button() != Qt::LeftButton) return;
    const Qt::KeyboardModifiers modifiers = event->modifiers();
    if (modifiers & (Qt::ShiftModifier | Qt::ControlModifier)) {
        // A brush of 8 screen pixels, whatever the zoom: in the photo's pixels.
        const double scale = double(m_photo.width()) / imageArea().width();
        m_stroke =
            ml::MaskStroke{{}, std::max(2, int(8.0 * scale)), bool(modifiers & Qt::ShiftModifier)};
        addStrokePoint(event->position());
        return;
    }
    m_dragStart = toImage(event->position());
}

void PhotoPanel::addStrokePoint(const QPointF& widgetPoint) {
    const QPointF p = toImage(widgetPoint);
    const std::array<int, 2> point{int(p.x()), int(p.y())};
    if (m_stroke->points.empty() || m_stroke->points.back() != point)
        m_stroke->points.push_back(point);
    update();
}

void PhotoPanel::mouseMoveEvent(QMouseEvent* event) {
    if (m_stroke) {
        addStrokePoint(event->position());
        return;
    }
    if (!m_dragStart) return;
    const QRectF r = QRectF(*m_dragStart, toImage(event->position())).normalized();
    m_hint = ml::PixelRect{int(r.x()), int(r.y()), int(r.width()), int(r.height())};
    update();
}

void PhotoPanel::mouseReleaseEvent(QMouseEvent* event) {
    if (m_stroke) {
        addStrokePoint(event->position());
        m_strokes.push_back(std::move(*m_stroke));
        m_stroke.reset();
        Q_EMIT hintChanged();
        return;
    }
    if (!m_dragStart) return;
    mouseMoveEvent(event);
    m_dragStart.reset();
    if (m_hint && (m_hint->width < 4 || m_hint->height < 4)) m_hint.reset(); // a click, not a box
    Q_EMIT hintChanged();
}

} // namespace img2cad::ui
