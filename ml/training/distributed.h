// SPDX-License-Identifier: MIT
#pragma once
// Data-parallel training over several processes or machines with LibTorch's c10d and its Gloo
// back end (CPU tensors, TCP between hosts; no NCCL in Debian's LibTorch).
//
// The semantics are PyTorch DistributedDataParallel's, applied in the shared training loop
// (training_loop.h), so every stage gains them at once:
//  - every rank starts from rank 0's parameters and buffers (broadcast when the loop starts);
//  - every rank draws its own batches (its random stream is the run's seed offset by its rank),
//    so a step sees world size x batch programs;
//  - the gradients are averaged over the ranks before clipping and the optimiser step, so the
//    ranks take identical steps and stay identical;
//  - buffers (the codebooks' moving averages, dead-code counters) follow rank 0 after every
//    step, as DDP's broadcast_buffers does: the other ranks' shares of a batch move the
//    parameters but not the EMA codebooks (documented in docs/distributed.md);
//  - stop requests and the checkpoint timer are agreed on by all ranks, so every rank writes its
//    checkpoint at the same step and resumes from it; every rank has its own output folder
//    (rank 0's is the model to use, the others hold the same weights).

#include <torch/torch.h>

#include <memory>
#include <string>

namespace img2cad::ml {

struct DistributedSettings {
    int worldSize = 1;
    int rank = 0;
    /// Where the ranks meet: "HOST:PORT" (rank 0 listens on PORT; the way across machines) or
    /// a file path every rank can reach (one machine, or a shared file system).
    std::string rendezvous;
    /// Network interface Gloo's connections use, e.g. "lo" or "eth0"; empty: the address this
    /// host's name resolves to (loopback when it does not resolve).
    std::string interface;
    int timeoutSeconds = 300; ///< for joining and for every collective
};

class DistributedGroup {
public:
    /// Joins the group (blocks until every rank has joined); throws ml::Error for inconsistent
    /// settings or a rendezvous that fails or times out.
    static std::unique_ptr<DistributedGroup> join(const DistributedSettings& settings);
    ~DistributedGroup();

    int rank() const { return m_rank; }
    int size() const { return m_size; }

    /// Copies rank 0's parameters and buffers into this rank's `model`.
    void broadcastState(torch::nn::Module& model);
    /// Copies rank 0's buffers into this rank's `model`.
    void broadcastBuffers(torch::nn::Module& model);
    /// Replaces every parameter's gradient by its mean over the ranks (a parameter without a
    /// gradient on every rank keeps none; one with a gradient somewhere counts zero elsewhere).
    void averageGradients(torch::nn::Module& model);
    /// True on every rank when it is true on any.
    bool any(bool value);
    /// The sum of `value` over the ranks.
    double sum(double value);
    /// Throws ml::Error on every rank unless all ranks pass the same value (e.g. the step they
    /// resume from).
    void requireSame(std::int64_t value, const std::string& what);

private:
    struct Impl;
    DistributedGroup(int rank, int size, std::unique_ptr<Impl> impl);
    int m_rank = 0, m_size = 1;
    std::unique_ptr<Impl> m_impl;
};

/// The group this process trains in (a process is one rank), or null for ordinary training.
/// Set by `img2cadseq train ... --world-size N` before the stage runs.
DistributedGroup* processGroup();
void setProcessGroup(std::unique_ptr<DistributedGroup> group);

} // namespace img2cad::ml
