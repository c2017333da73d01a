// SPDX-License-Identifier: MIT
// The VQ-Diffusion model over CAD tokens (issue 6, first part): the forward process masks at the
// scheduled rate, the reverse steps of the fast sampler are right, and a tiny denoiser overfits
// 8 sequences and regenerates each from its condition alone.

#include "test_registry.h"
#include "tiny_datasets.h"
#include "tiny_models.h"

#include "ml/align/align_trainer.h"
#include "ml/codebook/codebook_trainer.h"
#include "ml/diffusion/absorbing_diffusion.h"
#include "ml/diffusion/cad_denoiser.h"
#include "ml/diffusion/diffusion_trainer.h"
#include "ml/error.h"
#include "ml/training/model_folder.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

class TestDiffusion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(5); }
    void forwardProcessMasksAtTheScheduledRate();
    void samplerStepsAndRevealProbabilities();
    void fixedLengthSequences();
    void tinyModelOverfitsEightSequences();
    void normalisedConditionReachesTheLogits();
    void grammarConstrainedSamplesParse();
    void samplesAreEndFilledAfterTheirFirstEnd();
    void resamplingKeepsTheStartsUnmaskedTokens();
    void trainerLearnsReloadsAndContinues();
};

void TestDiffusion::forwardProcessMasksAtTheScheduledRate() {
    const DiffusionSchedule schedule{100};
    const torch::Tensor x0 = torch::ones({4000, 50}, torch::kLong);
    at::Generator generator = at::detail::createCPUGenerator(1);
    for (std::int64_t t : {1, 30, 75, 100}) {
        const torch::Tensor xt =
            corrupt(x0, torch::full({4000}, t, torch::kLong), 9, schedule, generator);
        const double share = xt.eq(9).to(torch::kDouble).mean().item<double>();
        // 200,000 tokens: the binomial standard deviation is below 0.0012.
        QVERIFY2(std::abs(share - schedule.maskProbability(t)) < 0.005,
                 qPrintable(QString("t %1: %2 masked").arg(t).arg(share)));
        QVERIFY(torch::equal(torch::where(xt.eq(9), x0, xt), x0)); // the rest untouched
    }
    QVERIFY(corrupt(x0, torch::zeros({4000}, torch::kLong), 9, schedule).eq(1).all().item<bool>());
    QVERIFY_THROWS_EXCEPTION(Error, corrupt(x0, torch::zeros({3}, torch::kLong), 9, schedule));
}

void TestDiffusion::samplerStepsAndRevealProbabilities() {
    const DiffusionSchedule schedule{100};
    const std::vector<std::int64_t> every = schedule.samplingSteps(100);
    QCOMPARE(every.size(), std::size_t(101));
    QCOMPARE(every.front(), std::int64_t(100));
    QCOMPARE(every.back(), std::int64_t(0));
    const std::vector<std::int64_t> fast = schedule.samplingSteps(10);
    QCOMPARE(fast, (std::vector<std::int64_t>{100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0}));
    QCOMPARE(schedule.revealProbability(100, 90), 0.1);
    QCOMPARE(schedule.revealProbability(10, 0), 1.0);
    // Revealing (t - s) / t of what is masked at t leaves s / T masked: the marginals of the
    // forward process.
    QVERIFY(std::abs(schedule.maskProbability(60) * (1.0 - schedule.revealProbability(60, 45)) -
                     schedule.maskProbability(45)) < 1e-12);
    QCOMPARE(DiffusionSchedule::vlbWeight(4), 0.25);
    QVERIFY_THROWS_EXCEPTION(Error, schedule.revealProbability(5, 5));
}

void TestDiffusion::fixedLengthSequences() {
    QCOMPARE(toFixedLength({3, 4, 9}, 9, 5), (std::vector<std::int64_t>{3, 4, 9, 9, 9}));
    QCOMPARE(toFixedLength({3, 4}, 9, 4), (std::vector<std::int64_t>{3, 4, 9, 9}));
    QCOMPARE(toFixedLength({3, 9, 7, 7}, 9, 3), (std::vector<std::int64_t>{3, 9, 9}));
    QVERIFY_THROWS_EXCEPTION(Error, toFixedLength({1, 2, 3, 9}, 9, 3));
}

/// How far two unit conditions move an untrained denoiser's logits (mean absolute difference),
/// against how far changing the tokens does.
std::pair<double, double> conditionAndTokenEffect(bool conditionNorm) {
    torch::manual_seed(11);
    DenoiserOptions options;
    options.vocabulary = 50;
    options.maxTokens = 16;
    options.conditionDim = 128;
    options.width = 64;
    options.heads = 4;
    options.layers = 2;
    options.dropout = 0.0;
    options.conditionNorm = conditionNorm;
    CadDenoiser model(options);
    model->eval();
    torch::NoGradGuard noGrad;
    const auto unit = [](torch::Tensor v) { return v / v.norm(2, 1, true); };
    const torch::Tensor c1 = unit(torch::randn({4, 128})), c2 = unit(torch::randn({4, 128}));
    const torch::Tensor x1 = torch::randint(50, {4, 16}), x2 = torch::randint(50, {4, 16});
    const torch::Tensor t = torch::full({4}, 50, torch::kLong);
    const torch::Tensor base = model->forward(x1, t, c1);
    return {(model->forward(x1, t, c2) - base).abs().mean().item<double>(),
            (model->forward(x2, t, c1) - base).abs().mean().item<double>()};
}

void TestDiffusion::normalisedConditionReachesTheLogits() {
    // A unit z_P through the plain condition map is a faint signal next to the token
    // embeddings (why `conditionNorm` exists, cad_denoiser.h); normalised, it is not.
    const auto [plainCondition, plainTokens] = conditionAndTokenEffect(false);
    const auto [normCondition, normTokens] = conditionAndTokenEffect(true);
    qInfo("logit change from the condition / from the tokens: plain %.4f / %.4f, "
          "normalised %.4f / %.4f",
          plainCondition, plainTokens, normCondition, normTokens);
    QVERIFY(plainCondition < 0.1 * plainTokens);
    QVERIFY(normCondition > 0.3 * normTokens);
    QVERIFY(normCondition > 5.0 * plainCondition);
}

void TestDiffusion::tinyModelOverfitsEightSequences() {
    DenoiserOptions options;
    options.vocabulary = 12; // 11 is END
    options.maxTokens = 10;
    options.conditionDim = 8;
    options.conditionTokens = 2;
    options.width = 64;
    options.heads = 4;
    options.layers = 2;
    options.dropout = 0.0;
    options.conditionDropout = 0.0;
    CadDenoiser model(options);
    // Eight different sequences of different lengths, each with its own one-hot condition.
    std::vector<torch::Tensor> rows;
    for (std::int64_t i = 0; i < 8; ++i) {
        std::vector<std::int64_t> tokens;
        for (std::int64_t k = 0; k < 4 + i % 5; ++k)
            tokens.push_back((i * 7 + k * 3 + k * k * i) % 11);
        rows.push_back(torch::tensor(toFixedLength(tokens, 11, 10), torch::kLong));
    }
    const torch::Tensor x0 = torch::stack(rows);
    const torch::Tensor conditions = torch::eye(8);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 600; ++step) {
        const CadDenoiserImpl::Losses losses =
            model->loss(x0.repeat({4, 1}), conditions.repeat({4, 1}));
        optimizer.zero_grad();
        losses.total.backward();
        optimizer.step();
        if (step < 20) first += losses.total.item<double>() / 20.0;
        if (step >= 580) last += losses.total.item<double>() / 20.0;
    }
    qInfo("loss %.3f -> %.4f", first, last);
    QVERIFY(last < 0.1 * first);
    int regenerated = 0;
    for (std::int64_t i = 0; i < 8; ++i) {
        const torch::Tensor sampled =
            model->sample(conditions[i], 1, SamplingOptions{20, 1.0, 1.0, std::uint64_t(i)});
        regenerated += torch::equal(sampled[0], x0[i]);
    }
    qInfo("%d of 8 sequences regenerated with the fast sampler (20 steps)", regenerated);
    QVERIFY(regenerated >= 7);
    // Each sequence with half its tokens masked again comes back whole from the reverse
    // process started there (resample, the edit a retrieved part goes through).
    int restored = 0;
    for (std::int64_t i = 0; i < 8; ++i)
        restored += torch::equal(
            model->resample(conditions[i], x0[i], 50, 1, SamplingOptions{20, 1.0, 1.0, 7, {}})[0],
            x0[i]);
    qInfo("%d of 8 sequences restored from half of their tokens", restored);
    QVERIFY(restored >= 7);
}

namespace {

/// Whether every sampled sequence keeps the token layout: rows of C tokens of columns 0..C-1
/// and one level, the first row of level 0 (an extrude's), END only at a row start and then to
/// the end.
bool keepsLayout(const torch::Tensor& samples, const TokenLayout& layout) {
    const std::int64_t C = layout.codesPerRow, K = layout.codes;
    for (std::int64_t b = 0; b < samples.size(0); ++b) {
        if (samples[b][0].item<std::int64_t>() >= K) return false; // level 0, column 0: [0, K)
        bool ended = false;
        for (std::int64_t row = 0; row * C < samples.size(1); ++row) {
            std::int64_t level = -1;
            for (std::int64_t c = 0; c < C && row * C + c < samples.size(1); ++c) {
                const std::int64_t t = samples[b][row * C + c].item<std::int64_t>();
                if (ended || (c == 0 && t == layout.endToken())) {
                    ended = true;
                    if (t != layout.endToken()) return false;
                    continue;
                }
                if (t >= layout.endToken() || (t / K) % C != c) return false;
                if (level >= 0 && t / (C * K) != level) return false;
                level = t / (C * K);
            }
        }
    }
    return true;
}

/// A small one-layer denoiser for tests of the sampler, which need no training.
DenoiserOptions untrainedOptions(std::int64_t vocabulary, std::int64_t maxTokens) {
    DenoiserOptions options;
    options.vocabulary = vocabulary;
    options.maxTokens = maxTokens;
    options.conditionDim = 8;
    options.width = 32;
    options.heads = 4;
    options.layers = 1;
    return options;
}

} // namespace

void TestDiffusion::grammarConstrainedSamplesParse() {
    // An untrained denoiser draws tokens at random: unconstrained, its rows mix columns and
    // levels; constrained, every sequence keeps the layout (the draws only get masked).
    const TokenLayout layout{5, 4, 3};
    CadDenoiser model(untrainedOptions(layout.endToken() + 1, 32));
    const torch::Tensor condition = torch::randn({8});
    SamplingOptions sampling{10, 1.0, 1.0, 3};
    QVERIFY(!keepsLayout(model->sample(condition, 16, sampling), layout));
    sampling.layout = layout;
    for (std::uint64_t seed = 0; seed < 4; ++seed) {
        sampling.seed = seed;
        QVERIFY(keepsLayout(model->sample(condition, 16, sampling), layout));
    }
}

void TestDiffusion::samplesAreEndFilledAfterTheirFirstEnd() {
    // An untrained denoiser without the grammar draws END anywhere: sampled at full length, its
    // sequences go on after an END; with cutAfterEnd (the default) each is END from its first
    // END on, as training sequences are, and the same seed gives the same samples.
    const DenoiserOptions options = untrainedOptions(6, 24); // 5 is END: a sixth of every draw
    CadDenoiser model(options);
    const torch::Tensor condition = torch::randn({8});
    const auto continuesAfterEnd = [](const torch::Tensor& samples) {
        const torch::Tensor afterEnd = samples.eq(5).cumsum(1).gt(0);
        return samples.ne(5).logical_and(afterEnd).any().item<bool>();
    };
    SamplingOptions sampling{10, 1.0, 1.0, 3};
    sampling.cutAfterEnd = false;
    QVERIFY(continuesAfterEnd(model->sample(condition, 16, sampling)));
    sampling.cutAfterEnd = true;
    for (const std::int64_t tail : {0, 4}) { // END-filled, or a masked tail after the first END
        sampling.endTail = tail;
        for (std::uint64_t seed = 0; seed < 4; ++seed) {
            sampling.seed = seed;
            const torch::Tensor samples = model->sample(condition, 16, sampling);
            QCOMPARE(samples.size(1), options.maxTokens);
            QVERIFY(samples.ne(model->maskToken()).all().item<bool>());
            QVERIFY(!continuesAfterEnd(samples));
            QVERIFY(torch::equal(samples, model->sample(condition, 16, sampling)));
        }
    }
}

// `train diffusion` end to end on a tiny dataset with a tiny codebook and aligner: the loss
// falls, the folder reloads to the same outputs and samples sequences of the codebook's tokens,
// and a second run can start from it (`--init`).
void TestDiffusion::trainerLearnsReloadsAndContinues() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", 16, 128);
    QVERIFY(
        trainCodebook(test::tinyCodebookSettings(root / "data", root / "codebook"), {}).finished);
    QVERIFY(
        trainAlign(test::tinyAlignSettings(root / "data", root / "codebook", root / "align"), {})
            .finished);
    const DiffusionTrainingSettings settings = test::tinyDiffusionSettings(
        root / "data", root / "codebook", root / "align", root / "diffusion");
    std::vector<double> losses;
    const DiffusionTrainingResult result = trainDiffusion(
        settings, [&](const TrainingProgress& p) { losses.push_back(p.loss); }, nullptr, 1);
    QVERIFY(result.finished);
    QCOMPARE(losses.size(), std::size_t(40));
    double first = 0.0, last = 0.0;
    for (std::size_t i = 0; i < 10; ++i) {
        first += losses[i] / 10.0;
        last += losses[30 + i] / 10.0;
    }
    qInfo("loss %.3f -> %.3f, validation masked accuracy %.3f", first, last,
          result.validation.maskedAccuracy);
    QVERIFY(last < first);
    QVERIFY(result.validation.sequences > 0);
    const nlohmann::json manifest = readModelManifest(root / "diffusion", "diffusion");
    QCOMPARE(manifest["metrics"]["validation"]["loss"].get<double>(), result.validation.loss);

    const double other =
        manifest["metrics"]["validation"]["masked_accuracy_other_condition"].get<double>();
    QVERIFY(other >= 0.0 && other <= 1.0);

    CadDenoiser loaded = loadDenoiser(root / "diffusion");
    QVERIFY(loaded->options().conditionNorm);
    const SamplingOptions fast{5, 1.0, 1.0, 3};
    const torch::Tensor condition = torch::nn::functional::normalize(
        torch::randn({1, 16}), torch::nn::functional::NormalizeFuncOptions().dim(1))[0];
    const torch::Tensor sampled = loaded->sample(condition, 2, fast);
    QCOMPARE(sampled.size(1), std::int64_t(512));
    QVERIFY(sampled.lt(loaded->options().vocabulary).all().item<bool>()); // no [MASK] left
    QVERIFY(torch::equal(sampled, loadDenoiser(root / "diffusion")->sample(condition, 2, fast)));
    QVERIFY(loaded->sample({}, 1, fast).size(0) == 1); // unconditional

    // Started from the trained denoiser with a rate too small to move it, a run ends where
    // that one did: its weights, and its architecture whatever this run's options ask for.
    DiffusionTrainingSettings continued = settings;
    continued.init = root / "diffusion";
    continued.out = root / "continued";
    continued.model.width *= 2;
    continued.steps = 1;
    continued.warmupSteps = 1;
    continued.learningRate = 1e-12;
    const DiffusionTrainingResult again = trainDiffusion(continued, {});
    QVERIFY(again.finished);
    QVERIFY(std::abs(again.validation.loss - result.validation.loss) < 1e-6);
    QCOMPARE(loadDenoiser(continued.out)->options().width, loaded->options().width);
    QCOMPARE(readModelManifest(continued.out, "diffusion")["training"]["init"].get<std::string>(),
             fs::absolute(continued.init).lexically_normal().string());

    continued.init = root / "align"; // a folder without a denoiser
    continued.out = root / "refused";
    QVERIFY_THROWS_EXCEPTION(Error, trainDiffusion(continued, {}));
}

void TestDiffusion::resamplingKeepsTheStartsUnmaskedTokens() {
    const DenoiserOptions options = untrainedOptions(6, 24);
    CadDenoiser model(options);
    const torch::Tensor condition = torch::randn({8});
    SamplingOptions sampling{10, 1.0, 1.0, 3, {}};
    sampling.cutAfterEnd = false; // an untrained model's ENDs would cut the comparison short
    // From step T the start is all masked: the plain sampler, draw for draw.
    const torch::Tensor masked = torch::full({24}, model->maskToken(), torch::kLong);
    QVERIFY(torch::equal(model->resample(condition, masked, 100, 16, sampling),
                         model->sample(condition, 16, sampling)));
    // From step 30 each row masks about 30 % of the start; the untrained model redraws those
    // among 6 tokens, so about 70 % + 30 % / 6 = 75 % of the tokens stay as they were (an
    // untrained model's draws are not quite uniform: the bounds leave room for that).
    const torch::Tensor start = torch::randint(5, {24}, torch::kLong);
    const torch::Tensor resampled = model->resample(condition, start, 30, 400, sampling);
    QCOMPARE(resampled.sizes(), (std::vector<std::int64_t>{400, 24}));
    QVERIFY(resampled.ne(model->maskToken()).all().item<bool>());
    const double kept = resampled.eq(start).to(torch::kDouble).mean().item<double>();
    QVERIFY2(kept > 0.68 && kept < 0.82, qPrintable(QString("kept %1").arg(kept)));
    QVERIFY_THROWS_EXCEPTION(Error, model->resample(condition, start, 0, 1, sampling));
    QVERIFY_THROWS_EXCEPTION(Error,
                             model->resample(condition, start.narrow(0, 0, 5), 30, 1, sampling));
}

IMG2CAD_REGISTER_TEST(TestDiffusion)
#include "test_diffusion.moc"
