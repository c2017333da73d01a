// SPDX-License-Identifier: MIT
// The differentiable closure loss agrees with the exact walk of the encoding (closureResidual)
// on real encoded programs, clean and corrupted, and its gradient closes an opened loop. The
// trajectory loss is zero on ground truth, weighs a turn error by the drift it causes (early in
// a long loop costs more than late), and its gradient pulls a drifted walk back.

#include "test_registry.h"

#include "cad/generator/part_generator.h"
#include "ml/codebook/cad_encoding.h"
#include "ml/codebook/closure_loss.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace img2cad;
using namespace img2cad::ml;

namespace {

/// The CC rows of every extrude of some generated parts as one padded batch.
struct Batch {
    torch::Tensor rows, padding;
    std::vector<double> exact; ///< closureResidual per sequence
    std::vector<int> loops;    ///< loops per sequence
};

Batch batchOf(const std::vector<EncodedExtrude>& extrudes) {
    std::int64_t length = 0;
    for (const auto& e : extrudes)
        length = std::max<std::int64_t>(length, std::int64_t(e.curves.size()));
    Batch batch;
    batch.rows =
        torch::zeros({std::int64_t(extrudes.size()), length, std::int64_t(kCcDim)}, torch::kDouble);
    batch.padding = torch::ones({std::int64_t(extrudes.size()), length}, torch::kBool);
    for (std::size_t b = 0; b < extrudes.size(); ++b) {
        int loops = 0;
        std::vector<CcRow> loop;
        double exact = 0.0;
        for (std::size_t i = 0; i < extrudes[b].curves.size(); ++i) {
            const CcRow& row = extrudes[b].curves[i];
            for (std::size_t c = 0; c < kCcDim; ++c)
                batch.rows[std::int64_t(b)][std::int64_t(i)][std::int64_t(c)] = row[c];
            batch.padding[std::int64_t(b)][std::int64_t(i)] = false;
            if (row[kCcTypeEos] > 0.5) {
                exact += closureResidual(loop);
                loop.clear();
                ++loops;
            } else {
                loop.push_back(row);
            }
        }
        batch.exact.push_back(exact);
        batch.loops.push_back(loops);
    }
    return batch;
}

std::vector<EncodedExtrude> someExtrudes() {
    std::vector<EncodedExtrude> extrudes;
    for (cad::PartFamily family : cad::allPartFamilies())
        for (const EncodedExtrude& e : encodeProgram(cad::generatePart(family, 5).program).extrudes)
            extrudes.push_back(e);
    return extrudes;
}

} // namespace

class TestClosureLoss : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void isZeroOnGroundTruth();
    void matchesTheExactWalkOnCorruptedRows();
    void itsGradientClosesAnOpenedLoop();
    void trajectoryWeighsErrorsByTheDriftTheyCause();
};

void TestClosureLoss::isZeroOnGroundTruth() {
    const Batch batch = batchOf(someExtrudes());
    const double loss = closureLoss(batch.rows, batch.rows, batch.padding).item<double>();
    QVERIFY2(loss < 1e-12, qPrintable(QString::number(loss)));
}

void TestClosureLoss::matchesTheExactWalkOnCorruptedRows() {
    std::vector<EncodedExtrude> extrudes = someExtrudes();
    std::mt19937 rng(3);
    for (EncodedExtrude& e : extrudes)
        for (CcRow& row : e.curves)
            if (row[kCcTypeEos] < 0.5) {
                row[kCcLength] *= 1.0 + 0.1 * ((rng() % 100) / 100.0 - 0.5);
                row[kCcTurn] += 0.05 * ((rng() % 100) / 100.0 - 0.5);
            }
    const Batch batch = batchOf(extrudes);
    double exact = 0.0;
    int loops = 0;
    for (std::size_t b = 0; b < batch.exact.size(); ++b)
        exact += batch.exact[b], loops += batch.loops[b];
    const double loss = closureLoss(batch.rows, batch.rows, batch.padding).item<double>();
    qInfo("closure over %d loops: torch %.9g, exact %.9g", loops, loss, exact / loops);
    QVERIFY(exact > 1e-6);
    QVERIFY(std::fabs(loss - exact / loops) < 1e-9 * std::max(1.0, exact));
}

void TestClosureLoss::itsGradientClosesAnOpenedLoop() {
    const Batch batch = batchOf(someExtrudes());
    torch::Tensor predicted = batch.rows.clone();
    predicted.select(2, kCcLength).mul_(1.05); // every loop opens a little
    predicted.requires_grad_(true);
    torch::optim::SGD optimizer({predicted}, torch::optim::SGDOptions(0.05));
    const double before = closureLoss(predicted, batch.rows, batch.padding).item<double>();
    for (int step = 0; step < 200; ++step) {
        const torch::Tensor loss = closureLoss(predicted, batch.rows, batch.padding);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
    const double after = closureLoss(predicted, batch.rows, batch.padding).item<double>();
    qInfo("closure %.3g -> %.3g", before, after);
    QVERIFY(after < 0.1 * before);
}

void TestClosureLoss::trajectoryWeighsErrorsByTheDriftTheyCause() {
    const Batch batch = batchOf(someExtrudes());
    QVERIFY(trajectoryLoss(batch.rows, batch.rows, batch.padding).item<double>() < 1e-20);
    // The longest loop of the batch, its first and its last curve turned by the same 0.02 rad.
    std::int64_t sequence = 0, length = 0;
    for (std::int64_t b = 0; b < batch.rows.size(0); ++b) {
        const std::int64_t rows = batch.padding[b].logical_not().sum().item<std::int64_t>();
        if (rows > length) sequence = b, length = rows;
    }
    QVERIFY(length > 10);
    const torch::Tensor padding = batch.padding.narrow(0, sequence, 1);
    const torch::Tensor truth = batch.rows.narrow(0, sequence, 1);
    std::int64_t lastCurve = 0;
    while (truth[0][lastCurve + 1][kCcTypeEos].item<double>() < 0.5)
        ++lastCurve;
    const auto turned = [&](std::int64_t curve) {
        torch::Tensor rows = truth.clone();
        rows[0][curve][kCcTurn] += 0.02;
        return trajectoryLoss(rows, truth, padding).item<double>();
    };
    const double early = turned(0), late = turned(lastCurve);
    qInfo("loop of %lld curves: turn error at the first curve %.3g, at the last %.3g",
          static_cast<long long>(lastCurve + 1), early, late);
    QVERIFY(early > 5.0 * late);

    torch::Tensor predicted = batch.rows.clone();
    predicted.select(2, kCcTurn).add_(0.01);
    predicted.requires_grad_(true);
    // Adam: the drift makes the loss far stiffer in early turns than in late ones.
    torch::optim::Adam optimizer({predicted}, torch::optim::AdamOptions(1e-3));
    const double before = trajectoryLoss(predicted, batch.rows, batch.padding).item<double>();
    for (int step = 0; step < 200; ++step) {
        const torch::Tensor loss = trajectoryLoss(predicted, batch.rows, batch.padding);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
    const double after = trajectoryLoss(predicted, batch.rows, batch.padding).item<double>();
    qInfo("trajectory %.3g -> %.3g", before, after);
    QVERIFY(after < 0.1 * before);
}

IMG2CAD_REGISTER_TEST(TestClosureLoss)
#include "test_closure_loss.moc"
