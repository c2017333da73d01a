// SPDX-License-Identifier: MIT
// One level VQ-VAE on a toy level: rows whose category decides their continuous values. It
// learns them in a few steps (the loss falls), decodes codes back into well-formed rows, and a
// checkpoint reloads to the same outputs.

#include "test_registry.h"

#include "ml/codebook/level_vqvae.h"
#include "ml/error.h"

#include <QTemporaryDir>
#include <QTest>

using namespace img2cad::ml;

namespace {

LevelVqVaeOptions toyOptions() {
    LevelVqVaeOptions options;
    options.layout.rowDim = 6;
    options.layout.continuous = {0, 1, 2};
    options.layout.categorical = {{3, 3}};
    options.width = 32;
    options.heads = 4;
    options.layers = 2;
    options.codes = 32;
    options.dropout = 0.0;
    return options;
}

/// 48 sequences of 3..8 rows (padded to 8): category k in {0, 1, 2} sets the values to
/// (k, -k, 0.5 k) plus a little noise.
std::pair<torch::Tensor, torch::Tensor> toyBatch() {
    const std::int64_t batch = 48, length = 8;
    const torch::Tensor category = torch::randint(3, {batch, length}, torch::kLong);
    const torch::Tensor k = category.to(torch::kFloat);
    torch::Tensor rows =
        torch::cat({torch::stack({k, -k, 0.5 * k}, 2) + 0.01 * torch::randn({batch, length, 3}),
                    torch::one_hot(category, 3).to(torch::kFloat)},
                   2);
    const torch::Tensor lengths = torch::randint(3, length + 1, {batch, 1}, torch::kLong);
    const torch::Tensor padding = torch::arange(length).unsqueeze(0).ge(lengths);
    rows = rows.masked_fill(padding.unsqueeze(2), 0.0);
    return {rows, padding};
}

} // namespace

class TestLevelVqVae : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(3); }
    void learnsAToyLevelWithAFallingLoss();
    void reloadsToTheSameOutputs();
    void refusesRowsOfAnotherWidth();
    void logScaledColumnsRoundTrip();
    void binnedColumnsDecodeInsideTheirBin();
};

void TestLevelVqVae::learnsAToyLevelWithAFallingLoss() {
    LevelVqVae model(toyOptions());
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(3e-3));
    const auto [rows, padding] = toyBatch();
    double first = 0, last = 0;
    for (int step = 0; step < 80; ++step) {
        const auto output = model->forward(rows, padding, /*skipKeep*/ 0.5 * (1.0 - step / 80.0));
        const auto losses = model->loss(output, rows, padding);
        optimizer.zero_grad();
        losses.total.backward();
        optimizer.step();
        (step == 0 ? first : last) = losses.total.item<double>();
    }
    qInfo("loss %.4f -> %.4f", first, last);
    QVERIFY2(last < 0.3 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));

    // From codes alone, the categories come back and the one-hots are well formed.
    model->eval();
    torch::NoGradGuard noGrad;
    const auto output = model->forward(rows, padding);
    const torch::Tensor decoded = model->decodeCodes(output.indices, padding);
    QCOMPARE(decoded.sizes().vec(), rows.sizes().vec());
    QVERIFY(torch::allclose(decoded.narrow(2, 3, 3).sum(2), torch::ones({48, 8})));
    const torch::Tensor valid = padding.logical_not();
    const torch::Tensor right =
        decoded.narrow(2, 3, 3).argmax(2).eq(rows.narrow(2, 3, 3).argmax(2));
    const double accuracy = right.masked_select(valid).to(torch::kDouble).mean().item<double>();
    qInfo("category accuracy from codes %.3f", accuracy);
    QVERIFY(accuracy > 0.9);
}

void TestLevelVqVae::reloadsToTheSameOutputs() {
    LevelVqVae model(toyOptions());
    const auto [rows, padding] = toyBatch();
    model->forward(rows, padding); // k-means initialisation of the codebook
    model->eval();
    QTemporaryDir dir;
    const std::string path = dir.filePath("level.pt").toStdString();
    torch::save(model, path);
    LevelVqVae reloaded(toyOptions());
    torch::load(reloaded, path);
    reloaded->eval();
    torch::NoGradGuard noGrad;
    const auto a = model->forward(rows, padding);
    const auto b = reloaded->forward(rows, padding);
    QVERIFY(torch::equal(a.indices, b.indices));
    QVERIFY(torch::allclose(a.continuous, b.continuous));
}

// A log-scaled column is standardised in log units and comes back out of rawContinuous in
// raw units: the statistics and the inverse agree.
void TestLevelVqVae::logScaledColumnsRoundTrip() {
    LevelVqVaeOptions options;
    options.layout.rowDim = 2;
    options.layout.continuous = {0, 1};
    options.layout.logScaled = {{0, 0.01}};
    options.width = 16;
    options.heads = 2;
    options.layers = 1;
    options.codes = 8;
    LevelVqVae model(options);
    const torch::Tensor rows = torch::rand({50, 2}) * 0.5;
    model->fitStandardisation(rows);
    const torch::Tensor logLength = torch::log(rows.select(1, 0) + 0.01);
    const torch::Tensor mean = model->named_buffers()["feature_mean"];
    const torch::Tensor scale = model->named_buffers()["feature_scale"];
    QVERIFY(std::abs(mean[0].item<double>() - logLength.mean().item<double>()) < 1e-5);
    QVERIFY(std::abs(scale[0].item<double>() - logLength.std().item<double>()) < 1e-5);

    LevelVqVaeImpl::Output output;
    output.continuous =
        ((torch::stack({logLength, rows.select(1, 1)}, 1) - mean) / scale).unsqueeze(0);
    QVERIFY(torch::allclose(model->rawContinuous(output).squeeze(0), rows, 1e-5, 1e-6));

    options.layout.logScaled = {{0, 0.0}};
    QVERIFY_THROWS_EXCEPTION(Error, LevelVqVae{options});
}

// A binned column: its bins' cross-entropy is part of the loss and falls with training, and a
// decoded value lies in the bin its classifier chose, which for a learnt toy level is the
// original's bin.
void TestLevelVqVae::binnedColumnsDecodeInsideTheirBin() {
    LevelVqVaeOptions options = toyOptions();
    // Column 0 holds 0, 1 or 2 (+- 0.01): bins 0.3 wide, none of the three near an edge.
    options.layout.binned = {{0, 10, -0.25, 2.75, 0.0}};
    LevelVqVae model(options);
    const auto [rows, padding] = toyBatch();
    model->fitStandardisation(rows.masked_select(padding.logical_not().unsqueeze(2)).view({-1, 6}));
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(3e-3));
    double first = 0, last = 0;
    for (int step = 0; step < 80; ++step) {
        const auto output = model->forward(rows, padding, 0.5 * (1.0 - step / 80.0));
        QCOMPARE(output.binLogits.size(), std::size_t(1));
        QCOMPARE(output.binLogits[0].size(2), std::int64_t(10));
        const auto losses = model->loss(output, rows, padding);
        optimizer.zero_grad();
        losses.total.backward();
        optimizer.step();
        (step == 0 ? first : last) = losses.categorical.item<double>();
    }
    QVERIFY2(last < 0.3 * first, qPrintable(QString("%1 -> %2").arg(first).arg(last)));

    model->eval();
    torch::NoGradGuard noGrad;
    const auto output = model->forward(rows, padding);
    const torch::Tensor decoded = model->decodeCodes(output.indices, padding);
    const torch::Tensor edges = model->named_buffers()["bin_edges_0"];
    QCOMPARE(edges.size(0), std::int64_t(9));
    QVERIFY(std::abs(edges[0].item<double>() - 0.05) < 1e-6);
    const torch::Tensor valid = padding.logical_not();
    const torch::Tensor decodedBin = torch::bucketize(decoded.select(2, 0).contiguous(), edges);
    const torch::Tensor originalBin = torch::bucketize(rows.select(2, 0).contiguous(), edges);
    const double agreement =
        decodedBin.eq(originalBin).masked_select(valid).to(torch::kDouble).mean().item<double>();
    qInfo("decoded values in the original's bin: %.3f", agreement);
    QVERIFY(agreement > 0.9);

    // Log bins: every bin the same ratio wide in value + offset.
    options.layout.binned = {{0, 16, 0.0, 1.5, 0.005}};
    const torch::Tensor logEdges = LevelVqVae(options)->named_buffers()["bin_edges_0"] + 0.005;
    const torch::Tensor ratios = logEdges.narrow(0, 1, 14) / logEdges.narrow(0, 0, 14);
    QVERIFY(torch::allclose(ratios, torch::full({14}, std::pow(1.505 / 0.005, 1.0 / 16)), 1e-4));

    options.layout.binned = {{3, 16, 0.0, 2.0, 0.0}}; // a one-hot column cannot be binned
    QVERIFY_THROWS_EXCEPTION(Error, LevelVqVae{options});
}

void TestLevelVqVae::refusesRowsOfAnotherWidth() {
    LevelVqVae model(toyOptions());
    QVERIFY_THROWS_EXCEPTION(
        Error, model->forward(torch::zeros({2, 3, 7}), torch::zeros({2, 3}, torch::kBool)));
}

IMG2CAD_REGISTER_TEST(TestLevelVqVae)
#include "test_level_vqvae.moc"
