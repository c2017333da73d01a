// SPDX-License-Identifier: MIT
// Extent repair: designed programs pass untouched; a symmetric distance below zero and a
// two-sided pair with its ends swapped, which the compiler rejects, become the slab they bound,
// with its volume and place worked out by hand; what has no depth stays an error.

#include "program_fixtures.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/extent_repair.h"
#include "cad/generator/part_generator.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>

using namespace img2cad;
using namespace img2cad::cad;

namespace {

/// A 10 x 10 mm square on the XY plane, extruded with `extent`.
Program squareWith(Extent extent) {
    Program program = test::programOf({test::extrudeOf({test::rectangleLoop(0, 0, 10, 10)}, 1.0)});
    program.extrudes[0].extent = extent;
    return program;
}

bool compiles(const Program& program) {
    try {
        compile(program);
        return true;
    } catch (const Error&) {
        return false;
    }
}

bool near(double a, double b) {
    return std::fabs(a - b) < 1e-6;
}

} // namespace

class TestExtentRepair : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void leavesDesignedProgramsAlone();
    void ordersASymmetricDistanceBelowZero();
    void ordersSwappedTwoSidedEnds();
    void leavesOneSidedAndZeroDepthAlone();
};

void TestExtentRepair::leavesDesignedProgramsAlone() {
    for (std::uint64_t seed = 1; seed <= 32; ++seed) { // two of each family, and random plates
        for (const Program& part : {generatePart(seed).program, test::randomPart(seed)}) {
            int reordered = 0;
            QCOMPARE(orderExtents(part, &reordered), part);
            QVERIFY2(reordered == 0, part.name.c_str());
        }
    }
}

void TestExtentRepair::ordersASymmetricDistanceBelowZero() {
    const Program swapped = squareWith({ExtentType::Symmetric, -1.5, 0.0});
    QVERIFY(!compiles(swapped));
    int reordered = 0;
    const Program ordered = orderExtents(swapped, &reordered);
    QCOMPARE(reordered, 1);
    QCOMPARE(ordered.extrudes[0].extent.distance, 1.5);
    const ShapeReport report = analyse(compile(ordered));
    QVERIFY(report.valid);
    QVERIFY(near(report.volume, 10 * 10 * 3.0)); // z from -1.5 to 1.5
    QVERIFY(near(report.bbox.min.z, -1.5) && near(report.bbox.max.z, 1.5));
}

void TestExtentRepair::ordersSwappedTwoSidedEnds() {
    // Two-sided (d1, d2) bounds the slab from -d2 to d1: (-3, 1) runs from -1 "up" to -3.
    const Program swapped = squareWith({ExtentType::TwoSided, -3.0, 1.0});
    QVERIFY(!compiles(swapped));
    int reordered = 0;
    const Program ordered = orderExtents(swapped, &reordered);
    QCOMPARE(reordered, 1);
    const ShapeReport report = analyse(compile(ordered));
    QVERIFY(report.valid);
    QVERIFY(near(report.volume, 10 * 10 * 2.0));
    QVERIFY(near(report.bbox.min.z, -3.0) && near(report.bbox.max.z, -1.0));
}

void TestExtentRepair::leavesOneSidedAndZeroDepthAlone() {
    for (const Extent extent :
         {Extent{ExtentType::OneSided, -4.0, 0.0}, Extent{ExtentType::TwoSided, 2.0, -2.0},
          Extent{ExtentType::Symmetric, 0.0, 0.0}}) {
        const Program program = squareWith(extent);
        int reordered = 0;
        QCOMPARE(orderExtents(program, &reordered), program);
        QCOMPARE(reordered, 0);
    }
    QVERIFY(compiles(squareWith({ExtentType::OneSided, -4.0, 0.0})));  // against the normal
    QVERIFY(!compiles(squareWith({ExtentType::TwoSided, 2.0, -2.0}))); // no depth: an error
}

IMG2CAD_REGISTER_TEST(TestExtentRepair)
#include "test_extent_repair.moc"
