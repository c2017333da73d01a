// SPDX-License-Identifier: MIT
// Reading arcs and circles from all their decoded columns (curve_fit.h): exact rows come back
// exactly, and an error in the chord length (the model's worst column) no longer turns the arc.

#include "test_registry.h"

#include "ml/codebook/curve_fit.h"

#include <QTest>

#include <cmath>

using namespace img2cad::ml;

class TestCurveFit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactArcsComeBackExactly();
    void aWrongChordLengthNoLongerTurnsTheArc();
    void circlesWeighDiameterAndCurvature();
};

namespace {

struct ArcRow {
    double l, dx, dy, k;
};

/// The columns the encoder writes for a chord of length `chord` at angle `phi` to the tangent.
ArcRow exactRow(double chord, double phi) {
    return {chord, chord * (std::cos(phi) - 1.0), chord * std::sin(phi),
            2.0 * std::sin(phi) / chord};
}

} // namespace

void TestCurveFit::exactArcsComeBackExactly() {
    // Fillets, shallow arcs, half circles and more, both senses.
    for (const double phi : {0.05, 0.4, 0.7854, 1.2, 1.5708, 2.3, -0.3, -1.0, -2.8})
        for (const double chord : {0.01, 0.08, 0.6}) {
            const ArcRow row = exactRow(chord, phi);
            const ArcChord fit = fitArcChord(row.l, row.dx, row.dy, row.k);
            QVERIFY2(std::abs(fit.halfSweep - phi) < 1e-12 && std::abs(fit.length - chord) < 1e-12,
                     qPrintable(QString("phi %1, chord %2: %3, %4")
                                    .arg(phi)
                                    .arg(chord)
                                    .arg(fit.halfSweep)
                                    .arg(fit.length)));
        }
}

void TestCurveFit::aWrongChordLengthNoLongerTurnsTheArc() {
    // A 90-degree fillet of chord 0.04 decoded with the chord 0.03 too long (about the model's
    // RMS error in that column) and the other columns a little off (theirs).
    const double phi = M_PI / 4.0, chord = 0.04;
    const ArcRow exact = exactRow(chord, phi);
    const ArcRow decoded{exact.l + 0.03, exact.dx + 0.005, exact.dy - 0.003, exact.k + 1.0};
    const double plain = std::atan2(decoded.dy, decoded.l + decoded.dx);
    const ArcChord fit = fitArcChord(decoded.l, decoded.dx, decoded.dy, decoded.k);
    QVERIFY2(std::abs(plain - phi) > 0.2, qPrintable(QString::number(plain))); // ~17 degrees
    QVERIFY2(std::abs(fit.halfSweep - phi) < 0.1, qPrintable(QString::number(fit.halfSweep)));
    QVERIFY2(std::abs(fit.length - chord) < 0.01, qPrintable(QString::number(fit.length)));
}

void TestCurveFit::circlesWeighDiameterAndCurvature() {
    QCOMPARE(fitCircleRadius(0.5, 4.0), 0.25);  // exact: both say 0.25
    QCOMPARE(fitCircleRadius(0.5, 0.0), 0.25);  // no curvature: the diameter alone
    QCOMPARE(fitCircleRadius(0.5, -3.0), 0.25); // nonsense curvature: ignored
    // A small hole (radius 0.02, curvature 50) decoded 0.01 too wide: the curvature, precise
    // at that size, pulls the radius back.
    const double radius = fitCircleRadius(0.05, 50.0);
    QVERIFY2(std::abs(radius - 0.02) < 0.002, qPrintable(QString::number(radius)));
}

IMG2CAD_REGISTER_TEST(TestCurveFit)
#include "test_curve_fit.moc"
