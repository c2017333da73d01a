// SPDX-License-Identifier: MIT
// The Chamfer distance of appendix A on hand-computed cases.

#include "test_registry.h"

#include "cad/error.h"
#include "cad/metrics/chamfer.h"

#include <QTest>

using namespace img2cad::cad;

class TestChamfer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesHandComputedValues();
    void refusesEmptySets();
};

void TestChamfer::matchesHandComputedValues() {
    const std::vector<Vec3f> a{{0, 0, 0}, {1, 0, 0}};
    QCOMPARE(chamferDistance(a, a), 0.0);
    // Every point 0.5 away from its nearest neighbour, both ways.
    const std::vector<Vec3f> shifted{{0, 0.5f, 0}, {1, 0.5f, 0}};
    QCOMPARE(chamferDistance(a, shifted), 0.5);
    // One point vs two: (0,0,0) is 1 from its nearest; (0,0,1) and (0,0,3) are 1 and 3 from
    // (0,0,0), mean 2. CD = (1 + 2) / 2, the same both ways.
    const std::vector<Vec3f> one{{0, 0, 0}};
    const std::vector<Vec3f> two{{0, 0, 1}, {0, 0, 3}};
    QCOMPARE(chamferDistance(one, two), 1.5);
    QCOMPARE(chamferDistance(two, one), 1.5);
    // Its two directions.
    QCOMPARE(meanNearestDistance(one, two), 1.0);
    QCOMPARE(meanNearestDistance(two, one), 2.0);
}

void TestChamfer::refusesEmptySets() {
    QVERIFY_THROWS_EXCEPTION(Error, chamferDistance({}, {{0, 0, 0}}));
    QVERIFY_THROWS_EXCEPTION(Error, chamferDistance({{0, 0, 0}}, {}));
    QVERIFY_THROWS_EXCEPTION(Error, meanNearestDistance({}, {{0, 0, 0}}));
}

IMG2CAD_REGISTER_TEST(TestChamfer)
#include "test_chamfer.moc"
