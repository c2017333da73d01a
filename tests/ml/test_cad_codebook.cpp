// SPDX-License-Identifier: MIT
// The CAD codebook of every variant on a tiny generated set: its losses fall in a few steps, a
// saved model reloads to the same codes and programs, and the trainer resumes an interrupted run
// to exactly the weights of an uninterrupted one. Bad folders give clear errors.

#include "test_registry.h"
#include "tiny_datasets.h"

#include "cad/generator/part_generator.h"
#include "cad/program_json.h"
#include "ml/codebook/cad_codebook.h"
#include "ml/codebook/cad_tokens.h"
#include "ml/codebook/codebook_store.h"
#include "ml/codebook/codebook_trainer.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kParts = 24;

CodebookOptions tinyOptions(CodebookVariant variant, std::int64_t depth = 1,
                            std::int64_t codeDim = 0) {
    CodebookOptions options;
    options.variant = variant;
    options.depth = depth;
    options.codeDim = codeDim;
    options.width = 32;
    options.heads = 4;
    options.layers = 1;
    options.codes = 32;
    options.dropout = 0.0;
    return options;
}

std::vector<CodebookExample> tinyExamples() {
    std::vector<CodebookExample> examples;
    for (std::uint64_t seed = 0; std::int64_t(examples.size()) < kParts; ++seed)
        examples.push_back(makeCodebookExample(cad::generatePart(seed).program));
    return examples;
}

CodebookTrainingSettings tinySettings(const fs::path& data, const fs::path& out) {
    CodebookTrainingSettings settings;
    settings.data = data;
    settings.out = out;
    settings.model = tinyOptions(CodebookVariant::Hierarchical);
    settings.steps = 8;
    settings.batchSize = 6;
    settings.warmupSteps = 2;
    settings.learningRate = 2e-3;
    settings.seed = 11;
    return settings;
}

bool sameWeights(CadCodebook& a, CadCodebook& b) {
    const auto pa = a->named_parameters(), pb = b->named_parameters();
    for (const auto& item : pa)
        if (!torch::equal(item.value(), pb[item.key()])) return false;
    return true;
}

} // namespace

class TestCadCodebook : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(5); }
    void eachVariantLearnsWithAFallingLoss_data();
    void eachVariantLearnsWithAFallingLoss();
    void aSavedCodebookReloadsToTheSameCodesAndPrograms();
    void tokensRoundTripToTheReconstructedProgram();
    void anInterruptedRunResumesToTheSameWeights();
    void refusesAFolderOfAnotherRunAndBrokenModels();
    void codeSearchFindsCodesThatDecodeCloser();
};

void TestCadCodebook::eachVariantLearnsWithAFallingLoss_data() {
    QTest::addColumn<int>("variant");
    QTest::newRow("hierarchical") << int(CodebookVariant::Hierarchical);
    QTest::newRow("flat (Model 1)") << int(CodebookVariant::Flat);
    QTest::newRow("disentangled (Model 2)") << int(CodebookVariant::Disentangled);
}

void TestCadCodebook::eachVariantLearnsWithAFallingLoss() {
    QFETCH(int, variant);
    const std::vector<CodebookExample> examples = tinyExamples();
    CadCodebook codebook(tinyOptions(CodebookVariant(variant)));
    codebook->fitStandardisation(examples);
    torch::optim::AdamW optimizer(codebook->parameters(), torch::optim::AdamWOptions(3e-3));
    std::vector<const CodebookExample*> batch;
    for (const CodebookExample& e : examples)
        batch.push_back(&e);
    // The reconstruction terms (the VQ term starts near 0 by k-means and settles later).
    const auto reconstructionOf = [](const CadCodebookImpl::Losses& losses) {
        return losses.total.item<double>() - losses.parts.at("vq");
    };
    double first = 0.0, last = 0.0, firstTotal = 0.0, lastTotal = 0.0;
    for (int step = 0; step < 40; ++step) {
        auto losses = codebook->loss(batch, 0.5 * (1.0 - step / 40.0));
        optimizer.zero_grad();
        losses.total.backward();
        optimizer.step();
        (step == 0 ? first : last) = reconstructionOf(losses);
        (step == 0 ? firstTotal : lastTotal) = losses.total.item<double>();
    }
    qInfo("%s: reconstruction loss %.3f -> %.3f, total %.3f -> %.3f",
          variantName(CodebookVariant(variant)), first, last, firstTotal, lastTotal);
    QVERIFY2(last < 0.6 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
    QVERIFY(lastTotal < firstTotal);
    // The health report names every codebook the variant has.
    const auto health = codebook->health();
    QCOMPARE(int(health.size()), variant == int(CodebookVariant::Hierarchical)   ? 3
                                 : variant == int(CodebookVariant::Disentangled) ? 2
                                                                                 : 1);
}

void TestCadCodebook::aSavedCodebookReloadsToTheSameCodesAndPrograms() {
    const std::vector<CodebookExample> examples = tinyExamples();
    const std::tuple<CodebookVariant, std::int64_t, std::int64_t> cases[] = {
        {CodebookVariant::Hierarchical, 1, 0},
        {CodebookVariant::Disentangled, 1, 0},
        {CodebookVariant::Hierarchical, 3, 0}, // residual codes
        {CodebookVariant::Disentangled, 2, 0},
        {CodebookVariant::Hierarchical, 2, 8}}; // low-dimensional codes, binned CC lengths
    for (const auto& [variant, depth, codeDim] : cases) {
        CodebookOptions options = tinyOptions(variant, depth, codeDim);
        if (codeDim > 0) options.lengthBins = 16;
        CadCodebook codebook(options);
        codebook->fitStandardisation(examples);
        std::vector<const CodebookExample*> batch{&examples[0], &examples[1], &examples[2]};
        codebook->loss(batch); // k-means initialisation of the codebooks
        QTemporaryDir dir;
        saveCodebook(codebook, dir.path().toStdString(), {{"note", "test"}}, {});
        CadCodebook reloaded = loadCodebook(dir.path().toStdString());
        QVERIFY(sameWeights(codebook, reloaded));
        QCOMPARE(reloaded->options().codeDim, codeDim);
        QCOMPARE(reloaded->options().lengthBins, options.lengthBins);
        for (const auto& buffer : reloaded->named_buffers())
            if (buffer.key().size() >= 9 &&
                buffer.key().compare(buffer.key().size() - 9, 9, ".codebook") == 0)
                QCOMPARE(buffer.value().size(1), codeDim > 0 ? codeDim : std::int64_t(32));
        for (std::size_t i = 0; i < 4; ++i) {
            const auto a = codebook->reconstruct(examples[i]);
            const auto b = reloaded->reconstruct(examples[i]);
            QVERIFY(a.codes == b.codes);
            // One list of codes per codebook: levels x streams x depth.
            const std::size_t codebooks =
                std::size_t(depth) * (variant == CodebookVariant::Hierarchical ? 3 : 2);
            QCOMPARE(a.codes.size(), codebooks);
            QCOMPARE(codebook->health().size(), codebooks);
            QCOMPARE(a.error, b.error);
            if (a.error.empty())
                QCOMPARE(cad::programToJson(a.program), cad::programToJson(b.program));
        }
        QVERIFY(readModelManifest(dir.path().toStdString())["training"]["note"] == "test");
    }
}

void TestCadCodebook::tokensRoundTripToTheReconstructedProgram() {
    const std::vector<CodebookExample> examples = tinyExamples();
    for (const auto& [variant, depth] :
         {std::pair{CodebookVariant::Hierarchical, std::int64_t(2)},
          std::pair{CodebookVariant::Disentangled, std::int64_t(1)}}) {
        CadCodebook codebook(tinyOptions(variant, depth));
        codebook->fitStandardisation(examples);
        codebook->loss({&examples[0], &examples[1]}); // k-means initialisation
        const TokenVocabulary vocabulary = tokenVocabulary(codebook);
        for (std::size_t i = 0; i < 6; ++i) {
            const std::vector<std::int64_t> tokens = programTokens(codebook, examples[i]);
            QCOMPARE(tokens.back(), vocabulary.endToken());
            for (std::int64_t t : tokens)
                QVERIFY(t >= 0 && t < vocabulary.size());
            const auto reconstruction = codebook->reconstruct(examples[i]);
            std::string fromTokens, error;
            try {
                fromTokens = cad::programToJson(programFromTokens(
                    codebook, tokens, examples[i].normalisation, examples[i].name));
            } catch (const Error& e) {
                error = e.what();
            }
            QCOMPARE(error.empty(), reconstruction.error.empty());
            if (error.empty()) QCOMPARE(fromTokens, cad::programToJson(reconstruction.program));
        }
        // Malformed sequences: an incomplete row, a sketch row first, a token out of range.
        const std::vector<std::int64_t> tokens = programTokens(codebook, examples[0]);
        const Normalisation frame = examples[0].normalisation;
        if (vocabulary.codesPerRow > 1)
            QVERIFY_THROWS_EXCEPTION(
                Error, programFromTokens(codebook, {tokens[0], vocabulary.endToken()}, frame));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 programFromTokens(codebook, {vocabulary.size() + 3}, frame));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 programFromTokens(codebook, {vocabulary.endToken()}, frame));
        if (variant == CodebookVariant::Hierarchical) {
            std::vector<std::int64_t> sketchFirst(tokens.begin() + vocabulary.codesPerRow,
                                                  tokens.end());
            QVERIFY_THROWS_EXCEPTION(Error, programFromTokens(codebook, sketchFirst, frame));
        }
    }
}

void TestCadCodebook::anInterruptedRunResumesToTheSameWeights() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", kParts);

    std::vector<double> straightLosses;
    const auto straight = trainCodebook(
        tinySettings(root / "data", root / "straight"),
        [&](const TrainingProgress& p) { straightLosses.push_back(p.loss); }, nullptr, 1);
    QVERIFY(straight.finished);
    QCOMPARE(straight.stepsDone, std::int64_t(8));

    // Stop after step 3, then run the same settings again: it resumes from the checkpoint.
    std::atomic<bool> stop{false};
    std::vector<double> resumedLosses;
    const auto interrupted = trainCodebook(
        tinySettings(root / "data", root / "resumed"),
        [&](const TrainingProgress& p) {
            resumedLosses.push_back(p.loss);
            if (p.step == 3) stop = true;
        },
        &stop, 1);
    QVERIFY(!interrupted.finished);
    QCOMPARE(interrupted.stepsDone, std::int64_t(3));
    // (A stop right after a report reports nothing more: no window of steps to average.)
    bool sawResume = false;
    const auto resumed = trainCodebook(
        tinySettings(root / "data", root / "resumed"),
        [&](const TrainingProgress& p) {
            sawResume = sawResume || p.resumed;
            resumedLosses.push_back(p.loss);
        },
        nullptr, 1);
    QVERIFY(resumed.finished);
    QVERIFY(sawResume);
    QCOMPARE(resumedLosses.size(), straightLosses.size());
    for (std::size_t i = 0; i < straightLosses.size(); ++i)
        QVERIFY2(std::abs(resumedLosses[i] - straightLosses[i]) <=
                     1e-5 * std::abs(straightLosses[i]),
                 qPrintable(QString("step %1: %2 vs %3")
                                .arg(i + 1)
                                .arg(resumedLosses[i])
                                .arg(straightLosses[i])));
    CadCodebook a = loadCodebook(root / "straight");
    CadCodebook b = loadCodebook(root / "resumed");
    QVERIFY(sameWeights(a, b));
    const nlohmann::json manifest = readModelManifest(root / "resumed");
    QVERIFY(manifest["stage"] == "codebook");
    QVERIFY(manifest["metrics"]["validation"]["programs"] == 6);
    // Code perplexity: at least one code's worth, at most the number of codes used (the value
    // when every used code is used equally often).
    const nlohmann::json& validation = manifest["metrics"]["validation"];
    const double codes = double(tinySettings(root, root).model.codes);
    QVERIFY(!validation["code_perplexity"].empty());
    for (const auto& [name, usage] : validation["code_usage"].items()) {
        const double perplexity = validation["code_perplexity"].at(name).get<double>();
        QVERIFY2(perplexity >= 1.0 - 1e-9 && perplexity <= usage.get<double>() * codes + 1e-6,
                 qPrintable(QString::fromStdString(name)));
    }
}

void TestCadCodebook::refusesAFolderOfAnotherRunAndBrokenModels() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", kParts);
    CodebookTrainingSettings settings = tinySettings(root / "data", root / "model");
    settings.steps = 2;
    trainCodebook(settings, {});
    settings.model.codes = 64;
    QVERIFY_THROWS_EXCEPTION(Error, trainCodebook(settings, {}));
    try {
        trainCodebook(settings, {});
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("another training run"), e.what());
    }
    // A truncated weights file: a clear error, not a crash.
    const fs::path weights = root / "model" / kCodebookWeightsFile;
    fs::resize_file(weights, fs::file_size(weights) / 2);
    QVERIFY_THROWS_EXCEPTION(Error, loadCodebook(root / "model"));
    QVERIFY_THROWS_EXCEPTION(Error, loadCodebook(root / "nowhere"));
    QVERIFY_THROWS_EXCEPTION(Error, loadCodebook(root / "data")); // a dataset, not a model
    fs::create_directories(root / "other");
    std::ofstream(root / "other" / "notes.txt") << "mine";
    settings.out = root / "other";
    QVERIFY_THROWS_EXCEPTION(Error, trainCodebook(settings, {}));
}

void TestCadCodebook::codeSearchFindsCodesThatDecodeCloser() {
    // A briefly trained Curve-Cluster VQ-VAE with two residual codes per row: the search starts
    // from the nearest codes and may only keep what decodes at a lower cost.
    const std::vector<CodebookExample> examples = tinyExamples();
    LevelVqVaeOptions options;
    options.layout = curveClusterLayout();
    options.width = 32;
    options.heads = 4;
    options.layers = 1;
    options.codes = 32;
    options.depth = 2;
    options.dropout = 0.0;
    LevelVqVae level(options);
    std::vector<const FeatureMatrix*> sequences;
    for (const CodebookExample& e : examples)
        sequences.push_back(&e.levels.cc.front());
    const auto [rows, padding] = padMatrices(sequences, options.layout.rowDim, torch::kCPU);
    level->fitStandardisation(rows.masked_select(padding.logical_not().unsqueeze(2))
                                  .reshape({-1, options.layout.rowDim}));
    torch::optim::AdamW optimizer(level->parameters(), torch::optim::AdamWOptions(3e-3));
    for (int step = 0; step < 30; ++step) {
        const auto output = level->forward(rows, padding);
        const auto losses = level->loss(output, rows, padding);
        optimizer.zero_grad();
        losses.total.backward();
        optimizer.step();
    }
    level->eval();
    torch::NoGradGuard noGrad;
    int improved = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        const std::int64_t length = std::int64_t(sequences[i]->rows);
        const torch::Tensor original = rows[std::int64_t(i)].narrow(0, 0, length).unsqueeze(0);
        const torch::Tensor onePadding = torch::zeros({1, length}, torch::kBool);
        const torch::Tensor nearest = level->forward(original, onePadding).indices;
        const SequenceCost cost = rowCost(*level, original);
        const torch::Tensor searched = searchCodes(*level, original, nearest, cost, {2, 8});
        QCOMPARE(searched.sizes(), nearest.sizes());
        const double before = cost(level->decodeCodes(nearest, onePadding)).item<double>();
        const double after = cost(level->decodeCodes(searched, onePadding)).item<double>();
        QVERIFY2(after <= before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
        improved += after < before;
    }
    QVERIFY2(improved >= 3, qPrintable(QString("%1 of 6 improved").arg(improved)));
}

IMG2CAD_REGISTER_TEST(TestCadCodebook)
#include "test_cad_codebook.moc"
