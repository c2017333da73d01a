// SPDX-License-Identifier: MIT
// The Chamfer distance of appendix A on hand-computed cases.

#include "test_registry.h"

#include "cad/error.h"
#include "cad/metrics/chamfer.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

using namespace img2cad::cad;

class TestChamfer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesHandComputedValues();
    void refusesEmptySets();
    void vectorKernelMatchesThePlainLoopToTheBit();
    void stopsOnlyWhenTheBoundIsPassed();
    void readsANonFinitePointAsItAlwaysDid();
};

namespace {

/// The definition, written the plain way: what the vectorised kernel must reproduce exactly.
double plainMeanNearest(const std::vector<Vec3f>& from, const std::vector<Vec3f>& to) {
    double sum = 0.0;
    for (const Vec3f& p : from) {
        float best = std::numeric_limits<float>::max();
        for (const Vec3f& q : to) {
            const float dx = p.x - q.x, dy = p.y - q.y, dz = p.z - q.z;
            best = std::min(best, dx * dx + dy * dy + dz * dz);
        }
        sum += std::sqrt(double(best));
    }
    return sum / double(from.size());
}

std::vector<Vec3f> randomPoints(std::size_t count, std::mt19937& random) {
    std::uniform_real_distribution<float> coordinate(-1.0f, 1.0f);
    std::vector<Vec3f> points(count);
    for (Vec3f& p : points)
        p = {coordinate(random), coordinate(random), coordinate(random)};
    return points;
}

} // namespace

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

// Sizes around the kernel's 8 lanes (a padded tail must change no minimum) and the app's own
// (600 surface points against a 2,048-point cloud).
void TestChamfer::vectorKernelMatchesThePlainLoopToTheBit() {
    std::mt19937 random(7);
    for (const auto& [m, n] : std::vector<std::pair<std::size_t, std::size_t>>{
             {1, 1}, {3, 7}, {9, 8}, {17, 15}, {600, 2048}}) {
        const std::vector<Vec3f> a = randomPoints(m, random), b = randomPoints(n, random);
        QCOMPARE(meanNearestDistance(a, b), plainMeanNearest(a, b));
        QCOMPARE(chamferDistance(a, b), 0.5 * (plainMeanNearest(a, b) + plainMeanNearest(b, a)));
    }
}

void TestChamfer::stopsOnlyWhenTheBoundIsPassed() {
    std::mt19937 random(11);
    const std::vector<Vec3f> a = randomPoints(300, random), b = randomPoints(500, random);
    const double distance = chamferDistance(a, b);
    QCOMPARE(chamferDistanceBelow(a, b, distance * 1.001), distance); // below: exact
    QCOMPARE(chamferDistanceBelow(a, b, std::nextafter(distance, 2.0 * distance)), distance);
    const double infinity = std::numeric_limits<double>::infinity();
    QCOMPARE(chamferDistanceBelow(a, b, distance), infinity); // not below: stopped or not
    QCOMPARE(chamferDistanceBelow(a, b, 0.5 * distance), infinity);
    QCOMPARE(chamferDistanceBelow(a, b, infinity), distance);
    QVERIFY_THROWS_EXCEPTION(Error, chamferDistanceBelow({}, b, 1.0));
}

// Points with a NaN are kept out of the vector kernel (it assumes finite points) and keep the
// plain loop's reading: a NaN point is nobody's nearest, and nothing is near it.
void TestChamfer::readsANonFinitePointAsItAlwaysDid() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<Vec3f> one{{0, 0, 0}};
    const std::vector<Vec3f> withNaN{{nan, 0, 0}, {1, 0, 0}, {0, 2, 0}};
    QCOMPARE(meanNearestDistance(one, withNaN), 1.0);
    QCOMPARE(meanNearestDistance(one, withNaN), plainMeanNearest(one, withNaN));
    QCOMPARE(meanNearestDistance(withNaN, one), plainMeanNearest(withNaN, one));
}

IMG2CAD_REGISTER_TEST(TestChamfer)
#include "test_chamfer.moc"
