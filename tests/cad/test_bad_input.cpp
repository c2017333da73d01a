// SPDX-License-Identifier: MIT
// Bad input of every kind gives one clear error line and a non-zero exit, never a crash, and
// never a partial output file.

#include "cli_runner.h"
#include "program_fixtures.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/program_json.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace img2cad::cad;
using namespace img2cad::test;

namespace {

void writeText(const QString& path, const QByteArray& content) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

/// Runs `compile input -o out.step --stl out.stl` and checks the failure is clean.
void expectCleanFailure(const QTemporaryDir& dir, const QString& input, const QString& expected) {
    const QString step = dir.filePath("out.step");
    const QString stl = dir.filePath("out.stl");
    const CliResult result = runCli({"compile", input, "-o", step, "--stl", stl});
    QVERIFY2(!result.crashed, qPrintable(input));
    QCOMPARE(result.exitCode, 1);
    const QString message = result.err.trimmed();
    QVERIFY2(message.startsWith("img2cadseq: error: "), qPrintable(message));
    QVERIFY2(!message.contains('\n'), qPrintable("more than one line: " + message));
    QVERIFY2(message.contains(expected), qPrintable("expected '" + expected + "' in: " + message));
    QVERIFY(!QFile::exists(step));
    QVERIFY(!QFile::exists(stl));
    // Nothing else (no temporary files) was left beside the outputs.
    for (const QString& name : QDir(dir.path()).entryList(QDir::Files | QDir::Hidden))
        QVERIFY2(name.endsWith(".json"), qPrintable("left behind: " + name));
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rejectsBrokenProgramFiles_data();
    void rejectsBrokenProgramFiles();
    void rejectsNonFiniteNumbersInMemory();
    void rejectsAMillionCurves();
    void rejectsMissingFilesAndDirectories();
    void rejectsUnwritableOutputsWithoutTouchingThem();
    void rejectsTruncatedBrepFilesPromptly();
};

void TestBadInput::rejectsBrokenProgramFiles_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    const QByteArray good = QByteArray::fromStdString(programToJson(randomPart(1)));
    QTest::newRow("truncated") << good.left(good.size() / 2) << "not valid JSON";
    QTest::newRow("empty") << QByteArray() << "not valid JSON";
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe garbage", 12) << "not valid JSON";
    QTest::newRow("unknown field")
        << QByteArray(good).replace("\"units\"", "\"colour\": 1, \"units\"")
        << "unknown key 'colour'";
    QTest::newRow("infinite coordinate")
        << QByteArray(good).replace("\"distance\": ", "\"distance\": 1e999, \"x\": ")
        << "number overflow";
    const auto program = [](const char* curves) {
        return QByteArray(
                   R"({"format":"img2cadseq-program","version":1,"units":"mm","extrudes":[{"plane":{"origin":[0,0,0],"x_axis":[1,0,0],"normal":[0,0,1]},"profiles":[{"loops":[{"curves":[)") +
               curves +
               R"(]}]}],"extent":{"type":"one_sided","distance":1},"operation":"new_body"}]})";
    };
    QTest::newRow("zero-length line")
        << program(
               R"({"type":"line","start":[0,0],"end":[1,0]},{"type":"line","start":[1,0],"end":[1,0]},{"type":"line","start":[1,0],"end":[0,1]},{"type":"line","start":[0,1],"end":[0,0]})")
        << "zero-length line";
    QTest::newRow("collinear arc")
        << program(
               R"({"type":"line","start":[0,0],"end":[2,0]},{"type":"arc","start":[2,0],"mid":[1,0],"end":[0,0]})")
        << "collinear";
    QTest::newRow("open loop")
        << program(
               R"({"type":"line","start":[0,0],"end":[1,0]},{"type":"line","start":[1,0],"end":[1,1]})")
        << "loop is open";
    QTest::newRow("self-intersecting loop")
        << program(
               R"({"type":"line","start":[0,0],"end":[1,1]},{"type":"line","start":[1,1],"end":[1,0]},{"type":"line","start":[1,0],"end":[0,1]},{"type":"line","start":[0,1],"end":[0,0]})")
        << "intersects itself";
    QTest::newRow("negative radius")
        << program(R"({"type":"circle","center":[0,0],"radius":-1})") << "radius";
    QTest::newRow("not a program") << QByteArray(R"({"hello": "world"})") << "unknown key 'hello'";
}

void TestBadInput::rejectsBrokenProgramFiles() {
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString input = dir.filePath("program.json");
    writeText(input, content);
    expectCleanFailure(dir, input, expected);
}

void TestBadInput::rejectsNonFiniteNumbersInMemory() {
    for (double bad : {NAN, INFINITY, -INFINITY}) {
        Program program = programOf({extrudeOf({rectangleLoop(0, 0, 1, 1)}, 1)});
        std::get<Line>(program.extrudes[0].profiles[0].loops[0].curves[2]).start.y = bad;
        QVERIFY_THROWS_EXCEPTION(Error, compile(program));
        program = programOf({extrudeOf({rectangleLoop(0, 0, 1, 1)}, bad)});
        QVERIFY_THROWS_EXCEPTION(Error, compile(program));
        program = programOf({extrudeOf({rectangleLoop(0, 0, 1, 1)}, 1)});
        program.extrudes[0].plane.origin.z = bad;
        QVERIFY_THROWS_EXCEPTION(Error, compile(program));
    }
}

void TestBadInput::rejectsAMillionCurves() {
    // In memory: refused by the limits before any kernel work.
    Loop loop;
    const int n = 1'000'000;
    for (int i = 0; i < n; ++i) {
        const double a0 = 2 * M_PI * i / n, a1 = 2 * M_PI * (i + 1) / n;
        loop.curves.push_back(Line{{std::cos(a0), std::sin(a0)}, {std::cos(a1), std::sin(a1)}});
    }
    try {
        compile(programOf({extrudeOf({loop}, 1)}));
        QFAIL("a million curves compiled");
    } catch (const Error& error) {
        QVERIFY2(std::string(error.what()).find("the limit is") != std::string::npos, error.what());
    }
    // From a file (about 50 MB), through the tool: refused by a streaming count, before the
    // whole document is built in memory.
    QByteArray json =
        R"({"format":"img2cadseq-program","version":1,"units":"mm","extrudes":[{"plane":{"origin":[0,0,0],"x_axis":[1,0,0],"normal":[0,0,1]},"profiles":[{"loops":[{"curves":[)";
    json.reserve(60'000'000);
    for (int i = 0; i < n; ++i) {
        if (i) json += ',';
        json += R"({"type":"line","start":[)" + QByteArray::number(i) + R"(,0],"end":[)" +
                QByteArray::number(i + 1) + ",0]}";
    }
    json += R"(]}]}],"extent":{"type":"one_sided","distance":1},"operation":"new_body"}]})";
    QTemporaryDir dir;
    const QString input = dir.filePath("huge.json");
    writeText(input, json);
    expectCleanFailure(dir, input, "the limit is");
}

void TestBadInput::rejectsMissingFilesAndDirectories() {
    QTemporaryDir dir;
    expectCleanFailure(dir, dir.filePath("missing.json"), "no such file");
    QDir(dir.path()).mkdir("folder.json");
    expectCleanFailure(dir, dir.filePath("folder.json"), "not a file");
    QDir(dir.path()).rmdir("folder.json");
}

void TestBadInput::rejectsUnwritableOutputsWithoutTouchingThem() {
    QTemporaryDir dir;
    const QString input = dir.filePath("part.json");
    writeProgram(randomPart(3), input.toStdString());
    // A folder that does not exist, and a "folder" that is a file (blocks even root).
    for (const QString& output : {dir.filePath("no/such/folder/part.step"), input + "/part.step"}) {
        const CliResult result = runCli({"compile", input, "-o", output});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.startsWith("img2cadseq: error: "), qPrintable(result.err));
        QVERIFY(!QFile::exists(output));
    }
    // An existing good file is not replaced by a failed compile.
    const QString existing = dir.filePath("existing.step");
    writeText(existing, "previous content");
    const QString broken = dir.filePath("broken.json");
    writeText(broken, "{");
    QCOMPARE(runCli({"compile", broken, "-o", existing}).exitCode, 1);
    QFile file(existing);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("previous content"));
}

void TestBadInput::rejectsTruncatedBrepFilesPromptly() {
    // OCC's BREP parser does not check its reads; cut files must fail fast, never hang.
    QTemporaryDir dir;
    const QString brep = dir.filePath("part.brep");
    QCOMPARE(
        runCli({"convert",
                QStringLiteral(IMG2CAD_SOURCE_DIR "/assets/samples/flanged_bracket.json"), brep})
            .exitCode,
        0);
    QFile file(brep);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray whole = file.readAll();
    for (int tenth = 1; tenth < 10; ++tenth) {
        const QString cut = dir.filePath(QString("cut%1.brep").arg(tenth));
        writeText(cut, whole.left(whole.size() * tenth / 10));
        const CliResult result = runCli({"info", cut}, 30000);
        QVERIFY2(!result.crashed, qPrintable(cut));
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("not a valid BREP file"), qPrintable(result.err));
    }
}

IMG2CAD_REGISTER_TEST(TestBadInput)
#include "test_bad_input.moc"
