// SPDX-License-Identifier: MIT
// Editing a program number by number (the window's operation tree): values land where
// addressed, shared loop corners move together so the loop still compiles, and bad edits are
// refused without touching the program.

#include "program_fixtures.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/program_edit.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace img2cad;
using namespace img2cad::cad;

class TestProgramEdit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void depthAndRadiusChangeTheVolume();
    void movingACornerKeepsTheLoopClosed();
    void refusesBadEditsAndLeavesTheProgramAlone();
};

void TestProgramEdit::depthAndRadiusChangeTheVolume() {
    // A 20 x 10 plate 5 deep with a 2 mm hole.
    Program program = test::programOf(
        {test::extrudeOf({test::rectangleLoop(0, 0, 20, 10), test::circleLoop(10, 5, 2)}, 5)});
    const ParameterAddress depth{0, 0, 0, 0, ProgramParameter::Distance};
    QCOMPARE(parameterValue(program, depth), 5.0);
    setParameter(program, depth, 8.0);
    const ParameterAddress radius{0, 0, 1, 0, ProgramParameter::Radius};
    setParameter(program, radius, 3.0);
    QCOMPARE(parameterValue(program, radius), 3.0);
    const double expected = (200.0 - M_PI * 9.0) * 8.0;
    QVERIFY(std::abs(analyse(compile(program)).volume - expected) < 1e-6 * expected);
}

void TestProgramEdit::movingACornerKeepsTheLoopClosed() {
    // Dragging the rectangle's second corner (end of curve 0, start of curve 1) out to x = 30
    // turns the 20 x 10 rectangle into a trapezoid: 10 * (20 + 30) / 2 = 250 mm^2.
    Program program = test::programOf({test::extrudeOf({test::rectangleLoop(0, 0, 20, 10)}, 1)});
    setParameter(program, {0, 0, 0, 0, ProgramParameter::EndX}, 30.0);
    const Loop& loop = program.extrudes[0].profiles[0].loops[0];
    QCOMPARE(curveStart(loop.curves[1]).x, 30.0);
    QVERIFY(std::abs(analyse(compile(program)).volume - 250.0) < 1e-6);
    // The start of curve 0 is the end of the last curve: moving it moves that one (wrapping).
    setParameter(program, {0, 0, 0, 0, ProgramParameter::StartY}, -10.0);
    QCOMPARE(curveEnd(loop.curves[3]).y, -10.0);
    compile(program); // still closed
}

void TestProgramEdit::refusesBadEditsAndLeavesTheProgramAlone() {
    const Program original = test::programOf(
        {test::extrudeOf({test::rectangleLoop(0, 0, 20, 10), test::circleLoop(10, 5, 2)}, 5)});
    Program program = original;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QVERIFY_THROWS_EXCEPTION(Error,
                             setParameter(program, {0, 0, 0, 0, ProgramParameter::EndX}, nan));
    QVERIFY_THROWS_EXCEPTION(Error,
                             setParameter(program, {0, 0, 1, 0, ProgramParameter::Radius}, -1.0));
    QVERIFY_THROWS_EXCEPTION(Error, // a line has no radius
                             setParameter(program, {0, 0, 0, 0, ProgramParameter::Radius}, 1.0));
    QVERIFY_THROWS_EXCEPTION(Error, // one-sided extents have no second distance
                             setParameter(program, {0, 0, 0, 0, ProgramParameter::Distance2}, 1));
    QVERIFY_THROWS_EXCEPTION(Error,
                             setParameter(program, {3, 0, 0, 0, ProgramParameter::Distance}, 1.0));
    QVERIFY_THROWS_EXCEPTION(Error, parameterValue(program, {0, 0, 0, 9, ProgramParameter::EndX}));
    QVERIFY(program == original);
}

IMG2CAD_REGISTER_TEST(TestProgramEdit)
#include "test_program_edit.moc"
