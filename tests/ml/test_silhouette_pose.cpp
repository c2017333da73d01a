// SPDX-License-Identifier: MIT
// Aligning a CAD's pose to a photo's part mask by silhouette IoU (issue 8): the silhouette of a
// known pose is the "photo"; the search finds a pose whose silhouette covers it from nowhere
// (viewpoints all around) and from a user's rough adjustment, the IoU of hand-made masks is the
// counted one, and masks without a part are refused.

#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/tessellation.h"
#include "ml/error.h"
#include "ml/vision/silhouette_pose.h"

#include <QtTest/QtTest>

using namespace img2cad;

namespace {

cad::TriangleMesh bracket() {
    return cad::tessellate(cad::compile(cad::generatePart(cad::PartFamily::LBracket, 3).program));
}

ml::CadPose truthPose() {
    ml::CadPose pose;
    pose.azimuthDeg = 40.0;
    pose.elevationDeg = 28.0;
    pose.rollDeg = 5.0;
    pose.scale = 150.0;
    pose.centerX = 170.0;
    pose.centerY = 115.0;
    return pose;
}

cad::Image rectangleMask(int x0, int y0, int x1, int y1) {
    cad::Image mask{40, 30, 1, std::vector<std::uint8_t>(40 * 30, 0)};
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            mask.at(x, y) = 255;
    return mask;
}

} // namespace

class TestSilhouettePose : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void viewDirectionsFollowTheAngles();
    void iouCountsPixels();
    void findsThePoseFromNowhere();
    void improvesAUsersRoughPose();
    void refusesMasksWithoutAPart();
};

void TestSilhouettePose::viewDirectionsFollowTheAngles() {
    ml::CadPose pose;
    pose.azimuthDeg = 0.0, pose.elevationDeg = 0.0, pose.rollDeg = 0.0;
    ml::ViewDirection view = ml::viewDirectionOf(pose);
    QVERIFY(std::abs(view.towardsCamera[0] - 1.0) < 1e-12 && std::abs(view.up[2] - 1.0) < 1e-12);
    pose.azimuthDeg = 90.0, pose.rollDeg = 90.0; // from +Y, the image's up turned onto +X
    view = ml::viewDirectionOf(pose);
    QVERIFY(std::abs(view.towardsCamera[1] - 1.0) < 1e-12);
    QVERIFY2(std::abs(std::abs(view.up[0]) - 1.0) < 1e-12, "rolled up is along X");
}

void TestSilhouettePose::iouCountsPixels() {
    // 10 x 10 and 10 x 10 overlapping in 5 x 10: 50 / 150.
    QCOMPARE(ml::maskIoU(rectangleMask(0, 0, 10, 10), rectangleMask(5, 0, 15, 10)), 1.0 / 3.0);
    QCOMPARE(ml::maskIoU(rectangleMask(0, 0, 10, 10), rectangleMask(0, 0, 10, 10)), 1.0);
    QCOMPARE(ml::maskIoU(rectangleMask(0, 0, 0, 0), rectangleMask(0, 0, 0, 0)), 0.0);
}

void TestSilhouettePose::findsThePoseFromNowhere() {
    const cad::TriangleMesh mesh = bracket();
    const cad::Image photoMask = ml::renderSilhouette(mesh, truthPose(), 320, 240);
    const ml::PoseFit fit = ml::fitPose(mesh, photoMask);
    const double iou = ml::maskIoU(ml::renderSilhouette(mesh, fit.pose, 320, 240), photoMask);
    qInfo("from nowhere: IoU %.3f after %d silhouettes", iou, fit.evaluations);
    QVERIFY2(iou > 0.9, qPrintable(QString::number(iou)));
    QVERIFY(std::abs(fit.iou - iou) < 0.05); // measured on the reduced mask, close to full size
}

void TestSilhouettePose::improvesAUsersRoughPose() {
    const cad::TriangleMesh mesh = bracket();
    const cad::Image photoMask = ml::renderSilhouette(mesh, truthPose(), 320, 240);
    ml::CadPose rough = truthPose();
    rough.azimuthDeg += 14.0, rough.elevationDeg -= 9.0, rough.rollDeg += 7.0;
    rough.scale *= 1.12, rough.centerX += 12.0, rough.centerY -= 8.0;
    const double before = ml::maskIoU(ml::renderSilhouette(mesh, rough, 320, 240), photoMask);
    const ml::PoseFit fit = ml::fitPose(mesh, photoMask, rough);
    const double after = ml::maskIoU(ml::renderSilhouette(mesh, fit.pose, 320, 240), photoMask);
    qInfo("rough pose: IoU %.3f -> %.3f after %d silhouettes", before, after, fit.evaluations);
    QVERIFY(before < 0.8);
    QVERIFY2(after > 0.93, qPrintable(QString::number(after)));
    QVERIFY(std::abs(std::remainder(fit.pose.azimuthDeg - truthPose().azimuthDeg, 360.0)) < 5.0);
    QVERIFY(std::abs(fit.pose.scale / truthPose().scale - 1.0) < 0.05);

    const auto outline = ml::maskOutline(ml::renderSilhouette(mesh, fit.pose, 320, 240));
    QVERIFY(!outline.empty() && outline.front().size() >= 4);
}

void TestSilhouettePose::refusesMasksWithoutAPart() {
    const cad::TriangleMesh mesh = bracket();
    QVERIFY_THROWS_EXCEPTION(ml::Error, ml::fitPose(mesh, rectangleMask(0, 0, 0, 0)));
    QVERIFY_THROWS_EXCEPTION(ml::Error,
                             ml::fitPose(cad::TriangleMesh{}, rectangleMask(0, 0, 9, 9)));
}

IMG2CAD_REGISTER_TEST(TestSilhouettePose)
#include "test_silhouette_pose.moc"
