// SPDX-License-Identifier: MIT
// Data-parallel training with c10d (ml/training/distributed.h) as a user runs it: two
// `img2cadseq train codebook` processes meet at a file rendezvous and train one model over
// Gloo on the loopback interface. Both finish, the group's loss falls, both print the same
// losses and both end with the same weights (the data-parallel invariant: averaged gradients,
// rank 0's buffers). Bad rank settings and a rank whose partner never comes fail with a message.

#include "cli_runner.h"
#include "test_registry.h"
#include "tiny_datasets.h"

#include "ml/codebook/codebook_store.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>

using namespace img2cad;
using namespace img2cad::test;
namespace fs = std::filesystem;

namespace {

QStringList tinyCodebookRun(const fs::path& data, const fs::path& out) {
    return {"train",   "codebook", "--data",   q(data), "--out",   q(out), "--steps",  "40",
            "--batch", "4",        "--width",  "32",    "--heads", "4",    "--layers", "1",
            "--codes", "32",       "--warmup", "2",     "--seed",  "5"};
}

QStringList rankFlags(int rank, const fs::path& rendezvous) {
    return {"--world-size", "2",           "--rank",      QString::number(rank),
            "--rendezvous", q(rendezvous), "--interface", "lo"};
}

/// The losses of the progress lines ("step 20/40  loss 1.234 ...").
std::vector<double> progressLosses(const QString& log) {
    std::vector<double> losses;
    const QRegularExpression line(QStringLiteral("step \\d+/\\d+  loss ([0-9.eE+-]+)"));
    auto matches = line.globalMatch(log);
    while (matches.hasNext())
        losses.push_back(matches.next().captured(1).toDouble());
    return losses;
}

} // namespace

class TestDistributedTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void twoProcessesTrainOneModel();
    void refusesBadRankSettings();

private:
    QTemporaryDir m_dir;
    fs::path m_root, m_data;
};

void TestDistributedTraining::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_root = m_dir.path().toStdString();
    m_data = m_root / "data";
    writeProgramDataset(m_data, 24, 64);
}

void TestDistributedTraining::twoProcessesTrainOneModel() {
    const fs::path rendezvous = m_root / "rendezvous";
    std::array<std::unique_ptr<QProcess>, 2> ranks;
    for (int rank = 0; rank < 2; ++rank) {
        ranks[rank] = std::make_unique<QProcess>();
        ranks[rank]->start(QStringLiteral(IMG2CAD_CLI_PATH),
                           tinyCodebookRun(m_data, m_root / ("rank" + std::to_string(rank))) +
                               rankFlags(rank, rendezvous));
    }
    std::array<QString, 2> logs;
    for (int rank = 0; rank < 2; ++rank) {
        QVERIFY2(ranks[rank]->waitForFinished(300000), "a rank did not finish in 5 minutes");
        logs[rank] = QString::fromUtf8(ranks[rank]->readAllStandardError());
        QVERIFY2(ranks[rank]->exitStatus() == QProcess::NormalExit && ranks[rank]->exitCode() == 0,
                 qPrintable(logs[rank]));
    }

    // One group: both ranks report the group's mean loss, and it falls.
    const std::vector<double> losses = progressLosses(logs[0]);
    QVERIFY2(losses.size() >= 2, qPrintable(logs[0]));
    QCOMPARE(progressLosses(logs[1]), losses);
    QVERIFY2(losses.back() < losses.front(), qPrintable(logs[0]));

    // One model: every parameter and buffer identical on both ranks.
    ml::CadCodebook first = ml::loadCodebook(m_root / "rank0");
    ml::CadCodebook second = ml::loadCodebook(m_root / "rank1");
    const auto a = first->named_parameters(), b = second->named_parameters();
    QCOMPARE(a.size(), b.size());
    for (const auto& item : a)
        QVERIFY2(torch::equal(item.value(), b[item.key()]), item.key().c_str());
    const auto bufferA = first->named_buffers(), bufferB = second->named_buffers();
    for (const auto& item : bufferA)
        QVERIFY2(torch::equal(item.value(), bufferB[item.key()]), item.key().c_str());
}

void TestDistributedTraining::refusesBadRankSettings() {
    const fs::path out = m_root / "bad";
    CliResult run = runCli(tinyCodebookRun(m_data, out) +
                           QStringList{"--world-size", "2", "--rank", "2", "--rendezvous",
                                       q(m_root / "bad-rendezvous")});
    QVERIFY2(run.exitCode != 0 && !run.crashed, qPrintable(run.err));
    QVERIFY2(run.err.contains("--rank must be between 0 and world size - 1"), qPrintable(run.err));

    run = runCli(tinyCodebookRun(m_data, out) + QStringList{"--world-size", "2", "--rank", "1"});
    QVERIFY2(run.exitCode != 0 && !run.crashed, qPrintable(run.err));
    QVERIFY2(run.err.contains("--rendezvous"), qPrintable(run.err));
}

IMG2CAD_REGISTER_TEST(TestDistributedTraining)
#include "test_distributed_training.moc"
