// SPDX-License-Identifier: MIT
#include "ml/training/checkpoint.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "ml/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace img2cad::ml {
namespace fs = std::filesystem;

namespace {

// The default CPU generator draws batches, dropout masks and initial weights: restoring it
// makes a resumed run draw exactly what the uninterrupted run would have drawn.
torch::Tensor generatorState() {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    const std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void setGeneratorState(const torch::Tensor& state) {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    const std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

/// Names and shapes of every parameter and buffer. LibTorch's Module::load silently reshapes a
/// model to whatever the file holds, so a checkpoint of another architecture must be caught
/// by comparing this signature first.
std::string architectureOf(const torch::nn::Module& model) {
    std::string signature;
    const auto add = [&signature](const std::string& name, const torch::Tensor& tensor) {
        signature += name + "[";
        for (std::int64_t size : tensor.sizes())
            signature += std::to_string(size) + ",";
        signature += "];";
    };
    for (const auto& item : model.named_parameters())
        add(item.key(), item.value());
    for (const auto& item : model.named_buffers())
        add(item.key(), item.value());
    return signature;
}

} // namespace

void saveCheckpoint(const fs::path& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, const TrainingState& state) {
    try {
        cad::writeAtomically(path, [&](const fs::path& temporary) {
            torch::serialize::OutputArchive archive;
            torch::serialize::OutputArchive modelArchive, optimizerArchive;
            model.save(modelArchive);
            optimizer.save(optimizerArchive);
            archive.write("model", modelArchive);
            archive.write("optimizer", optimizerArchive);
            archive.write("step", torch::tensor(state.step, torch::kLong));
            archive.write("architecture", c10::IValue(architectureOf(model)));
            archive.write("rng", generatorState());
            archive.save_to(temporary.string());
            return true;
        });
    } catch (const cad::Error& error) {
        throw Error(std::string("cannot save the checkpoint: ") + error.what());
    } catch (const c10::Error& error) {
        throw Error("cannot save the checkpoint '" + path.string() +
                    "': " + error.what_without_backtrace());
    }
}

TrainingState loadCheckpoint(const fs::path& path, torch::nn::Module& model,
                             torch::optim::Optimizer& optimizer, const torch::Device& device) {
    try {
        cad::requireReadableFile(path);
        torch::serialize::InputArchive archive;
        archive.load_from(path.string(), device);
        c10::IValue architecture;
        archive.read("architecture", architecture);
        if (!architecture.isString() || architecture.toStringRef() != architectureOf(model))
            throw Error("the checkpoint '" + path.string() +
                        "' belongs to another model architecture (its parameters differ)");
        torch::serialize::InputArchive modelArchive, optimizerArchive;
        archive.read("model", modelArchive);
        archive.read("optimizer", optimizerArchive);
        model.load(modelArchive);
        optimizer.load(optimizerArchive);
        torch::Tensor step, rng;
        archive.read("step", step);
        archive.read("rng", rng);
        setGeneratorState(rng.cpu());
        return TrainingState{step.cpu().item<std::int64_t>()};
    } catch (const cad::Error& error) {
        throw Error(std::string("cannot load the checkpoint: ") + error.what());
    } catch (const c10::Error& error) {
        throw Error("the checkpoint '" + path.string() +
                    "' is corrupt or belongs to another model: " + error.what_without_backtrace());
    }
}

void saveWeights(const fs::path& path, torch::nn::Module& model) {
    try {
        cad::writeAtomically(path, [&](const fs::path& temporary) {
            torch::serialize::OutputArchive archive, modelArchive;
            model.save(modelArchive);
            archive.write("model", modelArchive);
            archive.write("architecture", c10::IValue(architectureOf(model)));
            archive.save_to(temporary.string());
            return true;
        });
    } catch (const cad::Error& error) {
        throw Error(std::string("cannot save the weights: ") + error.what());
    } catch (const c10::Error& error) {
        throw Error("cannot save the weights '" + path.string() +
                    "': " + error.what_without_backtrace());
    }
}

void loadWeights(const fs::path& path, torch::nn::Module& model) {
    try {
        cad::requireReadableFile(path);
        torch::serialize::InputArchive archive;
        archive.load_from(path.string());
        c10::IValue architecture;
        archive.read("architecture", architecture);
        if (!architecture.isString() || architecture.toStringRef() != architectureOf(model))
            throw Error("the weights '" + path.string() +
                        "' belong to another model architecture (its parameters differ)");
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        model.load(modelArchive);
    } catch (const cad::Error& error) {
        throw Error(std::string("cannot load the weights: ") + error.what());
    } catch (const c10::Error& error) {
        throw Error("the weights '" + path.string() +
                    "' are corrupt or belong to another model: " + error.what_without_backtrace());
    }
}

} // namespace img2cad::ml
