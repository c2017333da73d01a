// SPDX-License-Identifier: MIT
// Appendix A's primitive measures (Seg Acc, primitive precision / recall) and unconditional
// measures (MMD, COV, JSD, novelty, uniqueness) on hand-computed cases.

#include "test_registry.h"

#include "cad/error.h"
#include "cad/metrics/chamfer.h"
#include "cad/metrics/generation_metrics.h"
#include "cad/metrics/primitive_metrics.h"

#include <QTest>

#include <cmath>

using namespace img2cad::cad;

namespace {

/// A cloud of labelled points: position, face, type.
struct Labelled {
    Vec3f at;
    std::int32_t face;
    PrimitiveType type;
};
PointCloud cloudOf(const std::vector<Labelled>& points) {
    PointCloud cloud;
    for (const Labelled& p : points) {
        cloud.positions.push_back(p.at);
        cloud.faceIndices.push_back(p.face);
        cloud.primitives.push_back(p.type);
    }
    return cloud;
}

constexpr PrimitiveType kPlane = PrimitiveType::Plane, kCylinder = PrimitiveType::Cylinder,
                        kSphere = PrimitiveType::Sphere;

} // namespace

class TestEvaluationMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void segmentationAccuracyCountsAgreeingTruthPoints();
    void primitivesMatchByTypeAndDistance();
    void primitiveMeasuresNeedLabels();
    void chamferMatrixHoldsEveryPairsDistance();
    void mmdAndCoverageFollowTheirDefinitions();
    void jsdIsZeroForEqualSetsAndLn2ForDisjointOnes();
    void noveltyAndUniquenessCountKeys();
};

void TestEvaluationMetrics::segmentationAccuracyCountsAgreeingTruthPoints() {
    const PointCloud truth = cloudOf({{{0, 0, 0}, 0, kPlane},
                                      {{1, 0, 0}, 0, kPlane},
                                      {{0, 1, 0}, 1, kCylinder},
                                      {{1, 1, 0}, 1, kCylinder}});
    // The nearest reconstructed point of each truth point: plane, cylinder, cylinder, plane.
    const PointCloud reconstructed = cloudOf({{{0, 0, 0.1f}, 0, kPlane},
                                              {{1, 0, 0.1f}, 1, kCylinder},
                                              {{0, 1, 0.1f}, 1, kCylinder},
                                              {{1, 1, 0.1f}, 0, kPlane}});
    QCOMPARE(segmentationAccuracy(reconstructed, truth), 0.5);
    QCOMPARE(segmentationAccuracy(truth, truth), 1.0);
    // Measured from the truth's side: one reconstructed point far away changes nothing.
    PointCloud extra = truth;
    extra.positions.push_back({9, 9, 9});
    extra.faceIndices.push_back(7);
    extra.primitives.push_back(kSphere);
    QCOMPARE(segmentationAccuracy(extra, truth), 1.0);
}

void TestEvaluationMetrics::primitivesMatchByTypeAndDistance() {
    // Truth: a plane face, a cylinder face and a sphere face, far apart.
    const PointCloud truth = cloudOf({{{0, 0, 0}, 0, kPlane},
                                      {{0.2f, 0, 0}, 0, kPlane},
                                      {{2, 0, 0}, 1, kCylinder},
                                      {{4, 0, 0}, 2, kSphere}});
    // Generated: the plane 0.05 off (CD 0.05 < 0.1: a match), the cylinder 0.5 off (no match),
    // and a sphere where the truth's plane is (wrong type: no match).
    const PointCloud generated = cloudOf({{{0, 0.05f, 0}, 5, kPlane},
                                          {{0.2f, 0.05f, 0}, 5, kPlane},
                                          {{2, 0.5f, 0}, 6, kCylinder},
                                          {{0.1f, 0, 0}, 7, kSphere}});
    const PrimitiveMatch match = matchPrimitives(generated, truth);
    QCOMPARE(match.generatedFaces, 3);
    QCOMPARE(match.truthFaces, 3);
    QCOMPARE(match.precision, 1.0 / 3.0);
    QCOMPARE(match.recall, 1.0 / 3.0);
    // A looser threshold takes the cylinder too.
    const PrimitiveMatch loose = matchPrimitives(generated, truth, 0.6);
    QCOMPARE(loose.precision, 2.0 / 3.0);
    QCOMPARE(loose.recall, 2.0 / 3.0);
    const PrimitiveMatch self = matchPrimitives(truth, truth);
    QCOMPARE(self.precision, 1.0);
    QCOMPARE(self.recall, 1.0);
}

void TestEvaluationMetrics::primitiveMeasuresNeedLabels() {
    PointCloud unlabelled;
    unlabelled.positions = {{0, 0, 0}};
    const PointCloud labelled = cloudOf({{{0, 0, 0}, 0, kPlane}});
    QVERIFY_THROWS_EXCEPTION(Error, segmentationAccuracy(unlabelled, labelled));
    QVERIFY_THROWS_EXCEPTION(Error, segmentationAccuracy(labelled, PointCloud{}));
    QVERIFY_THROWS_EXCEPTION(Error, matchPrimitives(labelled, unlabelled));
}

void TestEvaluationMetrics::chamferMatrixHoldsEveryPairsDistance() {
    const std::vector<Cloud> a{{{0, 0, 0}, {1, 0, 0}}, {{0, 0, 0}}};
    const std::vector<Cloud> b{{{0, 0.5f, 0}, {1, 0.5f, 0}}, {{0, 0, 1}, {0, 0, 3}}, {{5, 5, 5}}};
    const std::vector<double> matrix = chamferMatrix(a, b, 2);
    QCOMPARE(matrix.size(), std::size_t(6));
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = 0; j < b.size(); ++j)
            QVERIFY(std::abs(matrix[i * b.size() + j] - chamferDistance(a[i], b[j])) < 1e-6);
    QVERIFY(std::abs(matrix[0] - 0.5) < 1e-6); // test_chamfer's hand-computed cases
    QVERIFY(std::abs(matrix[4] - 1.5) < 1e-6);
    QVERIFY_THROWS_EXCEPTION(Error, chamferMatrix({Cloud{}}, b));
}

void TestEvaluationMetrics::mmdAndCoverageFollowTheirDefinitions() {
    // Two samples x three references.
    const std::vector<double> matrix{1, 4, 2, //
                                     3, 1, 5};
    // MMD: each reference's nearest sample, averaged: (1 + 1 + 2) / 3. COV: sample 0's nearest
    // reference is 0, sample 1's is 1: two of three covered.
    const Fidelity all = fidelity(matrix, 2, 3, {0, 1, 2});
    QCOMPARE(all.mmd, 4.0 / 3.0);
    QCOMPARE(all.coverage, 2.0 / 3.0);
    // One draw of references 1 and 2: MMD (1 + 2) / 2; sample 0 now nearest to 2, 1 to 1.
    const Fidelity draw = fidelity(matrix, 2, 3, {1, 2});
    QCOMPARE(draw.mmd, 1.5);
    QCOMPARE(draw.coverage, 1.0);
    QVERIFY_THROWS_EXCEPTION(Error, fidelity(matrix, 2, 3, {3}));
    QVERIFY_THROWS_EXCEPTION(Error, fidelity(matrix, 2, 4, {0}));
    QVERIFY_THROWS_EXCEPTION(Error, fidelity(matrix, 2, 3, {}));
}

void TestEvaluationMetrics::jsdIsZeroForEqualSetsAndLn2ForDisjointOnes() {
    const std::vector<Cloud> corner{{{-0.49f, -0.49f, -0.49f}, {-0.48f, -0.49f, -0.49f}}};
    const std::vector<Cloud> opposite{{{0.49f, 0.49f, 0.49f}}};
    QCOMPARE(occupancyJsd(corner, corner), 0.0);
    QVERIFY(std::abs(occupancyJsd(corner, opposite) - std::log(2.0)) < 1e-12);
    // A shape counts once per voxel (the two corner points share one): p = (1, 0) against
    // q = (1/2, 1/2) over the two voxels.
    const std::vector<Cloud> both{{{-0.49f, -0.49f, -0.49f}, {0.49f, 0.49f, 0.49f}}};
    const double expected =
        0.5 * (std::log(1.0 / 0.75)) + 0.5 * (0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(2.0));
    QVERIFY(std::abs(occupancyJsd(corner, both) - expected) < 1e-12);
    // Points outside the unit cube fall into the border voxels.
    const std::vector<Cloud> outside{{{-3, -3, -3}}};
    QCOMPARE(occupancyJsd(corner, outside), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, occupancyJsd({Cloud{}}, corner));
}

void TestEvaluationMetrics::noveltyAndUniquenessCountKeys() {
    // 3 is a training program; 2 is generated twice.
    const Diversity d = diversity({1, 2, 2, 3}, {3, 9});
    QCOMPARE(d.novelty, 0.75);
    QCOMPARE(d.uniqueness, 0.5);
    QVERIFY_THROWS_EXCEPTION(Error, diversity({}, {1}));
}

IMG2CAD_REGISTER_TEST(TestEvaluationMetrics)
#include "test_evaluation_metrics.moc"
