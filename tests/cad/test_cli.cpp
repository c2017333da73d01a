// SPDX-License-Identifier: MIT
// The command-line tool as a user drives it: compile, info and convert on the shipped sample,
// every output format, and help.

#include "cli_runner.h"
#include "test_paths.h"
#include "test_registry.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace img2cad::test;

namespace {

const QString kSample = QStringLiteral(IMG2CAD_SOURCE_DIR "/assets/samples/flanged_bracket.json");

QJsonObject infoOf(const QString& path) {
    const CliResult result = runCli({"info", "--json", path});
    if (result.exitCode != 0) qWarning("%s", qPrintable(result.err));
    return QJsonDocument::fromJson(result.out.toUtf8()).object();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void printsVersionAndHelp();
    void compilesTheSample();
    void convertsToEveryFormat_data();
    void convertsToEveryFormat();
    void convertsARealSequenceToProgramJson();
    void refusesImpossibleConversions();
};

void TestCli::printsVersionAndHelp() {
    CliResult result = runCli({"--version"});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith("img2cadseq "));
    for (const char* command : {"compile", "info", "convert"}) {
        result = runCli({command, "--help"});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains("Usage"), qPrintable(result.out));
    }
    result = runCli({});
    QVERIFY(result.exitCode != 0);
    QVERIFY(!result.crashed);
}

void TestCli::compilesTheSample() {
    QTemporaryDir dir;
    const QString step = dir.filePath("bracket.step");
    const CliResult result =
        runCli({"compile", kSample, "-o", step, "--stl", dir.filePath("bracket.stl"), "--points",
                dir.filePath("bracket.ply"), "--count", "2048"});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QJsonObject step_info = infoOf(step);
    QCOMPARE(step_info["kind"].toString(), QString("BRep shape"));
    QVERIFY(step_info["valid"].toBool());
    QCOMPARE(step_info["solids"].toInt(), 1);
    QVERIFY(step_info["watertight"].toBool());
    const QJsonObject program_info = infoOf(kSample);
    QCOMPARE(program_info["kind"].toString(), QString("program"));
    QCOMPARE(program_info["extrudes"].toInt(), 4);
    QVERIFY(qAbs(step_info["volume_mm3"].toDouble() / program_info["volume_mm3"].toDouble() - 1) <
            1e-6);
    QCOMPARE(infoOf(dir.filePath("bracket.ply"))["points"].toInt(), 2048);
    QVERIFY(infoOf(dir.filePath("bracket.stl"))["triangles"].toInt() > 100);
}

void TestCli::convertsToEveryFormat_data() {
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("kind");
    for (const auto& [ext, kind] :
         std::vector<std::pair<const char*, const char*>>{{"step", "BRep shape"},
                                                          {"stp", "BRep shape"},
                                                          {"brep", "BRep shape"},
                                                          {"stl", "mesh"},
                                                          {"obj", "mesh"},
                                                          {"ply", "mesh"},
                                                          {"glb", "mesh"},
                                                          {"xyz", "point cloud"},
                                                          {"json", "program"}})
        QTest::newRow(ext) << QString(ext) << QString(kind);
}

void TestCli::convertsToEveryFormat() {
    QFETCH(QString, extension);
    QFETCH(QString, kind);
    QTemporaryDir dir;
    const QString output = dir.filePath("bracket." + extension);
    const CliResult result = runCli({"convert", kSample, output});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(infoOf(output)["kind"].toString(), kind);
}

void TestCli::convertsARealSequenceToProgramJson() {
    IMG2CAD_REQUIRE_SHARED_DATA();
    QTemporaryDir dir;
    const QString sequence =
        QString::fromStdString((sharedDataDir() / "sequences/fusion360/Couch.json").string());
    const QString program = dir.filePath("couch.json");
    QCOMPARE(runCli({"convert", sequence, program}).exitCode, 0);
    const QJsonObject original = infoOf(sequence);
    const QJsonObject converted = infoOf(program);
    QCOMPARE(converted["kind"].toString(), QString("program"));
    QCOMPARE(converted["volume_mm3"].toDouble(), original["volume_mm3"].toDouble());
}

void TestCli::refusesImpossibleConversions() {
    QTemporaryDir dir;
    const QString stl = dir.filePath("bracket.stl");
    QCOMPARE(runCli({"convert", kSample, stl}).exitCode, 0);
    CliResult result = runCli({"convert", stl, dir.filePath("bracket.step")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains("cannot become exact geometry"), qPrintable(result.err));
    result = runCli({"convert", stl, dir.filePath("bracket.json")});
    QCOMPARE(result.exitCode, 1);
    result = runCli({"convert", kSample, dir.filePath("bracket.docx")});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains("unknown output type"), qPrintable(result.err));
    QVERIFY(!QFile::exists(dir.filePath("bracket.step")));
}

IMG2CAD_REGISTER_TEST(TestCli)
#include "test_cli.moc"
