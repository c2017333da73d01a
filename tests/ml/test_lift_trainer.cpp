// SPDX-License-Identifier: MIT
// The lifting trainer end to end on a tiny dataset of synthetic views: a base model folder,
// then LoRA adapters on it (a small file, the base folder untouched), both loadable.

#include "test_registry.h"
#include "tiny_models.h"

#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/lift/lift_trainer.h"
#include "ml/training/model_folder.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

namespace {

/// 8 samples, 2 views each: a bright square whose size follows the box's height.
void writeViewDataset(const fs::path& folder) {
    std::vector<Sample> samples;
    for (int i = 0; i < 8; ++i) {
        Sample sample;
        sample.index = i;
        sample.source = "box";
        sample.nearDuplicateKey = "k" + std::to_string(i);
        sample.split = i == 7 ? Split::Val : Split::Train;
        const float height = 0.1f + 0.05f * float(i);
        for (int p = 0; p < 64; ++p)
            sample.points.positions.push_back(
                {float(p % 4) / 4 - 0.5f, float(p / 16) / 4 - 0.5f, height * float(p % 8) / 8});
        sample.points.normals.assign(64, {0, 0, 1});
        sample.points.faceIndices.assign(64, 0);
        sample.points.primitives.assign(64, cad::PrimitiveType::Plane);
        for (int v = 0; v < 2; ++v) {
            View view;
            view.color = {32, 32, 3, std::vector<std::uint8_t>(32 * 32 * 3, 30)};
            view.mask = {32, 32, 1, std::vector<std::uint8_t>(32 * 32, 0)};
            view.depth = {32, 32, std::vector<float>(32 * 32, 0.0f)};
            const int half = 4 + i + v;
            for (int y = 16 - half; y < 16 + half; ++y)
                for (int x = 16 - half; x < 16 + half; ++x) {
                    view.mask.at(x, y) = 255;
                    for (int c = 0; c < 3; ++c)
                        view.color.at(x, y, c) = std::uint8_t(120 + 15 * i);
                }
            sample.views.push_back(view);
        }
        samples.push_back(sample);
    }
    fs::create_directories(folder);
    writeShard(samples, folder / "shard-00000.h5");
    DatasetManifest manifest;
    manifest.settings.count = 8;
    manifest.settings.shardSize = 8;
    manifest.settings.views = 2;
    manifest.settings.imageSize = 32;
    manifest.settings.points = 64;
    manifest.complete = true;
    manifest.counts.samples = 8;
    writeManifest(manifest, folder);
}

std::string contents(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace

class TestLiftTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsABaseThenAdaptersOnIt();
    void refusesDatasetsWithoutViewsAndLoraWithoutBase();
};

void TestLiftTrainer::trainsABaseThenAdaptersOnIt() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    writeViewDataset(root / "data");
    int reports = 0;
    const auto base = trainLift(
        test::tinyLiftSettings(root / "data", root / "base"),
        [&](const TrainingProgress&) { ++reports; }, nullptr, 2);
    QVERIFY(base.finished);
    QCOMPARE(reports, 3);
    QCOMPARE(base.validation.views, std::int64_t(2));
    QVERIFY(base.validation.meanChamfer > 0.0);
    QVERIFY(readModelManifest(root / "base", "lift")["metrics"]["validation"]["views"] == 2);
    const std::string baseWeights = contents(root / "base" / "lift.pt");

    LiftTrainingSettings lora = test::tinyLiftSettings(root / "data", root / "adapters");
    lora.lora = true;
    lora.base = root / "base";
    const auto adapted = trainLift(lora, {});
    QVERIFY(adapted.finished);
    QVERIFY(fs::file_size(root / "adapters" / "adapters.pt") * 4 <
            fs::file_size(root / "base" / "lift.pt"));
    QVERIFY(contents(root / "base" / "lift.pt") == baseWeights); // the base is untouched
    LiftingNetwork loaded = loadLifter(root / "adapters");
    QCOMPARE(loaded->forward(torch::zeros({1, 3, 32, 32})).size(1), std::int64_t(64));
}

void TestLiftTrainer::refusesDatasetsWithoutViewsAndLoraWithoutBase() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    writeViewDataset(root / "data");
    LiftTrainingSettings lora = test::tinyLiftSettings(root / "data", root / "x");
    lora.lora = true;
    QVERIFY_THROWS_EXCEPTION(Error, trainLift(lora, {}));
    DatasetManifest manifest = readManifest(root / "data");
    manifest.settings.views = 0;
    writeManifest(manifest, root / "data");
    QVERIFY_THROWS_EXCEPTION(Error,
                             trainLift(test::tinyLiftSettings(root / "data", root / "y"), {}));
    QVERIFY_THROWS_EXCEPTION(Error, loadLifter(root / "nowhere"));
}

IMG2CAD_REGISTER_TEST(TestLiftTrainer)
#include "test_lift_trainer.moc"
