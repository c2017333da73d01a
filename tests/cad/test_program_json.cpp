// SPDX-License-Identifier: MIT
// The canonical program file: lossless round trips and strict, located errors.

#include "program_fixtures.h"
#include "test_registry.h"

#include "cad/error.h"
#include "cad/program_json.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace img2cad::cad;
using namespace img2cad::test;

namespace {

std::string errorOf(const std::string& json) {
    try {
        programFromJson(json);
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

std::string
minimalProgram(const std::string& curve = R"({"type":"circle","center":[0,0],"radius":1})",
               const std::string& extra = "") {
    return R"({"format":"img2cadseq-program","version":1,"units":"mm","extrudes":[{"plane":{"origin":[0,0,0],"x_axis":[1,0,0],"normal":[0,0,1]},"profiles":[{"loops":[{"curves":[)" +
           curve + R"(]}]}],"extent":{"type":"one_sided","distance":1},"operation":"new_body")" +
           extra + "}]}";
}

} // namespace

class TestProgramJson : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsLosslessly();
    void roundTripsThroughAFile();
    void readsAMinimalProgram();
    void namesThePlaceOfEveryError();
};

void TestProgramJson::roundTripsLosslessly() {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        Program program = randomPart(seed);
        // Values that do not print exactly in few digits must survive too.
        program.extrudes[0].extent.distance = 0.1 + 0.2;
        program.extrudes[0].plane.origin.x = 1.0 / 3.0;
        program.name = "seed " + std::to_string(seed) + " \"quoted\" ünïcode";
        const std::string json = programToJson(program);
        QVERIFY(programFromJson(json) == program);
        QCOMPARE(programToJson(programFromJson(json)), json);
    }
    Program twoSided = programOf({extrudeOf({slotLoop(0, 0, 4, 1)}, 2)});
    twoSided.extrudes[0].extent = {ExtentType::TwoSided, 2, 0.5};
    twoSided.extrudes[0].op = BooleanOp::Intersect;
    QVERIFY(programFromJson(programToJson(twoSided)) == twoSided);
}

void TestProgramJson::roundTripsThroughAFile() {
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("part.json").toStdString();
    const Program program = randomPart(42);
    writeProgram(program, path);
    QVERIFY(readProgram(path) == program);
}

void TestProgramJson::readsAMinimalProgram() {
    const Program program = programFromJson(minimalProgram());
    QCOMPARE(program.extrudes.size(), std::size_t(1));
    QVERIFY(std::holds_alternative<Circle>(program.extrudes[0].profiles[0].loops[0].curves[0]));
}

void TestProgramJson::namesThePlaceOfEveryError() {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{", "not valid JSON"},
        {"[]", "expected an object"},
        {R"({"format":"other","version":1,"units":"mm","extrudes":[]})", "format"},
        {R"({"format":"img2cadseq-program","version":2,"units":"mm","extrudes":[]})",
         "version 2 is not supported"},
        {R"({"format":"img2cadseq-program","version":1,"units":"inch","extrudes":[]})", "units"},
        {minimalProgram(R"({"type":"spline"})"),
         "extrudes[0].profiles[0].loops[0].curves[0].type: unknown curve type 'spline'"},
        {minimalProgram(R"({"type":"circle","center":[0,0],"radius":1,"colour":"red"})"),
         "unknown key 'colour'"},
        {minimalProgram(R"({"type":"circle","center":[0],"radius":1})"), "center: expected [x, y]"},
        {minimalProgram(R"({"type":"circle","center":[0,"a"],"radius":1})"),
         "center[1]: expected a number"},
        {minimalProgram(R"({"type":"circle","center":[0,1e999],"radius":1})"), "number overflow"},
        {minimalProgram(R"({"type":"circle","center":[0,0]})"), "missing key 'radius'"},
        {minimalProgram(R"({"type":"circle","center":[0,0],"radius":1})", R"(,"taper":1)"),
         "extrudes[0]: unknown key 'taper'"},
    };
    for (const auto& [json, expected] : cases) {
        const std::string message = errorOf(json);
        QVERIFY2(message.find(expected) != std::string::npos,
                 qPrintable(QString::fromStdString("expected '" + expected + "' in: " + message)));
    }
}

IMG2CAD_REGISTER_TEST(TestProgramJson)
#include "test_program_json.moc"
