// SPDX-License-Identifier: MIT
// Sketch repair: designed programs (generated and real) pass untouched; bow-ties, arcs crossing
// a neighbour, lines folding back, curves of zero chord and loops crossing each other are
// mended into sketches the kernel compiles, with the volumes worked out by hand; random tangles
// of lines and arcs always come out valid.

#include "program_fixtures.h"
#include "test_paths.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/generator/part_generator.h"
#include "cad/sketch_repair.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace img2cad;
using namespace img2cad::cad;

namespace {

double volumeOf(const Program& program) {
    const ShapeReport report = analyse(compile(program));
    return report.valid ? report.volume : -1.0;
}

bool compiles(const Program& program) {
    try {
        const ShapeReport report = analyse(compile(program));
        return report.valid && report.solids > 0 && report.volume > 0.0;
    } catch (const std::exception&) {
        return false;
    }
}

Program plateOf(Loop loop, double depth = 2.0) {
    return test::programOf({test::extrudeOf({std::move(loop)}, depth)});
}

/// A closed loop of lines through `corners` in order.
Loop polygonLoop(const std::vector<Vec2>& corners) {
    Loop loop;
    for (std::size_t i = 0; i < corners.size(); ++i)
        loop.curves.push_back(Line{corners[i], corners[(i + 1) % corners.size()]});
    return loop;
}

} // namespace

class TestSketchRepair : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void leavesDesignedProgramsAlone();
    void leavesRealSequencesAlone();
    void untanglesABowTie();
    void flattensAnArcCrossingItsNeighbour();
    void mergesLinesFoldingBack();
    void dropsCurvesThatArePoints();
    void dropsALoopCrossingALargerOne();
    void shrinksAHoleThatOutgrewItsOutline();
    void dropsWhatHasNoArea();
    void randomTanglesAlwaysCompile();
};

void TestSketchRepair::leavesDesignedProgramsAlone() {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        const Program part = test::randomPart(seed);
        SketchRepairs repairs;
        QCOMPARE(repairSketches(part, &repairs), part);
        QVERIFY(!repairs.any());
    }
    for (std::uint64_t seed = 1; seed <= 32; ++seed) { // two of each family
        const Program part = generatePart(seed).program;
        SketchRepairs repairs;
        QCOMPARE(repairSketches(part, &repairs), part);
        QVERIFY2(!repairs.any(), part.name.c_str());
    }
}

void TestSketchRepair::leavesRealSequencesAlone() {
    IMG2CAD_REQUIRE_SHARED_DATA();
    int checked = 0;
    for (const auto& file :
         test::filesWithExtensions(test::sharedDataDir() / "sequences", {".json"})) {
        const Program program = importSequenceFile(file).program;
        SketchRepairs repairs;
        QVERIFY2(repairSketches(program, &repairs) == program && !repairs.any(),
                 file.filename().c_str());
        ++checked;
    }
    QVERIFY(checked > 0);
}

void TestSketchRepair::untanglesABowTie() {
    // Corners of a 10 x 10 square visited crosswise: the diagonals cross. One 2-opt move gives
    // back the square.
    const Program bowTie = plateOf(polygonLoop({{0, 0}, {10, 10}, {10, 0}, {0, 10}}));
    QVERIFY(!compiles(bowTie));
    SketchRepairs repairs;
    const Program repaired = repairSketches(bowTie, &repairs);
    QCOMPARE(repairs.untangledCrossings, 1);
    QCOMPARE(repaired.extrudes[0].profiles[0].loops[0].curves.size(), std::size_t(4));
    QVERIFY(std::abs(volumeOf(repaired) - 200.0) < 1e-6);
}

void TestSketchRepair::flattensAnArcCrossingItsNeighbour() {
    // A triangle (0,0) (10,0) (5,5) whose second side bulges down through the first one.
    Loop loop;
    loop.curves = {Line{{0, 0}, {10, 0}}, Arc{{10, 0}, {8, -2}, {5, 5}}, Line{{5, 5}, {0, 0}}};
    const Program program = plateOf(loop);
    QVERIFY(!compiles(program));
    SketchRepairs repairs;
    const Program repaired = repairSketches(program, &repairs);
    QCOMPARE(repairs.flattenedArcs, 1);
    QVERIFY(std::abs(volumeOf(repaired) - 2.0 * 25.0) < 1e-6); // the triangle, 2 deep
}

void TestSketchRepair::mergesLinesFoldingBack() {
    // Up the right side to y = 10 and back down to y = 5: the two lines overlap.
    const Program program = plateOf(polygonLoop({{0, 0}, {10, 0}, {10, 10}, {10, 5}}));
    QVERIFY(!compiles(program));
    SketchRepairs repairs;
    const Program repaired = repairSketches(program, &repairs);
    QCOMPARE(repairs.mergedFolds, 1);
    QCOMPARE(repaired.extrudes[0].profiles[0].loops[0].curves.size(), std::size_t(3));
    QVERIFY(std::abs(volumeOf(repaired) - 2.0 * 25.0) < 1e-6);
}

void TestSketchRepair::dropsCurvesThatArePoints() {
    // A 10 x 10 square with a full-turn arc at a corner: it starts and ends at the same point.
    Loop loop = test::rectangleLoop(0, 0, 10, 10);
    loop.curves.insert(loop.curves.begin() + 1, Arc{{10, 0}, {12, 1}, {10, 0}});
    const Program program = plateOf(loop);
    QVERIFY(!compiles(program));
    SketchRepairs repairs;
    const Program repaired = repairSketches(program, &repairs);
    QCOMPARE(repairs.droppedCurves, 1);
    QCOMPARE(repaired.extrudes[0].profiles[0].loops[0], test::rectangleLoop(0, 0, 10, 10));
}

void TestSketchRepair::dropsALoopCrossingALargerOne() {
    // A 20 x 10 plate with a hole inside it (kept) and one across its edge whose centre lies
    // outside the plate (dropped: nothing says it was meant as a hole).
    const Program program = test::programOf({test::extrudeOf(
        {test::circleLoop(21, 5, 3), test::rectangleLoop(0, 0, 20, 10), test::circleLoop(5, 5, 2)},
        2.0)});
    QVERIFY(!compiles(program));
    SketchRepairs repairs;
    const Program repaired = repairSketches(program, &repairs);
    QCOMPARE(repairs.droppedLoops, 1);
    const auto& loops = repaired.extrudes[0].profiles[0].loops;
    QCOMPARE(loops.size(), std::size_t(2));
    QCOMPARE(loops[0], test::rectangleLoop(0, 0, 20, 10)); // original order kept
    QVERIFY(std::abs(volumeOf(repaired) - 2.0 * (200.0 - M_PI * 4.0)) < 1e-6);
}

void TestSketchRepair::shrinksAHoleThatOutgrewItsOutline() {
    // A hole of radius 4 centred 3 from the plate's edge crosses it: shrunk about its centre by
    // the largest factor in steps of 0.05 that clears the edge (0.7: radius 2.8).
    const Program program = test::programOf(
        {test::extrudeOf({test::rectangleLoop(0, 0, 20, 10), test::circleLoop(17, 5, 4)}, 2.0)});
    QVERIFY(!compiles(program));
    SketchRepairs repairs;
    const Program repaired = repairSketches(program, &repairs);
    QCOMPARE(repairs.shrunkLoops, 1);
    QCOMPARE(repairs.droppedLoops, 0);
    const auto& loops = repaired.extrudes[0].profiles[0].loops;
    QCOMPARE(loops.size(), std::size_t(2));
    const auto& hole = std::get<Circle>(loops[1].curves.front());
    QVERIFY(std::abs(hole.radius - 2.8) < 1e-9);
    QVERIFY(std::abs(hole.center.x - 17.0) < 1e-6 && std::abs(hole.center.y - 5.0) < 1e-6);
    QVERIFY(std::abs(volumeOf(repaired) - 2.0 * (200.0 - M_PI * 2.8 * 2.8)) < 1e-6);
}

void TestSketchRepair::dropsWhatHasNoArea() {
    // Out and back along one line: nothing is left of the loop, its profile or its extrude;
    // the other extrude stays.
    Program program = plateOf(polygonLoop({{0, 0}, {10, 0}}));
    program.extrudes.push_back(test::extrudeOf({test::rectangleLoop(0, 0, 5, 5)}, 1.0));
    SketchRepairs repairs;
    const Program repaired = repairSketches(program, &repairs);
    QCOMPARE(repairs.droppedLoops, 1);
    QCOMPARE(repaired.extrudes.size(), std::size_t(1));
    QVERIFY(std::abs(volumeOf(repaired) - 25.0) < 1e-6);
}

void TestSketchRepair::randomTanglesAlwaysCompile() {
    // Corners scattered in a square in random order, some sides arcs through a random point:
    // the kind of loop a badly trained decoder writes. Every one must compile after repair
    // (3,000 trials passed when this was written; 100 keep the suite quick).
    std::mt19937_64 rng(2026);
    std::uniform_real_distribution<double> coordinate(0.0, 40.0);
    int tangled = 0;
    for (int trial = 0; trial < 100; ++trial) {
        const int corners = 4 + trial % 9;
        std::vector<Vec2> points;
        for (int i = 0; i < corners; ++i)
            points.push_back({coordinate(rng), coordinate(rng)});
        Loop loop;
        for (int i = 0; i < corners; ++i) {
            const Vec2 a = points[std::size_t(i)], b = points[std::size_t((i + 1) % corners)];
            if (rng() % 3 == 0) {
                const Vec2 middle = (a + b) * 0.5;
                const Vec2 normal{-(b - a).y, (b - a).x};
                loop.curves.push_back(
                    Arc{a, middle + normal * (0.4 * (coordinate(rng) / 40.0 - 0.5)), b});
            } else {
                loop.curves.push_back(Line{a, b});
            }
        }
        const Program program = plateOf(loop, 3.0);
        tangled += compiles(program) ? 0 : 1;
        SketchRepairs repairs;
        const Program repaired = repairSketches(program, &repairs);
        QVERIFY2(compiles(repaired), qPrintable(QString("trial %1").arg(trial)));
    }
    QVERIFY(tangled > 50); // the test does exercise the repair
}

IMG2CAD_REGISTER_TEST(TestSketchRepair)
#include "test_sketch_repair.moc"
