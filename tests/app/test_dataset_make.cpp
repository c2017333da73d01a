// SPDX-License-Identifier: MIT
// `img2cadseq dataset ...` as a user runs it: a small generated dataset in parallel, an
// interrupted run that resumes to exactly N unique samples, imports with a broken input, and
// clear errors for a folder of another kind, other settings and a full disk.

#include "cli_runner.h"
#include "test_paths.h"
#include "test_registry.h"

#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <set>

using namespace img2cad;
using namespace img2cad::test;
namespace fs = std::filesystem;

namespace {

/// Small but complete settings: quick to make, every field present.
QStringList smallDataset(const QString& folder, int count, int shardSize, int jobs) {
    return {"dataset",      "make",
            "--count",      QString::number(count),
            "--out",        folder,
            "--views",      "2",
            "--image-size", "64",
            "--points",     "256",
            "--shard-size", QString::number(shardSize),
            "--jobs",       QString::number(jobs),
            "--seed",       "11"};
}

/// Every sample of the dataset, headers only; checks indices are exactly 0..count-1.
std::vector<ml::Sample> allHeaders(const fs::path& folder) {
    const ml::DatasetManifest manifest = ml::readManifest(folder);
    std::vector<ml::Sample> headers;
    for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard)
        for (ml::Sample& header : ml::readShardHeaders(folder / manifest.shardFileName(shard)))
            headers.push_back(std::move(header));
    return headers;
}

void verifyExactlyUnique(const fs::path& folder, std::int64_t count) {
    const std::vector<ml::Sample> headers = allHeaders(folder);
    QCOMPARE(std::int64_t(headers.size()), count);
    std::set<std::int64_t> indices;
    std::set<std::string> keys;
    for (const ml::Sample& header : headers) {
        indices.insert(header.index);
        keys.insert(header.nearDuplicateKey);
    }
    QCOMPARE(std::int64_t(indices.size()), count);
    QCOMPARE(*indices.begin(), std::int64_t(0));
    QCOMPARE(*indices.rbegin(), count - 1);
    QCOMPARE(std::int64_t(keys.size()), count);
}

} // namespace

class TestDatasetMake : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void makesASmallDatasetWithTwoWorkers();
    void resumesAnInterruptedRunToExactlyNUniqueSamples();
    void refusesAFolderOfAnotherKindOrOtherSettings();
    void importsDeepCadAndStepFilesListingFailures();
    void reportsAFullDiskThenResumesOnceThereIsRoom();
};

void TestDatasetMake::makesASmallDatasetWithTwoWorkers() {
    QTemporaryDir dir;
    const QString folder = dir.filePath("data");
    const CliResult result = runCli(smallDataset(folder, 10, 3, 2), 600000);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err + result.out));
    QVERIFY2(result.err.contains("/s, ETA"), qPrintable(result.err)); // progress with rate and ETA
    const ml::DatasetManifest manifest = ml::readManifest(folder.toStdString());
    QVERIFY(manifest.complete);
    QCOMPARE(manifest.counts.samples, std::int64_t(10));
    QCOMPARE(manifest.counts.train + manifest.counts.val + manifest.counts.test, std::int64_t(10));
    verifyExactlyUnique(folder.toStdString(), 10);

    const ml::Sample sample =
        ml::readShardSample(fs::path(folder.toStdString()) / "shard-00002.h5", 1);
    QCOMPARE(sample.index, std::int64_t(7));
    QCOMPARE(sample.points.size(), std::size_t(256));
    QCOMPARE(sample.views.size(), std::size_t(2));
    QCOMPARE(sample.views[0].color.width, 64);
    QVERIFY(!sample.programJson.empty());

    const QString shown = dir.filePath("shown");
    const CliResult show = runCli({"dataset", "show", folder, "7", "--out", shown});
    QVERIFY2(show.exitCode == 0, qPrintable(show.err));
    for (const char* file :
         {"sample.json", "program.json", "points.ply", "view-0.png", "mask-1.png", "depth-1.png"})
        QVERIFY2(QFile::exists(shown + "/" + file), file);
    const CliResult stats = runCli({"dataset", "stats", folder});
    QVERIFY2(stats.exitCode == 0 && stats.out.contains("samples: 10"),
             qPrintable(stats.out + stats.err));
}

void TestDatasetMake::resumesAnInterruptedRunToExactlyNUniqueSamples() {
    QTemporaryDir dir;
    const QString folder = dir.filePath("data");
    QProcess first;
    first.start(QStringLiteral(IMG2CAD_CLI_PATH), smallDataset(folder, 12, 2, 1));
    // Kill the whole job (coordinator and worker) once the second shard is on disk.
    const QString second = folder + "/shard-00001.h5";
    for (int waited = 0; !QFile::exists(second) && waited < 600; ++waited)
        QThread::msleep(100);
    QVERIFY2(QFile::exists(second), "the first run made no progress");
    const fs::file_time_type secondTime = fs::last_write_time(second.toStdString());
    QProcess::execute("pkill", {"-KILL", "-f", "dataset worker " + folder});
    first.kill();
    first.waitForFinished();
    QVERIFY(!QFile::exists(folder + "/shard-00005.h5"));

    const CliResult resumed = runCli(smallDataset(folder, 12, 2, 2), 600000);
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains("resuming"), qPrintable(resumed.err));
    QVERIFY(ml::readManifest(folder.toStdString()).complete);
    verifyExactlyUnique(folder.toStdString(), 12);
    QVERIFY(fs::last_write_time(second.toStdString()) == secondTime); // kept, not made again
    // No temporary files are left behind.
    for (const QString& name : QDir(folder).entryList(QDir::Files | QDir::Hidden))
        QVERIFY2(!name.contains(".tmp-"), qPrintable(name));
}

void TestDatasetMake::refusesAFolderOfAnotherKindOrOtherSettings() {
    QTemporaryDir dir;
    const QString other = dir.filePath("holiday-photos");
    QDir().mkpath(other);
    QFile photo(other + "/beach.jpg");
    QVERIFY(photo.open(QIODevice::WriteOnly));
    photo.write("not a dataset");
    photo.close();
    CliResult result = runCli(smallDataset(other, 4, 2, 1));
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains("is not empty and holds no dataset"), qPrintable(result.err));
    QCOMPARE(QDir(other).entryList(QDir::Files | QDir::Hidden).size(), 1); // untouched

    const QString folder = dir.filePath("data");
    QCOMPARE(runCli(smallDataset(folder, 2, 2, 1), 600000).exitCode, 0);
    result = runCli(smallDataset(folder, 3, 2, 1));
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains("other settings: count 2 (asked: 3)"), qPrintable(result.err));
}

void TestDatasetMake::importsDeepCadAndStepFilesListingFailures() {
    QTemporaryDir dir;
    const QString sequences = dir.filePath("sequences");
    QDir().mkpath(sequences);
    const QString sample =
        QStringLiteral(IMG2CAD_SOURCE_DIR "/assets/samples/flanged_bracket.json");
    // A real DeepCAD file when the team's data is there, and always an unreadable one.
    if (!sharedDataDir().empty())
        QFile::copy(
            QString::fromStdString((sharedDataDir() / "sequences/deepcad/00000007.json").string()),
            sequences + "/00000007.json");
    QFile broken(sequences + "/broken.json");
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\"entities\": ");
    broken.close();
    const QString deepcad = dir.filePath("deepcad");
    CliResult result = runCli({"dataset", "import-deepcad", sequences, "--out", deepcad, "--views",
                               "1", "--image-size", "32"},
                              600000);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    ml::DatasetManifest manifest = ml::readManifest(deepcad.toStdString());
    QCOMPARE(manifest.counts.failedInputs.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(manifest.counts.failedInputs[0]).contains("broken.json"));
    QCOMPARE(manifest.counts.samples, sharedDataDir().empty() ? std::int64_t(0) : std::int64_t(1));

    const QString steps = dir.filePath("steps");
    QDir().mkpath(steps);
    QCOMPARE(runCli({"convert", sample, steps + "/bracket.step"}).exitCode, 0);
    QFile corrupt(steps + "/corrupt.step");
    QVERIFY(corrupt.open(QIODevice::WriteOnly));
    corrupt.write("ISO-10303-21;\nHEADER;");
    corrupt.close();
    const QString step = dir.filePath("step");
    result = runCli(
        {"dataset", "import-step", steps, "--out", step, "--views", "1", "--image-size", "32"},
        600000);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    manifest = ml::readManifest(step.toStdString());
    QCOMPARE(manifest.counts.samples, std::int64_t(1));
    QCOMPARE(manifest.counts.failedInputs.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(manifest.counts.failedInputs[0]).contains("corrupt.step"));
}

void TestDatasetMake::reportsAFullDiskThenResumesOnceThereIsRoom() {
    // A file-size limit fails writes with EFBIG as a full disk fails them with ENOSPC; SIGXFSZ
    // is ignored (the disposition survives exec), so the tool sees the error as on a full disk.
    QTemporaryDir dir;
    const QString folder = dir.filePath("data");
    const QStringList command = smallDataset(folder, 4, 2, 1);
    QProcess process;
    // 100 blocks: the manifest fits, a shard (~60 KB of 64 px images per sample) does not.
    process.start("sh", QStringList{"-c", "trap '' XFSZ; ulimit -f 100; exec \"$0\" \"$@\"",
                                    QStringLiteral(IMG2CAD_CLI_PATH)} +
                            command);
    QVERIFY(process.waitForFinished(600000));
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(process.exitCode(), 1);
    QVERIFY2(err.contains("File too large") && err.contains("run the same command again"),
             qPrintable(err));
    for (const QString& name : QDir(folder).entryList(QDir::Files | QDir::Hidden))
        QVERIFY2(!name.contains(".tmp-"), qPrintable("left behind: " + name));
    // With room again, the same command finishes the dataset.
    const CliResult again = runCli(command, 600000);
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    verifyExactlyUnique(folder.toStdString(), 4);
}

IMG2CAD_REGISTER_TEST(TestDatasetMake)
#include "test_dataset_make.moc"
