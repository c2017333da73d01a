// SPDX-License-Identifier: MIT
// The vector quantiser: nearest codes, straight-through gradients, a toy pattern learnt with a
// falling loss, k-means and dead-code restarts against collapse, and a checkpoint that reloads
// to the same outputs.

#include "test_registry.h"

#include "ml/codebook/vector_quantizer.h"

#include <QTemporaryDir>
#include <QTest>

using namespace img2cad::ml;

namespace {

/// Points around `clusters` random centres in `dim` dimensions.
torch::Tensor clusteredData(std::int64_t points, std::int64_t clusters, std::int64_t dim) {
    const torch::Tensor centres = torch::randn({clusters, dim}) * 3;
    const torch::Tensor which = torch::randint(clusters, {points}, torch::kLong);
    return centres.index_select(0, which) + 0.05 * torch::randn({points, dim});
}

} // namespace

class TestVectorQuantizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(7); }
    void picksTheNearestCode();
    void passesGradientsStraightThrough();
    void learnsAToyPatternWithAFallingLoss();
    void restartsDeadCodes();
    void reloadsToTheSameOutputs();
};

void TestVectorQuantizer::picksTheNearestCode() {
    VectorQuantizer quantizer(VectorQuantizerOptions{16, 4});
    quantizer->eval(); // no k-means, no restarts: the codebook stays as initialised
    const torch::Tensor z = torch::randn({3, 5, 4});
    const auto output = quantizer->forward(z);
    QCOMPARE(output.indices.sizes().vec(), (std::vector<std::int64_t>{3, 5}));
    QCOMPARE(output.quantized.sizes().vec(), z.sizes().vec());
    const torch::Tensor codebook = quantizer->named_buffers()["codebook"];
    const torch::Tensor brute =
        torch::cdist(z.reshape({-1, 4}), codebook).argmin(1).reshape({3, 5});
    QVERIFY(torch::equal(output.indices, brute));
    QVERIFY(torch::allclose(quantizer->lookup(output.indices), output.quantized));
}

void TestVectorQuantizer::passesGradientsStraightThrough() {
    VectorQuantizer quantizer(VectorQuantizerOptions{8, 3});
    quantizer->eval();
    const torch::Tensor z = torch::randn({10, 3}, torch::requires_grad());
    quantizer->forward(z).quantized.sum().backward();
    QVERIFY(torch::allclose(z.grad(), torch::ones_like(z))); // identity gradient to the encoder
}

void TestVectorQuantizer::learnsAToyPatternWithAFallingLoss() {
    // A linear autoencoder with a quantised bottleneck learns data made of 8 clusters.
    const torch::Tensor data = clusteredData(512, 8, 16);
    torch::nn::Linear encoder(16, 8), decoder(8, 16);
    VectorQuantizer quantizer(VectorQuantizerOptions{32, 8});
    std::vector<torch::Tensor> parameters;
    for (auto* module :
         std::initializer_list<torch::nn::Module*>{encoder.get(), decoder.get(), quantizer.get()})
        for (const auto& p : module->parameters())
            parameters.push_back(p);
    torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(1e-2));
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
        const auto q = quantizer->forward(encoder->forward(data));
        const torch::Tensor loss = torch::mse_loss(decoder->forward(q.quantized), data) + q.loss;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        (step == 0 ? first : last) = loss.item<double>();
    }
    qInfo("loss %.4f -> %.4f, usage %.2f", first, last, quantizer->usage());
    QVERIFY2(last < 0.1 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
    quantizer->eval();
    QVERIFY(quantizer->forward(encoder->forward(data)).perplexity >= 6.0); // the 8 modes are used
}

void TestVectorQuantizer::restartsDeadCodes() {
    // The encoder's outputs move far away (as early in training): every code is stranded on
    // the old data, goes idle, and is restarted onto the new outputs.
    VectorQuantizerOptions options{32, 4};
    options.restartAfterBatches = 5;
    VectorQuantizer quantizer(options);
    quantizer->forward(clusteredData(256, 4, 4)); // k-means on the old outputs
    const torch::Tensor moved = clusteredData(256, 4, 4) + 50;
    for (int batch = 0; batch < 12; ++batch)
        quantizer->forward(moved);
    QVERIFY(quantizer->restartedCodes() > 0);
    const torch::Tensor codebook = quantizer->named_buffers()["codebook"];
    const torch::Tensor nearestToData = std::get<0>(torch::cdist(moved, codebook).min(1));
    QVERIFY(nearestToData.max().item<double>() < 1.0); // the new outputs are covered
    quantizer->resetUsage();
    quantizer->forward(moved);
    QVERIFY(quantizer->usage() > 4.0 / 32); // more than the single code that caught them all
}

void TestVectorQuantizer::reloadsToTheSameOutputs() {
    VectorQuantizer trained(VectorQuantizerOptions{16, 4});
    const torch::Tensor data = clusteredData(64, 4, 4);
    trained->forward(data); // k-means initialisation
    trained->eval();
    QTemporaryDir dir;
    const std::string path = dir.filePath("vq.pt").toStdString();
    torch::save(trained, path);
    VectorQuantizer reloaded(VectorQuantizerOptions{16, 4});
    torch::load(reloaded, path);
    reloaded->eval();
    const auto a = trained->forward(data);
    const auto b = reloaded->forward(data);
    QVERIFY(torch::equal(a.indices, b.indices));
    QVERIFY(torch::equal(a.quantized, b.quantized));
}

IMG2CAD_REGISTER_TEST(TestVectorQuantizer)
#include "test_vector_quantizer.moc"
