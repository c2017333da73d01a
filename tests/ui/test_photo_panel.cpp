// SPDX-License-Identifier: MIT
// The photo panel's mask hints, driven with the mouse as a user would: a dragged rectangle,
// Shift+drag part scribbles and Ctrl+drag background scribbles arrive in the photo's pixels
// (the panel shows the photo scaled), are drawn where they were made, and right-click clears.

#include "test_registry.h"

#include "ui/photo_panel.h"

#include <QSignalSpy>
#include <QTest>

using namespace img2cad;

class TestPhotoPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recordsRectangleAndScribblesInPhotoPixels();
};

void TestPhotoPanel::recordsRectangleAndScribblesInPhotoPixels() {
    ui::PhotoPanel panel;
    panel.resize(400, 300);
    QImage photo(800, 600, QImage::Format_RGB888); // shown at half size, filling the panel
    photo.fill(QColor(128, 128, 128));
    panel.setPhoto(photo);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy changed(&panel, &ui::PhotoPanel::hintChanged);

    QTest::mousePress(&panel, Qt::LeftButton, Qt::NoModifier, QPoint(50, 50));
    QTest::mouseMove(&panel, QPoint(100, 80));
    QTest::mouseRelease(&panel, Qt::LeftButton, Qt::NoModifier, QPoint(150, 100));
    QVERIFY(panel.hintRect().has_value());
    QCOMPARE(panel.hintRect()->x, 100);
    QCOMPARE(panel.hintRect()->y, 100);
    QCOMPARE(panel.hintRect()->width, 200);
    QCOMPARE(panel.hintRect()->height, 100);

    QTest::mousePress(&panel, Qt::LeftButton, Qt::ShiftModifier, QPoint(200, 150));
    QTest::mouseMove(&panel, QPoint(250, 150));
    QTest::mouseRelease(&panel, Qt::LeftButton, Qt::ShiftModifier, QPoint(300, 160));
    QTest::mousePress(&panel, Qt::LeftButton, Qt::ControlModifier, QPoint(20, 280));
    QTest::mouseRelease(&panel, Qt::LeftButton, Qt::ControlModifier, QPoint(380, 280));
    QCOMPARE(changed.size(), 3);
    const ml::MaskHints hints = panel.hints();
    QVERIFY(hints.rect.has_value()); // scribbles do not replace the rectangle
    QCOMPARE(hints.strokes.size(), std::size_t(2));
    const ml::MaskStroke& part = hints.strokes[0];
    QVERIFY(part.foreground);
    QCOMPARE(part.points.size(), std::size_t(3));
    QCOMPARE(part.points.front(), (std::array<int, 2>{400, 300}));
    QCOMPARE(part.points.back(), (std::array<int, 2>{600, 320}));
    QCOMPARE(part.radius, 16); // 8 screen pixels at half scale
    QVERIFY(!hints.strokes[1].foreground);

    // Drawn where made: green on the part scribble, red on the background one, grey elsewhere.
    const QImage shown = panel.grab().toImage();
    const QColor onPart = shown.pixelColor(225, 150), onBackground = shown.pixelColor(200, 280),
                 elsewhere = shown.pixelColor(300, 220);
    QVERIFY2(onPart.green() > onPart.red() + 30, qPrintable(onPart.name()));
    QVERIFY2(onBackground.red() > onBackground.green() + 30, qPrintable(onBackground.name()));
    QVERIFY2(std::abs(elsewhere.red() - elsewhere.green()) < 5, qPrintable(elsewhere.name()));

    QTest::mouseClick(&panel, Qt::RightButton, Qt::NoModifier, QPoint(200, 150));
    QVERIFY(!panel.hintRect().has_value());
    QVERIFY(panel.strokes().empty());
    QCOMPARE(changed.size(), 4);
}

IMG2CAD_REGISTER_TEST(TestPhotoPanel)
#include "test_photo_panel.moc"
