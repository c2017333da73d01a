// SPDX-License-Identifier: MIT
// The training engine's core: the warm-up + cosine schedule, and checkpoints after which a
// resumed run reproduces the uninterrupted one (same losses, same random draws); mixed precision
// (bfloat16 autocast, here on the CPU: the code path CUDA takes with its own autocast switch).

#include "test_registry.h"

#include "ml/error.h"
#include "ml/mixed_precision.h"
#include "ml/training/checkpoint.h"
#include "ml/training/lr_schedule.h"
#include "ml/training/training_loop.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace img2cad::ml;

namespace {

torch::nn::Sequential smallModel(std::int64_t hidden = 16) {
    return torch::nn::Sequential(torch::nn::Linear(4, hidden), torch::nn::ReLU(),
                                 torch::nn::Dropout(0.2), torch::nn::Linear(hidden, 1));
}

/// One step on a freshly drawn batch (so the random generator matters) with the schedule.
double trainStep(torch::nn::Sequential& model, torch::optim::AdamW& optimizer, std::int64_t step) {
    const WarmupCosineSchedule schedule{1e-2, 5, 40, 0.1};
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(schedule.rateAt(step));
    const torch::Tensor x = torch::randn({32, 4});
    const torch::Tensor y = x.sum(1, true).sin();
    const torch::Tensor loss = torch::mse_loss(model->forward(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    return loss.item<double>();
}

} // namespace

class TestTrainingCore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void warmsUpThenDecaysAlongACosine();
    void resumesExactlyWhereItStopped();
    void refusesCorruptAndForeignCheckpoints();
    void trainsInMixedPrecision();
};

void TestTrainingCore::warmsUpThenDecaysAlongACosine() {
    const WarmupCosineSchedule schedule{1e-4, 10, 110, 0.0};
    QVERIFY(std::fabs(schedule.rateAt(0) - 1e-5) < 1e-12);
    QVERIFY(std::fabs(schedule.rateAt(9) - 1e-4) < 1e-12);
    QVERIFY(std::fabs(schedule.rateAt(60) - 0.5e-4) < 1e-12); // half way down the cosine
    QVERIFY(std::fabs(schedule.rateAt(110)) < 1e-12);
    QVERIFY(std::fabs(schedule.rateAt(500)) < 1e-12);
    QVERIFY(schedule.rateAt(30) > schedule.rateAt(31));
}

void TestTrainingCore::resumesExactlyWhereItStopped() {
    torch::manual_seed(1);
    auto straight = smallModel();
    torch::optim::AdamW straightOptimizer(straight->parameters(), torch::optim::AdamWOptions(1e-2));
    std::vector<double> expected;
    for (std::int64_t step = 0; step < 20; ++step)
        expected.push_back(trainStep(straight, straightOptimizer, step));

    torch::manual_seed(1);
    auto first = smallModel();
    torch::optim::AdamW firstOptimizer(first->parameters(), torch::optim::AdamWOptions(1e-2));
    for (std::int64_t step = 0; step < 10; ++step)
        trainStep(first, firstOptimizer, step);
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.ckpt").toStdString();
    saveCheckpoint(path, *first, firstOptimizer, {10});

    torch::manual_seed(999); // a new session: different state until the checkpoint is loaded
    auto resumed = smallModel();
    torch::optim::AdamW resumedOptimizer(resumed->parameters(), torch::optim::AdamWOptions(1e-2));
    const TrainingState state = loadCheckpoint(path, *resumed, resumedOptimizer);
    QCOMPARE(state.step, std::int64_t(10));
    for (std::int64_t step = state.step; step < 20; ++step) {
        const double loss = trainStep(resumed, resumedOptimizer, step);
        QVERIFY2(
            std::fabs(loss - expected[std::size_t(step)]) < 1e-6,
            qPrintable(
                QString("step %1: %2 vs %3").arg(step).arg(loss).arg(expected[std::size_t(step)])));
    }
}

void TestTrainingCore::refusesCorruptAndForeignCheckpoints() {
    auto model = smallModel();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-2));
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.ckpt").toStdString();
    saveCheckpoint(path, *model, optimizer, {3});

    auto other = smallModel(32); // another architecture
    torch::optim::AdamW otherOptimizer(other->parameters(), torch::optim::AdamWOptions(1e-2));
    QVERIFY_THROWS_EXCEPTION(Error, loadCheckpoint(path, *other, otherOptimizer));

    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadWrite));
    file.resize(file.size() / 2);
    file.close();
    QVERIFY_THROWS_EXCEPTION(Error, loadCheckpoint(path, *model, optimizer));
    QVERIFY_THROWS_EXCEPTION(
        Error, loadCheckpoint(dir.filePath("missing.ckpt").toStdString(), *model, optimizer));
}

void TestTrainingCore::trainsInMixedPrecision() {
    torch::manual_seed(3);
    torch::nn::Linear layer(4, 4);
    const torch::Tensor x = torch::randn({2, 4});
    {
        const MixedPrecisionScope off(torch::kCPU, false);
        QCOMPARE(layer(x).scalar_type(), torch::kFloat);
    }
    {
        const MixedPrecisionScope on(torch::kCPU, true);
        QCOMPARE(layer(x).scalar_type(), torch::kBFloat16);
        {
            const MixedPrecisionScope nested(torch::kCPU, true);
            QCOMPARE(layer(x).scalar_type(), torch::kBFloat16);
        }
        QCOMPARE(layer(x).scalar_type(), torch::kBFloat16); // the outer scope still holds
    }
    QCOMPARE(layer(x).scalar_type(), torch::kFloat); // and is gone after

    // The shared loop with and without mixed precision, same seed: the bfloat16 run learns as
    // the float32 one does, and its weights stay float32.
    const auto train = [](bool mixed) {
        torch::manual_seed(5);
        auto model = smallModel();
        torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-2));
        QTemporaryDir dir;
        TrainingLoopSettings loop = warmupCosineLoop(
            300, 1e-2, 5, 60.0, dir.filePath("run.ckpt").toStdString(), 50, torch::kCPU);
        loop.mixedPrecision = mixed;
        std::vector<double> losses;
        const auto step = [&](std::int64_t) {
            const torch::Tensor inputs = torch::randn({64, 4});
            const torch::Tensor outputs = model->forward(inputs);
            if ((outputs.scalar_type() == torch::kBFloat16) != mixed)
                throw Error("autocast was not as asked");
            return StepOutcome{
                torch::mse_loss(outputs.to(torch::kFloat), inputs.sum(1, true).sin()), {}, {}, 64};
        };
        runTrainingLoop(*model, optimizer, loop, step,
                        [&](const TrainingProgress& p) { losses.push_back(p.loss); });
        for (const torch::Tensor& p : model->parameters())
            if (p.scalar_type() != torch::kFloat) throw Error("a weight left float32");
        return losses;
    };
    const std::vector<double> full = train(false), mixed = train(true);
    qInfo("loss %.4f -> %.4f in float32, %.4f -> %.4f mixed", full.front(), full.back(),
          mixed.front(), mixed.back());
    QVERIFY(mixed.back() < 0.7 * mixed.front());
    QVERIFY(std::abs(mixed.back() - full.back()) < 0.25 * full.back());
}

IMG2CAD_REGISTER_TEST(TestTrainingCore)
#include "test_training_core.moc"
