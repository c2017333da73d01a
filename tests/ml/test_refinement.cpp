// SPDX-License-Identifier: MIT
// Refinement of the coarse cloud: the UA-DGCNN learns edge importance on a part (loss falls,
// edge points score above face points), the CAD-derived saliency is right on hand-made cases,
// and the resampling of eq. 6 is uniform with lambda = 0 and keeps the most important points
// with a large beta (statistical checks with fixed seeds).

#include "test_registry.h"
#include "tiny_datasets.h"

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/metrics/edge_saliency.h"
#include "cad/normalization.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/error.h"
#include "ml/refine/refine_trainer.h"
#include "ml/refine/resampling.h"
#include "ml/refine/ua_dgcnn.h"
#include "ml/training/model_folder.h"

#include <QTemporaryDir>
#include <QTest>

using namespace img2cad;
using namespace img2cad::ml;

namespace {

/// A generated part's points and their edge saliency, in the unit-cube frame.
std::pair<torch::Tensor, torch::Tensor> partWithSaliency(std::uint64_t seed, std::size_t count) {
    const cad::Shape shape = cad::compile(cad::generatePart(seed).program);
    const cad::Normalization frame = cad::Normalization::toUnitCube(cad::analyse(shape).bbox);
    const cad::TriangleMesh mesh = frame.apply(cad::tessellate(shape));
    const cad::PointCloud cloud = cad::samplePoints(mesh, count, seed);
    const std::vector<float> saliency = cad::edgeSaliency(cloud.positions, mesh.featureEdges, 0.02);
    torch::Tensor points = torch::empty({1, std::int64_t(count), 3});
    for (std::size_t i = 0; i < count; ++i) {
        points[0][std::int64_t(i)][0] = cloud.positions[i].x;
        points[0][std::int64_t(i)][1] = cloud.positions[i].y;
        points[0][std::int64_t(i)][2] = cloud.positions[i].z;
    }
    return {points, torch::tensor(saliency).unsqueeze(0)};
}

} // namespace

class TestRefinement : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(2); }
    void edgeSaliencyMatchesHandComputedValues();
    void dgcnnLearnsEdgeImportance();
    void resamplingWithLambdaZeroIsUniform();
    void resamplingWithLargeBetaKeepsTheMostImportant();
    void refusesBadSettings();
    void aucMatchesHandComputedValues();
    void trainerLearnsAndReloads();
};

void TestRefinement::aucMatchesHandComputedValues() {
    const torch::Tensor positive = torch::tensor({1, 1, 0, 0}).to(torch::kBool);
    QCOMPARE(rocAuc(torch::tensor({0.9, 0.8, 0.1, 0.2}), positive), 1.0);
    QCOMPARE(rocAuc(torch::tensor({0.1, 0.2, 0.9, 0.8}), positive), 0.0);
    // Positives 0.9 and 0.3 against negatives 0.5 and 0.1: 3 of 4 pairs ordered right.
    QCOMPARE(rocAuc(torch::tensor({0.9, 0.3, 0.5, 0.1}), positive), 0.75);
    QCOMPARE(rocAuc(torch::tensor({0.5, 0.5, 0.5, 0.5}), positive), 0.5); // ties count half
    QVERIFY_THROWS_EXCEPTION(Error, rocAuc(torch::tensor({0.5, 0.4}), torch::ones({2})));
}

// `train refine` end to end on a tiny dataset: the importance loss falls, the folder reloads to
// the same outputs, and the validation AUC is in the manifest.
void TestRefinement::trainerLearnsAndReloads() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    test::writeProgramDataset(root / "data", 8, 256);
    RefineTrainingSettings settings;
    settings.data = root / "data";
    settings.out = root / "refine";
    settings.model = {8, 16, 32};
    settings.points = 128;
    settings.steps = 40;
    settings.batchSize = 4;
    settings.learningRate = 3e-3;
    settings.warmupSteps = 1;
    std::vector<double> losses;
    const RefineTrainingResult result = trainRefine(
        settings, [&](const TrainingProgress& p) { losses.push_back(p.loss); }, nullptr, 1);
    QVERIFY(result.finished);
    QCOMPARE(losses.size(), std::size_t(40));
    const auto average = [&](std::size_t from) {
        double sum = 0.0;
        for (std::size_t i = from; i < from + 10; ++i)
            sum += losses[i];
        return sum / 10.0;
    };
    QVERIFY2(average(30) < average(0),
             qPrintable(QString("%1 -> %2").arg(average(0)).arg(average(30))));
    QCOMPARE(result.validation.parts, std::int64_t(2));
    QVERIFY(result.validation.auc > 0.0 && result.validation.auc <= 1.0);
    const nlohmann::json manifest = readModelManifest(root / "refine", "refine");
    QCOMPARE(manifest["metrics"]["validation"]["importance_auc"].get<double>(),
             result.validation.auc);

    UaDgcnn loaded = loadRefiner(root / "refine");
    const torch::Tensor probe = torch::rand({1, 64, 3}) - 0.5;
    const torch::Tensor once = loaded->forward(probe).importance;
    QVERIFY(torch::equal(once, loadRefiner(root / "refine")->forward(probe).importance));

    settings.points = 1;
    settings.out = root / "other";
    QVERIFY_THROWS_EXCEPTION(Error, trainRefine(settings, {}));
}

void TestRefinement::edgeSaliencyMatchesHandComputedValues() {
    const std::vector<std::vector<cad::Vec3f>> edges{{{0, 0, 0}, {1, 0, 0}}};
    const auto s = cad::edgeSaliency({{0.5f, 0, 0}, {0.5f, 0.02f, 0}, {2, 0, 0}}, edges, 0.02);
    QCOMPARE(s[0], 1.0f);
    QVERIFY(std::abs(s[1] - std::exp(-1.0f)) < 1e-5f); // one sigma away
    QVERIFY(s[2] < 1e-6f);                             // far beyond the segment's end
}

void TestRefinement::dgcnnLearnsEdgeImportance() {
    const auto [points, target] = partWithSaliency(3, 512);
    DgcnnOptions options;
    options.featureWidth = 32;
    options.globalWidth = 64;
    options.neighbours = 12;
    UaDgcnn network(options);
    torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(3e-3));
    double first = 0.0, last = 0.0;
    // 300 steps: the loss plateaus for about 150 first, and where it leaves the plateau varies
    // with the CPU's kernels.
    for (int step = 0; step < 300; ++step) {
        const auto output = network->forward(points);
        const torch::Tensor loss = UaDgcnnImpl::loss(output, target);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        (step == 0 ? first : last) = loss.item<double>();
    }
    qInfo("importance loss %.4f -> %.4f", first, last);
    QVERIFY(last < first - 0.1);
    const torch::Tensor importance = network->forward(points).importance;
    const torch::Tensor onEdges = target.gt(0.6), onFaces = target.lt(0.05);
    const double edgeMean = importance.masked_select(onEdges).mean().item<double>();
    const double faceMean = importance.masked_select(onFaces).mean().item<double>();
    qInfo("mean importance: edges %.3f, faces %.3f", edgeMean, faceMean);
    QVERIFY(edgeMean > faceMean + 0.2);
}

void TestRefinement::resamplingWithLambdaZeroIsUniform() {
    // 100 points with very uneven importance; lambda 0 must ignore it. Choose 10 of 100,
    // 4,000 times: each point is chosen 400 times on average; a chi-square test with 99
    // degrees of freedom rejects uniformity above ~135 (p = 0.01).
    const torch::Tensor importance = torch::linspace(0.0, 1.0, 100);
    at::Generator generator = at::detail::createCPUGenerator(123);
    torch::Tensor counts = torch::zeros({100}, torch::kDouble);
    for (int trial = 0; trial < 4000; ++trial)
        counts.index_add_(0, heuristicResample(importance, {10, 50.0, 0.0}, generator),
                          torch::ones({10}, torch::kDouble));
    const double chi2 = ((counts - 400.0).pow(2) / 400.0).sum().item<double>();
    qInfo("chi-square %.1f (99 dof)", chi2);
    QVERIFY(chi2 < 135.0);
}

void TestRefinement::resamplingWithLargeBetaKeepsTheMostImportant() {
    const torch::Tensor importance = torch::rand({1000});
    const torch::Tensor top = std::get<1>(importance.topk(50));
    at::Generator generator = at::detail::createCPUGenerator(7);
    const torch::Tensor chosen = heuristicResample(importance, {50, 500.0, 1.0}, generator);
    const double kept = torch::isin(chosen, top).to(torch::kDouble).mean().item<double>();
    qInfo("top-50 points kept with beta 500: %.0f%%", 100.0 * kept);
    QVERIFY(kept > 0.9);
    // Probabilities sum to one and mix the two terms as eq. 6 says.
    const torch::Tensor p = resamplingProbabilities(importance, {50, 10.0, 0.3});
    QVERIFY(std::abs(p.sum().item<double>() - 1.0) < 1e-9);
    QVERIFY(p.min().item<double>() >= 0.7 / 1000.0 - 1e-12);
}

void TestRefinement::refusesBadSettings() {
    QVERIFY_THROWS_EXCEPTION(Error, heuristicResample(torch::rand({10}), {11, 1.0, 0.5}));
    QVERIFY_THROWS_EXCEPTION(Error, heuristicResample(torch::rand({10}), {5, 1.0, 1.5}));
    UaDgcnn network;
    QVERIFY_THROWS_EXCEPTION(Error, network->forward(torch::zeros({1, 10, 2})));
}

IMG2CAD_REGISTER_TEST(TestRefinement)
#include "test_refinement.moc"
