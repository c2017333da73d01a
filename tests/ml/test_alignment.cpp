// SPDX-License-Identifier: MIT
// Contrastive alignment: eq. 7 on hand-computed cases, and on tiny data the loss falls and
// point-cloud -> CAD retrieval rises far above chance.

#include "test_registry.h"

#include "ml/align/contrastive_alignment.h"
#include "ml/error.h"

#include <QTest>

#include <cmath>

using namespace img2cad::ml;

namespace {

AlignmentOptions tinyOptions() {
    AlignmentOptions o;
    o.embedding = 32;
    o.vocabulary = 64;
    o.width = 32;
    o.heads = 4;
    o.layers = 2;
    o.maxTokens = 32;
    return o;
}

/// 16 boxes of different proportions (the clouds) paired with 16 random token sequences of
/// 6..20 tokens (the programs), right-padded.
struct TinyPairs {
    torch::Tensor points, tokens, padding;
};
TinyPairs tinyPairs() {
    const std::int64_t count = 16, length = 20;
    TinyPairs pairs;
    const torch::Tensor sizes = 0.2 + 0.8 * torch::rand({count, 1, 3});
    pairs.points = (torch::rand({count, 256, 3}) - 0.5) * sizes;
    pairs.tokens = torch::randint(64, {count, length}, torch::kLong);
    const torch::Tensor lengths = torch::randint(6, length + 1, {count, 1}, torch::kLong);
    pairs.padding = torch::arange(length).unsqueeze(0).ge(lengths);
    pairs.tokens.masked_fill_(pairs.padding, 0);
    return pairs;
}

} // namespace

class TestAlignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(4); }
    void infoNceMatchesHandComputedValues();
    void learnsToRetrieveProgramsFromClouds();
    void paddingDoesNotChangeTheEmbedding();
};

void TestAlignment::infoNceMatchesHandComputedValues() {
    ContrastiveAligner aligner(tinyOptions());
    // One pair: the partner is the only other term, the loss is 0.
    const torch::Tensor e1 = torch::tensor({1.0f, 0.0f}).view({1, 2});
    QVERIFY(aligner->loss({e1, e1}).item<double>() < 1e-6);
    // Two orthogonal pairs: each row sees its partner at similarity 1 and two others at 0.
    const torch::Tensor z = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f}).view({2, 2});
    const double t = aligner->temperature();
    const double expected = -std::log(std::exp(1.0 / t) / (std::exp(1.0 / t) + 2.0));
    QVERIFY(std::abs(aligner->loss({z, z}).item<double>() - expected) < 1e-5);
}

void TestAlignment::learnsToRetrieveProgramsFromClouds() {
    ContrastiveAligner aligner(tinyOptions());
    const TinyPairs pairs = tinyPairs();
    torch::optim::AdamW optimizer(aligner->parameters(), torch::optim::AdamWOptions(1e-3));
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 120; ++step) {
        const torch::Tensor loss =
            aligner->loss(aligner->forward(pairs.points, pairs.tokens, pairs.padding));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        (step == 0 ? first : last) = loss.item<double>();
    }
    aligner->eval();
    torch::NoGradGuard noGrad;
    const auto z = aligner->forward(pairs.points, pairs.tokens, pairs.padding);
    const double top1 = retrievalAccuracy(z.zPoints, z.zCad, 1);
    const double top5 = retrievalAccuracy(z.zPoints, z.zCad, 5);
    qInfo("InfoNCE %.3f -> %.3f; retrieval top-1 %.2f, top-5 %.2f (chance 0.06, 0.31); "
          "temperature %.3f",
          first, last, top1, top5, aligner->temperature());
    QVERIFY(last < 0.5 * first);
    QVERIFY(top1 > 0.5);
}

void TestAlignment::paddingDoesNotChangeTheEmbedding() {
    // Causal attention and reading the last real token: extra padding changes nothing.
    CadSequenceEncoder encoder(tinyOptions());
    encoder->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor tokens = torch::randint(64, {1, 8}, torch::kLong);
    const torch::Tensor padded = torch::cat({tokens, torch::zeros({1, 5}, torch::kLong)}, 1);
    const torch::Tensor a = encoder->forward(tokens, torch::zeros({1, 8}, torch::kBool));
    const torch::Tensor mask = torch::arange(13).ge(8).unsqueeze(0);
    const torch::Tensor b = encoder->forward(padded, mask);
    QVERIFY(torch::allclose(a, b, 1e-4, 1e-5));
    QVERIFY_THROWS_EXCEPTION(Error, encoder->forward(torch::zeros({1, 40}, torch::kLong),
                                                     torch::zeros({1, 40}, torch::kBool)));
}

IMG2CAD_REGISTER_TEST(TestAlignment)
#include "test_alignment.moc"
