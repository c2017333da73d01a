// SPDX-License-Identifier: MIT
// The stage registry behind both `img2cadseq train STAGE` and the Trainer tab: every stage
// offers data and output folders, its defaults read back as they are set, bad values and
// missing folders are refused with the option's name, and a tiny codebook run goes through it.

#include "test_registry.h"
#include "tiny_datasets.h"

#include "ml/error.h"
#include "ml/stages/training_stages.h"

#include <QTemporaryDir>
#include <QTest>

using namespace img2cad;

class TestTrainingStages : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyStageReadsBackItsOptions();
    void refusesBadValuesByName();
    void runsATinyCodebook();
};

void TestTrainingStages::everyStageReadsBackItsOptions() {
    QCOMPARE(ml::trainingStageNames().size(), std::size_t(6));
    for (const std::string& name : ml::trainingStageNames()) {
        const auto stage = ml::makeTrainingStage(name);
        QCOMPARE(stage->name(), name);
        bool data = false, out = false;
        for (const ml::StageOption& option : stage->options()) {
            data |= option.flag == "--data" && option.required;
            out |= option.flag == "--out" && option.required;
            const std::string before = stage->value(option.flag);
            stage->set(option.flag, before); // every default is a value the stage accepts
            QCOMPARE(stage->value(option.flag), before);
        }
        QVERIFY2(data && out, name.c_str());
    }
    const auto codebook = ml::makeTrainingStage("codebook");
    codebook->set("--steps", "123");
    QCOMPARE(codebook->value("--steps"), std::string("123"));
    codebook->set("--lr", "3e-4");
    QCOMPARE(codebook->value("--lr"), std::string("0.0003"));
    // The ablation's switch back to the shipped denoiser's plain condition tokens.
    const auto diffusion = ml::makeTrainingStage("diffusion");
    QCOMPARE(diffusion->value("--plain-condition"), std::string("false"));
    diffusion->set("--plain-condition", "true");
    QCOMPARE(diffusion->value("--plain-condition"), std::string("true"));
}

void TestTrainingStages::refusesBadValuesByName() {
    const auto lift = ml::makeTrainingStage("lift");
    QVERIFY_THROWS_EXCEPTION(ml::Error, lift->set("--steps", "12x"));
    QVERIFY_THROWS_EXCEPTION(ml::Error, lift->set("--steps", ""));
    QVERIFY_THROWS_EXCEPTION(ml::Error, lift->set("--seed", "-1"));
    QVERIFY_THROWS_EXCEPTION(ml::Error, lift->set("--lora", "maybe"));
    QVERIFY_THROWS_EXCEPTION(ml::Error, lift->set("--no-such-option", "1"));
    QVERIFY_THROWS_EXCEPTION(ml::Error, ml::makeTrainingStage("everything"));
    try {
        lift->checkRequired();
        QFAIL("no folders, yet accepted");
    } catch (const ml::Error& e) {
        QVERIFY2(std::string(e.what()).find("--data, --out") != std::string::npos, e.what());
    }
}

void TestTrainingStages::runsATinyCodebook() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", 12, 64);
    const auto stage = ml::makeTrainingStage("codebook");
    for (const auto& [flag, value] :
         std::vector<std::pair<std::string, std::string>>{{"--data", (root / "data").string()},
                                                          {"--out", (root / "model").string()},
                                                          {"--steps", "4"},
                                                          {"--batch", "4"},
                                                          {"--warmup", "1"},
                                                          {"--width", "32"},
                                                          {"--heads", "4"},
                                                          {"--layers", "1"},
                                                          {"--codes", "16"},
                                                          {"--trajectory-weight", "10"}})
        stage->set(flag, value);
    std::vector<double> trajectory;
    const ml::StageRunResult result = stage->run(
        [&](const ml::TrainingProgress& p) { trajectory.push_back(p.parts.at("trajectory")); },
        nullptr);
    QVERIFY(result.finished);
    QCOMPARE(result.stepsDone, std::int64_t(4));
    QVERIFY(!trajectory.empty()); // the option reached the model's loss
    QVERIFY2(result.summary.find("written to") != std::string::npos, result.summary.c_str());
    QVERIFY(std::filesystem::exists(root / "model" / "codebook.pt"));
}

IMG2CAD_REGISTER_TEST(TestTrainingStages)
#include "test_training_stages.moc"
