// SPDX-License-Identifier: MIT
// Debian's LibTorch is built with Gloo; its c10d header only declares the Gloo group when told.
#define USE_C10D_GLOO 1
#include "ml/training/distributed.h"

#include "ml/error.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <limits>

namespace img2cad::ml {

struct DistributedGroup::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

    void allreduce(torch::Tensor& tensor, c10d::ReduceOp op = c10d::ReduceOp::SUM) {
        std::vector<torch::Tensor> tensors{tensor};
        c10d::AllreduceOptions options;
        options.reduceOp = op;
        group->allreduce(tensors, options)->wait();
    }
    void broadcast(torch::Tensor& tensor) {
        std::vector<torch::Tensor> tensors{tensor};
        group->broadcast(tensors)->wait();
    }
};

namespace {

std::unique_ptr<DistributedGroup> g_processGroup;

/// "host:port" when the text ends in a port number after a colon (and names no folder).
bool isTcpAddress(const std::string& rendezvous, std::string& host, int& port) {
    const auto colon = rendezvous.rfind(':');
    if (colon == std::string::npos || colon == 0 || rendezvous.find('/') != std::string::npos)
        return false;
    const std::string digits = rendezvous.substr(colon + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
    port = std::stoi(digits);
    if (port <= 0 || port > 65535) return false;
    host = rendezvous.substr(0, colon);
    return true;
}

/// Gloo collectives work on CPU tensors of the usual types; `apply` runs on a CPU copy of
/// `tensor` (bool as uint8) and the result is written back in place.
template <typename Collective> void onCpu(torch::Tensor tensor, Collective apply) {
    const bool isBool = tensor.scalar_type() == torch::kBool;
    torch::Tensor work = tensor.detach().to(torch::kCPU).contiguous();
    if (isBool) work = work.to(torch::kUInt8);
    apply(work);
    torch::NoGradGuard noGrad;
    tensor.copy_(isBool ? work.to(torch::kBool) : work);
}

} // namespace

DistributedGroup::DistributedGroup(int rank, int size, std::unique_ptr<Impl> impl)
    : m_rank(rank), m_size(size), m_impl(std::move(impl)) {}

DistributedGroup::~DistributedGroup() = default;

std::unique_ptr<DistributedGroup> DistributedGroup::join(const DistributedSettings& settings) {
    if (settings.worldSize < 1) throw Error("--world-size must be at least 1");
    if (settings.rank < 0 || settings.rank >= settings.worldSize)
        throw Error("--rank must be between 0 and world size - 1 (" +
                    std::to_string(settings.worldSize - 1) + ")");
    if (settings.rendezvous.empty())
        throw Error("distributed training needs --rendezvous HOST:PORT or a shared file path");
    const auto timeout = std::chrono::milliseconds(1000LL * settings.timeoutSeconds);
    auto impl = std::make_unique<Impl>();
    try {
        std::string host;
        int port = 0;
        if (isTcpAddress(settings.rendezvous, host, port)) {
            c10d::TCPStoreOptions options;
            options.port = std::uint16_t(port);
            options.isServer = settings.rank == 0;
            options.numWorkers = std::size_t(settings.worldSize);
            options.timeout = timeout;
            impl->store = c10::make_intrusive<c10d::TCPStore>(host, options);
        } else {
            impl->store =
                c10::make_intrusive<c10d::FileStore>(settings.rendezvous, settings.worldSize);
            impl->store->setTimeout(timeout);
        }
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        options->devices.push_back(
            settings.interface.empty()
                ? c10d::ProcessGroupGloo::createDefaultDevice()
                : c10d::ProcessGroupGloo::createDeviceForInterface(settings.interface));
        impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, settings.rank,
                                                                  settings.worldSize, options);
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(settings.rank) + " could not join the group at '" +
                    settings.rendezvous + "': " + e.what());
    }
    return std::unique_ptr<DistributedGroup>(
        new DistributedGroup(settings.rank, settings.worldSize, std::move(impl)));
}

void DistributedGroup::broadcastState(torch::nn::Module& model) {
    for (torch::Tensor& parameter : model.parameters())
        onCpu(parameter, [&](torch::Tensor& t) { m_impl->broadcast(t); });
    broadcastBuffers(model);
}

void DistributedGroup::broadcastBuffers(torch::nn::Module& model) {
    for (torch::Tensor& buffer : model.buffers())
        onCpu(buffer, [&](torch::Tensor& t) { m_impl->broadcast(t); });
}

void DistributedGroup::averageGradients(torch::nn::Module& model) {
    std::vector<torch::Tensor> parameters = model.parameters();
    if (parameters.empty()) return;
    // One all-reduce for all gradients (flattened; zeros where a rank has none) and one for
    // which ranks had them, instead of a round trip per tensor.
    std::vector<torch::Tensor> flat;
    torch::Tensor present = torch::zeros({std::int64_t(parameters.size())}, torch::kFloat);
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const torch::Tensor& grad = parameters[i].grad();
        present[std::int64_t(i)] = grad.defined() ? 1.0 : 0.0;
        flat.push_back(grad.defined() ? grad.detach().to(torch::kCPU, torch::kFloat).reshape(-1)
                                      : torch::zeros({parameters[i].numel()}, torch::kFloat));
    }
    torch::Tensor all = torch::cat(flat);
    m_impl->allreduce(all);
    m_impl->allreduce(present);
    all.div_(double(m_size));
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        torch::Tensor& parameter = parameters[i];
        const std::int64_t count = parameter.numel();
        if (present[std::int64_t(i)].item<float>() > 0.0f) {
            const torch::Tensor mean = all.narrow(0, offset, count)
                                           .view(parameter.sizes())
                                           .to(parameter.device(), parameter.scalar_type());
            if (parameter.grad().defined())
                parameter.mutable_grad().copy_(mean);
            else
                parameter.mutable_grad() = mean.clone();
        }
        offset += count;
    }
}

bool DistributedGroup::any(bool value) {
    torch::Tensor flag = torch::full({1}, value ? 1 : 0, torch::kInt);
    m_impl->allreduce(flag, c10d::ReduceOp::MAX);
    return flag.item<int>() != 0;
}

double DistributedGroup::sum(double value) {
    torch::Tensor total = torch::full({1}, value, torch::kDouble);
    m_impl->allreduce(total);
    return total.item<double>();
}

void DistributedGroup::requireSame(std::int64_t value, const std::string& what) {
    torch::Tensor extremes = torch::tensor({value, -value}, torch::kLong);
    m_impl->allreduce(extremes, c10d::ReduceOp::MAX);
    const std::int64_t highest = extremes[0].item<std::int64_t>();
    const std::int64_t lowest = -extremes[1].item<std::int64_t>();
    if (highest != lowest)
        throw Error("the ranks disagree on " + what + " (from " + std::to_string(lowest) + " to " +
                    std::to_string(highest) + "); start them all from the same state");
}

DistributedGroup* processGroup() {
    return g_processGroup.get();
}

void setProcessGroup(std::unique_ptr<DistributedGroup> group) {
    g_processGroup = std::move(group);
}

} // namespace img2cad::ml
