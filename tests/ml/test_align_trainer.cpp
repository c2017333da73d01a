// SPDX-License-Identifier: MIT
// The aligner's trainer end to end: a tiny codebook tokenises a tiny dataset, the aligner
// trains a few steps and its folder loads back; bad settings are refused.

#include "test_registry.h"
#include "tiny_datasets.h"
#include "tiny_models.h"

#include "ml/align/align_trainer.h"
#include "ml/codebook/codebook_trainer.h"
#include "ml/error.h"
#include "ml/training/model_folder.h"

#include <QTemporaryDir>
#include <QTest>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

class TestAlignTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsAndReloads();
};

void TestAlignTrainer::trainsAndReloads() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", 16, 128);
    QVERIFY(
        trainCodebook(test::tinyCodebookSettings(root / "data", root / "codebook"), {}).finished);
    AlignTrainingSettings align =
        test::tinyAlignSettings(root / "data", root / "codebook", root / "align");
    align.steps = 6;
    align.batchSize = 8;
    std::vector<double> losses;
    const auto result = trainAlign(
        align, [&](const TrainingProgress& p) { losses.push_back(p.loss); }, nullptr, 1);
    QVERIFY(result.finished);
    QCOMPARE(losses.size(), std::size_t(6));
    QCOMPARE(result.validation.parts, std::int64_t(4));
    QVERIFY(result.validation.top5 > 0.0); // 4 parts: every match is in the top 5
    const nlohmann::json manifest = readModelManifest(root / "align", "align");
    QVERIFY(manifest["metrics"]["validation"]["parts"] == 4);
    ContrastiveAligner loaded = loadAligner(root / "align");
    QVERIFY(loaded->temperature() > 0.0);

    align.batchSize = 1;
    align.out = root / "other";
    QVERIFY_THROWS_EXCEPTION(Error, trainAlign(align, {}));
}

IMG2CAD_REGISTER_TEST(TestAlignTrainer)
#include "test_align_trainer.moc"
