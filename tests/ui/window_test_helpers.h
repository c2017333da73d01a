// SPDX-License-Identifier: MIT
#pragma once
// What the window tests measure on pictures of views, and waiting for the window's signals.

#include <QImage>
#include <QSignalSpy>

#include <cstdlib>

namespace img2cad::test {

inline bool clearlyDifferent(const QColor& a, const QColor& b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
               std::abs(a.blue() - b.blue()) >
           40;
}

/// Share of pixels that differ clearly from the same view with nothing in it.
inline double changedShare(const QImage& image, const QImage& empty) {
    if (image.size() != empty.size() || image.isNull()) return 0.0;
    qint64 changed = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            changed += clearlyDifferent(image.pixelColor(x, y), empty.pixelColor(x, y));
    return double(changed) / double(image.width() * image.height());
}

/// Share of pixels that differ clearly from the background of their row (the views' background
/// is a vertical gradient, so a row's leftmost pixel is background when nothing touches the
/// left edge): what a view draws, without an empty view to compare with.
inline double drawnShare(const QImage& image) {
    if (image.isNull()) return 0.0;
    qint64 drawn = 0;
    for (int y = 0; y < image.height(); ++y) {
        const QColor background = image.pixelColor(0, y);
        for (int x = 1; x < image.width(); ++x)
            drawn += clearlyDifferent(image.pixelColor(x, y), background);
    }
    return double(drawn) / double(image.width() * image.height());
}

inline bool waitFor(QSignalSpy& spy, int milliseconds = 60000) {
    return !spy.isEmpty() || spy.wait(milliseconds);
}

} // namespace img2cad::test
