// SPDX-License-Identifier: MIT
// The 24 axis-aligned turns: all there, each once, the identity first, none a mirror; a turned
// program compiles to the turned solid.

#include "test_registry.h"

#include "cad/axis_rotation.h"
#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>

using namespace img2cad;
using namespace img2cad::cad;

namespace {

bool isAxis(Vec3 v) {
    return std::abs(v.x) + std::abs(v.y) + std::abs(v.z) == 1.0 &&
           (std::abs(v.x) == 1.0 || std::abs(v.y) == 1.0 || std::abs(v.z) == 1.0);
}

} // namespace

class TestAxisRotation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void areTheTwentyFourTurns();
    void turnAProgramsSolid();
};

void TestAxisRotation::areTheTwentyFourTurns() {
    const auto all = axisRotations();
    QVERIFY(all.front().isIdentity());
    for (std::size_t i = 0; i < all.size(); ++i) {
        const AxisRotation& r = all[i];
        QVERIFY(isAxis(r.xDir) && isAxis(r.yDir) && isAxis(r.zDir()));
        QCOMPARE(r.xDir.dot(r.yDir), 0.0);
        QCOMPARE(r.xDir.cross(r.yDir).dot(r.zDir()), 1.0); // a turn, not a mirror
        QCOMPARE(i == 0, r.isIdentity());
        for (std::size_t j = 0; j < i; ++j)
            QVERIFY(all[j].xDir != r.xDir || all[j].yDir != r.yDir);
    }
}

void TestAxisRotation::turnAProgramsSolid() {
    // An L bracket's box is different along each axis, so each turn shows in the solid's box.
    const Program part = generatePart(3).program;
    const BoundingBox box = analyse(compile(part)).bbox;
    const Vec3 side = box.max - box.min;
    const double apart = 0.01 * box.largestSide();
    QVERIFY(std::abs(side.x - side.y) > apart && std::abs(side.y - side.z) > apart &&
            std::abs(side.x - side.z) > apart);
    for (const AxisRotation& r : axisRotations()) {
        const BoundingBox turned = analyse(compile(rotated(part, r))).bbox;
        BoundingBox expected;
        expected.add(r.apply(box.min)), expected.add(r.apply(box.max));
        for (const auto& [got, want] :
             {std::pair{turned.min, expected.min}, std::pair{turned.max, expected.max}}) {
            QVERIFY(std::abs(got.x - want.x) < 1e-3 * box.largestSide());
            QVERIFY(std::abs(got.y - want.y) < 1e-3 * box.largestSide());
            QVERIFY(std::abs(got.z - want.z) < 1e-3 * box.largestSide());
        }
    }
}

IMG2CAD_REGISTER_TEST(TestAxisRotation)
#include "test_axis_rotation.moc"
