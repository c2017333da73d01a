// SPDX-License-Identifier: MIT
// Our Transformer stack computes what torch::nn::TransformerEncoder computes, from the same
// weights under the same names (so models trained with either load into the other), with
// key padding and with a causal mask.

#include "test_registry.h"

#include "ml/nn/transformer_stack.h"

#include <QTest>

using namespace img2cad::ml;

namespace {

struct Pair {
    torch::nn::TransformerEncoder reference{nullptr};
    TransformerStack ours{nullptr};
};

Pair makePair() {
    torch::nn::TransformerEncoderLayerOptions layer(32, 4);
    layer.dim_feedforward(64).dropout(0.0).activation(torch::kGELU);
    Pair pair{torch::nn::TransformerEncoder(torch::nn::TransformerEncoderOptions(layer, 2)),
              TransformerStack(TransformerStackOptions{32, 4, 2, 64, 0.0})};
    torch::NoGradGuard noGrad;
    auto ours = pair.ours->named_parameters();
    for (const auto& item : pair.reference->named_parameters()) {
        // Biases start at zero in both; give everything random values to compare for real.
        item.value().normal_(0.0, 0.2);
        ours[item.key()].copy_(item.value());
    }
    Q_ASSERT(ours.size() == pair.reference->named_parameters().size());
    pair.reference->eval();
    pair.ours->eval();
    return pair;
}

} // namespace

class TestTransformerStack : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(8); }
    void matchesTorchWithKeyPadding();
    void matchesTorchWithACausalMask();
};

void TestTransformerStack::matchesTorchWithKeyPadding() {
    Pair pair = makePair();
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({3, 7, 32});
    const torch::Tensor padding =
        torch::arange(7).unsqueeze(0).ge(torch::tensor({7, 5, 2}).unsqueeze(1));
    const torch::Tensor expected =
        pair.reference->forward(x.transpose(0, 1), {}, padding).transpose(0, 1);
    const torch::Tensor actual = pair.ours->forward(x, padding);
    const torch::Tensor valid = padding.logical_not().unsqueeze(2).expand_as(actual);
    QVERIFY(
        torch::allclose(actual.masked_select(valid), expected.masked_select(valid), 1e-4, 1e-5));
}

void TestTransformerStack::matchesTorchWithACausalMask() {
    Pair pair = makePair();
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({2, 6, 32});
    const torch::Tensor mask = torch::full({6, 6}, -std::numeric_limits<float>::infinity()).triu(1);
    const torch::Tensor expected = pair.reference->forward(x.transpose(0, 1), mask).transpose(0, 1);
    QVERIFY(torch::allclose(pair.ours->forward(x, {}, true), expected, 1e-4, 1e-5));
}

IMG2CAD_REGISTER_TEST(TestTransformerStack)
#include "test_transformer_stack.moc"
