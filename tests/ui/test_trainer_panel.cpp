// SPDX-License-Identifier: MIT
// The Trainer tab, driven as a user would: pick the codebook stage, fill in a tiny run, start,
// watch the loss curve grow, pause mid-run (a checkpoint), start again to resume, and end with
// the very weights of the same run left uninterrupted (issue 8: pausing and resuming repeats
// the run). Refused values are said, and nothing starts.

#include "test_registry.h"
#include "tiny_models.h"
#include "window_test_helpers.h"

#include "ml/codebook/codebook_store.h"
#include "ml/training/model_folder.h"
#include "ui/training/trainer_panel.h"

#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

/// Fills the codebook stage's fields with a tiny run's settings, as a user would type them.
void setTinyCodebookRun(ui::TrainerPanel& panel, const ml::CodebookTrainingSettings& tiny) {
    const std::map<QString, QString> values{{"--data", QString::fromStdString(tiny.data.string())},
                                            {"--out", QString::fromStdString(tiny.out.string())},
                                            {"--steps", QString::number(tiny.steps)},
                                            {"--batch", QString::number(tiny.batchSize)},
                                            {"--warmup", QString::number(tiny.warmupSteps)},
                                            {"--width", QString::number(tiny.model.width)},
                                            {"--heads", QString::number(tiny.model.heads)},
                                            {"--layers", QString::number(tiny.model.layers)},
                                            {"--codes", QString::number(tiny.model.codes)},
                                            {"--depth", QString::number(tiny.model.depth)},
                                            {"--dropout", QString::number(tiny.model.dropout)}};
    for (const auto& [flag, value] : values)
        panel.setOption(flag, value);
}

} // namespace

class TestTrainerPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pausesAndResumesToTheUninterruptedWeights();
    void refusesBadValues();
    void finishesARunEarlyWithItsModel();
};

void TestTrainerPanel::pausesAndResumesToTheUninterruptedWeights() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const fs::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", 24, 64);
    constexpr int kSteps = 120;

    ui::TrainerPanel panel;
    panel.show();
    panel.selectStage("codebook");
    QCOMPARE(panel.option("--lr"), QString("0.0001")); // the paper's default, as the CLI's
    const ml::CodebookTrainingSettings tiny =
        test::tinyCodebookSettings(root / "data", root / "paused", kSteps);
    setTinyCodebookRun(panel, tiny);

    QSignalSpy progressed(&panel, &ui::TrainerPanel::progressed);
    QSignalSpy paused(&panel, &ui::TrainerPanel::paused);
    QVERIFY(panel.start());
    QVERIFY(panel.isRunning());
    QVERIFY(test::waitFor(progressed)); // the first report (step 20)
    panel.pause();
    QVERIFY(test::waitFor(paused));
    const qint64 pausedAt = paused.front().front().toLongLong();
    qInfo("paused at step %lld", static_cast<long long>(pausedAt));
    QVERIFY(pausedAt > 0 && pausedAt < kSteps);
    QVERIFY(fs::exists(root / "paused" / "checkpoint.pt"));
    QVERIFY(panel.statusText().startsWith("Paused"));

    QSignalSpy finished(&panel, &ui::TrainerPanel::finished);
    QVERIFY(panel.start()); // resumes from the checkpoint
    QVERIFY(test::waitFor(finished, 120000));
    QVERIFY2(panel.statusText().contains("validation"), qPrintable(panel.statusText()));
    const QList<QPointF> curve = panel.lossCurve();
    QVERIFY(curve.size() >= kSteps / 20);
    QCOMPARE(curve.back().x(), double(kSteps));
    for (int i = 1; i < curve.size(); ++i)
        QVERIFY(curve[i].x() > curve[i - 1].x());  // one curve, no step drawn twice
    QVERIFY(curve.back().y() < curve.front().y()); // and it fell
    QVERIFY(panel.files()->count() >= 2);

    // The same run, uninterrupted, by the trainer directly: the same weights.
    ml::CodebookTrainingSettings straight = tiny;
    straight.out = root / "straight";
    straight.learningRate = panel.option("--lr").toDouble();
    QVERIFY(ml::trainCodebook(straight, {}).finished);
    ml::CadCodebook a = ml::loadCodebook(root / "paused");
    ml::CadCodebook b = ml::loadCodebook(root / "straight");
    const auto pa = a->named_parameters(), pb = b->named_parameters();
    QCOMPARE(pa.size(), pb.size());
    for (const auto& item : pa)
        QVERIFY2(torch::allclose(item.value(), pb[item.key()], 1e-5, 1e-6), item.key().c_str());
}

void TestTrainerPanel::refusesBadValues() {
    ui::TrainerPanel panel;
    panel.selectStage("diffusion");
    QVERIFY(!panel.start()); // its folders are empty
    QVERIFY2(panel.statusText().contains("--data"), qPrintable(panel.statusText()));
    panel.setOption("--data", "somewhere");
    panel.setOption("--codebook", "somewhere");
    panel.setOption("--align", "somewhere");
    panel.setOption("--out", "somewhere");
    panel.setOption("--steps", "many");
    QVERIFY(!panel.start());
    QVERIFY2(panel.statusText().contains("--steps wants a number"), qPrintable(panel.statusText()));
    QVERIFY(!panel.isRunning());
}

/// "Finish now" mid-run: the run pauses, resumes with --steps at that step and writes its
/// model, validated, from the weights so far; the app can then use it. A later run of that
/// folder cannot end before the step it reached.
void TestTrainerPanel::finishesARunEarlyWithItsModel() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const fs::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", 24, 64);
    const ml::CodebookTrainingSettings tiny =
        test::tinyCodebookSettings(root / "data", root / "run", 100000);
    ui::TrainerPanel panel;
    panel.show();
    panel.selectStage("codebook");
    setTinyCodebookRun(panel, tiny);
    auto* finish = panel.findChild<QPushButton*>("trainerFinish");
    QVERIFY(finish && !finish->isEnabled());

    QSignalSpy progressed(&panel, &ui::TrainerPanel::progressed);
    QSignalSpy finished(&panel, &ui::TrainerPanel::finished);
    QVERIFY(panel.start());
    QVERIFY(test::waitFor(progressed));
    QVERIFY(finish->isEnabled());
    QTest::mouseClick(finish, Qt::LeftButton);
    QVERIFY2(test::waitFor(finished, 120000), qPrintable(panel.statusText()));
    const qint64 at = panel.option("--steps").toLongLong();
    qInfo("finished at step %lld", static_cast<long long>(at));
    QVERIFY(at > 0 && at < 100000);
    const nlohmann::json manifest = ml::readModelManifest(root / "run", "codebook");
    QCOMPARE(manifest.at("training").at("steps").get<qint64>(), at);
    QVERIFY(panel.canUseModel());
    ml::loadCodebook(root / "run"); // a model the app can load

    QSignalSpy failed(&panel, &ui::TrainerPanel::failed);
    panel.setOption("--steps", QString::number(at - 1));
    QVERIFY(panel.start());
    QVERIFY(test::waitFor(failed));
    QVERIFY2(panel.statusText().contains("can end it there or later"),
             qPrintable(panel.statusText()));
}

IMG2CAD_REGISTER_TEST(TestTrainerPanel)
#include "test_trainer_panel.moc"
