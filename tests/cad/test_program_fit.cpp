// SPDX-License-Identifier: MIT
// Fitting a program's numbers to a cloud: a generated part whose extents and sketch planes were
// knocked off finds its way back towards its own surface; an extent far too deep comes back in
// growing steps; a part lying on its side is turned back; an exact program is never made worse;
// the search spends no more compiles than it is given, repeats itself exactly, and refuses what
// it cannot fit.

#include "test_registry.h"

#include "cad/axis_rotation.h"
#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/generator/part_generator.h"
#include "cad/metrics/chamfer.h"
#include "cad/normalization.h"
#include "cad/program_fit.h"
#include "cad/sampling.h"
#include "cad/shape_map.h"
#include "cad/tessellation.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>
#include <optional>

using namespace img2cad;
using namespace img2cad::cad;

namespace {

/// A generated part in its unit cube (the frame the reconstructor fits in).
Program unitPart(std::uint64_t seed) {
    const Program part = generatePart(seed).program;
    return Normalization::toUnitCube(analyse(compile(part)).bbox).apply(part);
}

std::vector<Vec3f> surfaceOf(const Program& program, std::uint64_t seed = 5) {
    return samplePoints(tessellate(compile(program)), 2000, seed).positions;
}

/// The part with every extent 15 % deeper and every sketch plane moved by 0.03 (3 % of the
/// part) along the model's x and z: the kind of error the codebook's decoders make.
Program knockedOff(Program program) {
    for (Extrude& extrude : program.extrudes) {
        extrude.extent.distance *= 1.15;
        extrude.extent.distance2 *= 1.15;
        extrude.plane.origin = extrude.plane.origin + Vec3{0.03, 0.0, 0.03};
    }
    return program;
}

} // namespace

class TestProgramFit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bringsAKnockedOffPartBack();
    void bringsAFarOffNumberBackInGrowingSteps();
    void turnsAPartOnItsSideBack();
    void neverMakesAnExactPartWorse();
    void spendsOnlyItsCompilesAndRepeats();
    void refusesWhatItCannotFit();
};

void TestProgramFit::bringsAKnockedOffPartBack() {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        const Program truth = unitPart(seed);
        const std::vector<Vec3f> cloud = surfaceOf(truth);
        const Program start = knockedOff(truth);
        ProgramFitOptions options;
        options.compiles = 200;
        const ProgramFit fit = fitToCloud(start, cloud, options);
        // Measured with fresh samples (seed 9): the cloud's own seed on a near-identical mesh
        // would draw near-identical points and flatter the fit.
        const double before = chamferDistance(surfaceOf(start, 9), cloud);
        const double after = chamferDistance(surfaceOf(fit.program, 9), cloud);
        qInfo("%s: CD x100 %.2f -> %.2f in %d compiles", truth.name.c_str(), 100 * before,
              100 * after, fit.compiles);
        QVERIFY2(after < 0.7 * before, truth.name.c_str());
        QVERIFY(fit.improved());
        // The same operations, curves and kinds of extent: only numbers moved.
        QCOMPARE(fit.program.extrudes.size(), start.extrudes.size());
        QCOMPARE(curveCount(fit.program), curveCount(start));
        for (std::size_t e = 0; e < start.extrudes.size(); ++e) {
            QCOMPARE(fit.program.extrudes[e].op, start.extrudes[e].op);
            QCOMPARE(fit.program.extrudes[e].extent.type, start.extrudes[e].extent.type);
        }
    }
}

void TestProgramFit::bringsAFarOffNumberBackInGrowingSteps() {
    // A three-extrude plate whose base is 0.33 (a third of the part, 16 first steps) too deep.
    // A sweep tries each of the 18 searched numbers at least once, so 120 compiles are at most
    // 6 sweeps: one fixed step would walk the depth at most 6 x 0.02 = 0.12 of the way back;
    // a step that doubles while it pays must get more than half way.
    const Program truth = unitPart(2);
    QCOMPARE(truth.extrudes.size(), std::size_t(3));
    const double offBy = 0.33;
    Program deep = truth;
    Extent& extent = deep.extrudes.front().extent;
    extent.distance += std::copysign(offBy, extent.distance);
    ProgramFitOptions options;
    options.compiles = 120;
    const ProgramFit fit = fitToCloud(deep, surfaceOf(truth), options);
    const double wanted = truth.extrudes.front().extent.distance;
    const double left = std::abs(fit.program.extrudes.front().extent.distance - wanted);
    qInfo("%s: depth %.3f off -> %.3f off, CD x100 %.2f -> %.2f", truth.name.c_str(), offBy, left,
          100 * fit.before, 100 * fit.after);
    QVERIFY(left < 0.5 * offBy);
    QVERIFY(fit.after < 0.5 * fit.before);
}

void TestProgramFit::turnsAPartOnItsSideBack() {
    // An L bracket turned so that its x axis points along z and its y along x (two quarter turns)
    // misses its cloud by more than any number can make up in 20 compiles; the fit's first step
    // turns it back.
    const Program truth = unitPart(3);
    const std::vector<Vec3f> cloud = surfaceOf(truth);
    const Program onItsSide = rotated(truth, AxisRotation{{0, 0, 1}, {1, 0, 0}});
    ProgramFitOptions options;
    options.compiles = 20;
    options.tryTurns = false;
    const ProgramFit unturned = fitToCloud(onItsSide, cloud, options);
    options.tryTurns = true;
    const ProgramFit fit = fitToCloud(onItsSide, cloud, options);
    options.compiles = 2; // the exact part's objective, measured as the fit measures
    const double exact = fitToCloud(truth, cloud, options).before;
    qInfo("CD x100: exact %.2f, on its side %.2f, fitted without turns %.2f, with %.2f",
          100 * exact, 100 * fit.before, 100 * unturned.after, 100 * fit.after);
    QVERIFY(fit.compiles <= 20);
    QVERIFY(fit.after < 1.2 * exact);
    QVERIFY(unturned.after > 2.0 * fit.after);

    // The turn on its own, as the reconstructor turns every candidate before the fit.
    const std::optional<ProgramTurn> turned = turnedToCloud(onItsSide, surfaceOf(onItsSide), cloud);
    QVERIFY(turned.has_value());
    QVERIFY(chamferDistance(surfaceOf(turned->program, 9), cloud) <
            1.2 * chamferDistance(surfaceOf(truth, 9), cloud));
    // The turned program compiles to the solid of the untouched one mapped by the turn.
    const Shape solid = compile(onItsSide);
    const Vec3 origin = turned->apply({0.0, 0.0, 0.0});
    const ShapeReport direct = analyse(compile(turned->program));
    const ShapeReport moved = analyse(mapped(solid, turned->rotation, turned->match.scale, origin));
    QVERIFY(moved.valid);
    QVERIFY(std::abs(moved.volume - direct.volume) < 1e-6 * direct.volume);
    QVERIFY((moved.bbox.min - direct.bbox.min).norm() < 1e-6);
    QVERIFY((moved.bbox.max - direct.bbox.max).norm() < 1e-6);
    QVERIFY_THROWS_EXCEPTION(Error, mapped(Shape{}, turned->rotation, 1.0, origin));
    QVERIFY_THROWS_EXCEPTION(Error, mapped(solid, turned->rotation, 0.0, origin));
    QVERIFY_THROWS_EXCEPTION(Error, turnedToCloud(truth, {}, cloud));
}

void TestProgramFit::neverMakesAnExactPartWorse() {
    const Program truth = unitPart(4);
    const std::vector<Vec3f> cloud = surfaceOf(truth);
    ProgramFitOptions options;
    options.compiles = 40;
    const ProgramFit fit = fitToCloud(truth, cloud, options);
    QVERIFY(fit.after <= fit.before);
    if (!fit.improved()) QCOMPARE(fit.program, truth);
    // Its own surface, sampled afresh, is as close as a sampled surface gets: the fit may only
    // wander within the sampling's noise of it.
    const double own = chamferDistance(surfaceOf(truth, 9), cloud),
                 fitted = chamferDistance(surfaceOf(fit.program, 9), cloud);
    qInfo("CD x100 of the exact part %.3f, after the fit %.3f", 100 * own, 100 * fitted);
    QVERIFY(fitted < 1.2 * own);
}

void TestProgramFit::spendsOnlyItsCompilesAndRepeats() {
    const Program truth = unitPart(5);
    const std::vector<Vec3f> cloud = surfaceOf(truth);
    ProgramFitOptions options;
    options.compiles = 7;
    const ProgramFit first = fitToCloud(knockedOff(truth), cloud, options);
    QVERIFY(first.compiles <= 7);
    const ProgramFit second = fitToCloud(knockedOff(truth), cloud, options);
    QCOMPARE(second.program, first.program);
    QCOMPARE(second.after, first.after);
}

void TestProgramFit::refusesWhatItCannotFit() {
    const Program part = unitPart(6);
    QVERIFY_THROWS_EXCEPTION(Error, fitToCloud(part, {}));
    Program flat = part;
    flat.extrudes[0].extent = {ExtentType::TwoSided, 0.1, -0.1}; // no depth: does not compile
    QVERIFY_THROWS_EXCEPTION(Error, fitToCloud(flat, surfaceOf(part)));
    QVERIFY_THROWS_EXCEPTION(Error, fitToCloud(part, std::vector<Vec3f>(10, Vec3f{1, 2, 3})));
}

IMG2CAD_REGISTER_TEST(TestProgramFit)
#include "test_program_fit.moc"
