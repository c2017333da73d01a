// SPDX-License-Identifier: MIT
// The lifting network on tiny data: its Chamfer loss falls in a few steps; LoRA fine-tuning
// changes only the adapters (every base weight bit-identical) and still lowers the loss; the
// adapters save apart, small, and reload exactly.

#include "test_registry.h"

#include "ml/error.h"
#include "ml/lift/lift_data.h"
#include "ml/lift/lifting_network.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace img2cad::ml;
namespace fs = std::filesystem;

namespace {

LiftingOptions tinyOptions() {
    LiftingOptions o;
    o.vit.imageSize = 32;
    o.vit.patchSize = 8;
    o.vit.width = 32;
    o.vit.heads = 4;
    o.vit.layers = 2;
    o.vit.lora.rank = 4;
    o.decoderLayers = 1;
    o.queries = 16;
    o.pointsPerQuery = 8;
    return o;
}

/// Images whose brightness encodes a box's height; targets are points on that box.
std::pair<torch::Tensor, torch::Tensor> tinyData(std::int64_t batch = 8) {
    const torch::Tensor heights = torch::linspace(0.1, 0.5, batch);
    const torch::Tensor images = heights.view({batch, 1, 1, 1}).expand({batch, 3, 32, 32}) +
                                 0.01 * torch::randn({batch, 3, 32, 32});
    torch::Tensor points = torch::rand({batch, 256, 3}) - 0.5;
    points.select(2, 2).mul_(heights.view({batch, 1}) * 2.0);
    return {images, points};
}

double train(LiftingNetwork& network, const std::vector<torch::Tensor>& parameters, int steps,
             double* first) {
    const auto [images, targets] = tinyData();
    torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(3e-3));
    double last = 0.0;
    for (int step = 0; step < steps; ++step) {
        const torch::Tensor loss = chamferLoss(network->forward(images), targets);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (step == 0 && first) *first = loss.item<double>();
        last = loss.item<double>();
    }
    return last;
}

} // namespace

class TestLiftingNetwork : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(1); }
    void chamferLossMatchesAHandComputedCase();
    void learnsWithAFallingLoss();
    void loraTrainingLeavesTheBaseBitIdentical();
    void refusesImagesOfAnotherSize();
    void makesExamplesFromDatasetViews();
};

void TestLiftingNetwork::chamferLossMatchesAHandComputedCase() {
    const torch::Tensor a = torch::tensor({0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f}).view({1, 2, 3});
    const torch::Tensor b = torch::tensor({0.0f, 0.5f, 0.0f}).view({1, 1, 3});
    // a -> b: 0.25 and 1.25 (mean 0.75); b -> a: 0.25. Sum 1.0.
    QVERIFY(std::abs(chamferLoss(a, b).item<double>() - 1.0) < 1e-6);
}

void TestLiftingNetwork::learnsWithAFallingLoss() {
    LiftingNetwork network(tinyOptions());
    double first = 0.0;
    const double last = train(network, network->parameters(), 60, &first);
    qInfo("Chamfer loss %.4f -> %.4f", first, last);
    QVERIFY(last < 0.5 * first);
    QCOMPARE(network->forward(tinyData().first).size(1), std::int64_t(16 * 8));
}

void TestLiftingNetwork::loraTrainingLeavesTheBaseBitIdentical() {
    LiftingNetwork network(tinyOptions());
    train(network, network->parameters(), 20, nullptr); // a "base" training
    std::map<std::string, torch::Tensor> base;
    for (const auto& item : network->named_parameters())
        base[item.key()] = item.value().detach().clone();

    network->setAdaptersOnly(true);
    double first = 0.0;
    const double last = train(network, network->adapterParameters(), 30, &first);
    qInfo("LoRA fine-tuning: Chamfer loss %.4f -> %.4f", first, last);
    QVERIFY(last < first);
    int changed = 0;
    for (const auto& item : network->named_parameters()) {
        const bool adapter = item.key().find("lora_") != std::string::npos;
        const bool same = torch::equal(item.value(), base[item.key()]);
        if (adapter)
            changed += !same;
        else
            QVERIFY2(same, item.key().c_str());
    }
    QVERIFY(changed > 0);

    QTemporaryDir dir;
    const fs::path adapters = dir.filePath("adapters.pt").toStdString();
    const fs::path full = dir.filePath("full.pt").toStdString();
    network->saveAdapters(adapters);
    torch::save(network, full.string());
    qInfo("adapters %llu bytes, whole network %llu bytes",
          static_cast<unsigned long long>(fs::file_size(adapters)),
          static_cast<unsigned long long>(fs::file_size(full)));
    QVERIFY(fs::file_size(adapters) * 4 < fs::file_size(full));

    LiftingNetwork other(tinyOptions());
    other->loadAdapters(adapters);
    const auto mine = network->adapterParameters(), theirs = other->adapterParameters();
    for (std::size_t i = 0; i < mine.size(); ++i)
        QVERIFY(torch::equal(mine[i], theirs[i]));
    LiftingOptions wider = tinyOptions();
    wider.vit.lora.rank = 8;
    LiftingNetwork mismatched(wider);
    QVERIFY_THROWS_EXCEPTION(Error, mismatched->loadAdapters(adapters));
}

void TestLiftingNetwork::refusesImagesOfAnotherSize() {
    LiftingNetwork network(tinyOptions());
    QVERIFY_THROWS_EXCEPTION(Error, network->forward(torch::zeros({1, 3, 64, 64})));
}

void TestLiftingNetwork::makesExamplesFromDatasetViews() {
    // A 40 x 30 view: a white square part on black, its mask, and 100 surface points.
    Sample sample;
    sample.index = 3;
    View view;
    view.color = {40, 30, 3, std::vector<std::uint8_t>(40 * 30 * 3, 0)};
    view.mask = {40, 30, 1, std::vector<std::uint8_t>(40 * 30, 0)};
    for (int y = 10; y < 20; ++y)
        for (int x = 15; x < 25; ++x) {
            view.mask.at(x, y) = 255;
            for (int c = 0; c < 3; ++c)
                view.color.at(x, y, c) = 255;
        }
    sample.views.push_back(view);
    for (int i = 0; i < 100; ++i)
        sample.points.positions.push_back({float(i), 0.0f, 0.0f});
    at::Generator generator = at::detail::createCPUGenerator(5);
    const LiftExample example = liftExample(sample, 0, 32, 64, generator);
    QCOMPARE(example.image.sizes().vec(), (std::vector<std::int64_t>{3, 32, 32}));
    QCOMPARE(example.points.sizes().vec(), (std::vector<std::int64_t>{64, 3}));
    // The part fills the middle (white, standardised > 2), grey (0.5) outside: about 0.2.
    QVERIFY(example.image[0][16][16].item<float>() > 2.0f);
    QVERIFY(std::abs(example.image[0][1][1].item<float>() - (128.0f / 255 - 0.485f) / 0.229f) <
            0.02f);
    // Distinct points (no replacement).
    QCOMPARE(std::get<0>(at::_unique(example.points.select(1, 0))).size(0), std::int64_t(64));
    const auto [images, points] = stackLiftExamples({example, example});
    QCOMPARE(images.size(0), std::int64_t(2));
    QVERIFY_THROWS_EXCEPTION(Error, liftExample(sample, 1, 32, 64, generator));
}

IMG2CAD_REGISTER_TEST(TestLiftingNetwork)
#include "test_lifting_network.moc"
