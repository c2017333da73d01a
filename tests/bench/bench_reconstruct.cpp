// SPDX-License-Identifier: MIT
// Seconds per reconstruction (issue 6): for K = 1, 4, 8 candidates and each number of reverse
// steps, the wall time of every stage of ml::Reconstructor (preprocess, lift, refine, encode,
// diffuse, decode, compile, and fit when asked), averaged over the inputs, with the share of
// valid candidates and the process's peak memory. Inputs are photos or part files (point clouds,
// meshes, STEP, programs); without any, generated parts' surface points. A reference workload (a
// fixed program compiled and a fixed matrix product) is timed in the same run, so numbers taken
// on a drifting machine can be compared as ratios.
//
//   bench_reconstruct --model DIR [--input FILE ...] [--k 1,4,8] [--steps 100,20] [--device cuda]
//                     [--chunk N] [--mixed-precision] [--fit N] [--fit-candidates M] [--fit-photos]
//                     [--no-turn] [--samples-per-candidate N] [--retrieved M]

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/part_file.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "ml/compute_threads.h"
#include "ml/reconstruct/reconstructor.h"
#include "ml/training/training_loop.h"
#include "ml/vision/photo_io.h"

#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

double seconds(const std::function<void()>& work) {
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The same work every run: one generated part compiled and tessellated, and 50 products of
/// 512 x 512 matrices, in seconds.
double referenceSeconds() {
    const cad::Program program = cad::generatePart(cad::PartFamily::RoundFlange, 1).program;
    const torch::Tensor a = torch::rand({512, 512});
    return seconds([&] {
        cad::tessellate(cad::compile(program));
        torch::Tensor c = a;
        for (int i = 0; i < 50; ++i)
            c = torch::matmul(a, c).tanh();
    });
}

double peakMemoryMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // kB on Linux
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Seconds per reconstruction by stage"};
    std::string model, device = "cpu";
    std::vector<std::string> inputs;
    std::vector<std::int64_t> ks{1, 4, 8}, stepCounts{100, 20};
    int repeats = 1;
    std::int64_t chunk = 0;
    cli.add_option("--model", model, "Model folder")->required();
    cli.add_option("--input", inputs, "Photos or part files (default: 3 generated parts)");
    cli.add_option("--k", ks, "Candidates per input")->delimiter(',');
    cli.add_option("--steps", stepCounts, "Reverse diffusion steps")->delimiter(',');
    cli.add_option("--repeats", repeats, "Runs per input and setting")->check(CLI::PositiveNumber);
    cli.add_option("--device", device, "cpu or cuda");
    cli.add_option("--chunk", chunk, "Candidates per reverse process (0 = automatic)");
    bool mixedPrecision = false;
    cli.add_flag("--mixed-precision", mixedPrecision, "The denoiser's passes in bfloat16");
    bool fullLength = false;
    cli.add_flag("--full-length", fullLength,
                 "Every pass over all positions (no cut after END: SamplingOptions::cutAfterEnd)");
    std::int64_t endTail = ml::SamplingOptions{}.endTail;
    cli.add_option("--end-tail", endTail,
                   "Positions kept (masked) after a sequence's first END while passes are cut")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    int fitCompiles = ml::ReconstructionOptions{}.fitCompiles;
    cli.add_option("--fit", fitCompiles, "Compiles per fitted candidate (0 = no fit)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    std::int64_t fitCandidates = ml::ReconstructionOptions{}.fitCandidates;
    cli.add_option("--fit-candidates", fitCandidates, "Best-ranked candidates fitted (0 = all)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    bool fitPhotos = ml::ReconstructionOptions{}.fitPhotos;
    cli.add_flag("--fit-photos", fitPhotos,
                 "Fit photos' candidates too (clouds' are whenever --fit > 0)");
    bool turnCandidates = ml::ReconstructionOptions{}.turnCandidates;
    cli.add_flag("!--no-turn", turnCandidates, "Do not turn candidates towards the input");
    std::int64_t samplesPerCandidate = ml::ReconstructionOptions{}.samplesPerCandidate;
    cli.add_option("--samples-per-candidate", samplesPerCandidate,
                   "Sequences sampled per candidate kept (0: 4 from a cloud, 1 from a photo)")
        ->check(CLI::Range(0, 64))
        ->capture_default_str();
    std::int64_t retrievedParts = ml::ReconstructionOptions{}.retrievedParts;
    cli.add_option("--retrieved", retrievedParts,
                   "Library parts added to the samples (-1: automatic, 4)")
        ->check(CLI::Range(-1, 64))
        ->capture_default_str();
    CLI11_PARSE(cli, argc, argv);
    ml::useMachineThreads();

    try {
        ml::Reconstructor reconstructor(model, ml::trainingDevice(device));
        struct Input {
            std::string name;
            fs::path photo;
            cad::PointCloud cloud;
        };
        std::vector<Input> all;
        for (const std::string& path : inputs) {
            if (ml::isPhotoExtension(path)) {
                all.push_back({path, path, {}});
                continue;
            }
            const cad::PartFile part = cad::readPartFile(path);
            all.push_back({path,
                           {},
                           part.cloud  ? *part.cloud
                           : part.mesh ? cad::samplePoints(*part.mesh, 4096, 1)
                                       : cad::samplePoints(cad::tessellate(part.shape), 4096, 1)});
        }
        if (all.empty())
            for (std::uint64_t seed : {1, 2, 3}) {
                const cad::GeneratedPart part = cad::generatePart(seed);
                all.push_back(
                    {cad::partFamilyName(part.family),
                     {},
                     cad::samplePoints(cad::tessellate(cad::compile(part.program)), 4096, seed)});
            }

        const ml::ReconstructionStage stages[] = {
            ml::ReconstructionStage::Preprocess, ml::ReconstructionStage::Lift,
            ml::ReconstructionStage::Refine,     ml::ReconstructionStage::Encode,
            ml::ReconstructionStage::Diffuse,    ml::ReconstructionStage::Decode,
            ml::ReconstructionStage::Compile,    ml::ReconstructionStage::Turn,
            ml::ReconstructionStage::Fit};
        const double referenceBefore = referenceSeconds();
        std::printf("| K | steps | inputs | total s | ");
        for (ml::ReconstructionStage stage : stages)
            std::printf("%s s | ", ml::stageName(stage));
        std::printf("valid | total / reference |\n|---|---|---|---|");
        for (std::size_t i = 0; i < std::size(stages) + 2; ++i)
            std::printf("---|");
        std::printf("\n");
        for (std::int64_t steps : stepCounts) {
            for (std::int64_t k : ks) {
                std::map<ml::ReconstructionStage, double> sum;
                double total = 0.0;
                std::int64_t valid = 0, candidates = 0, runs = 0;
                for (const Input& input : all) {
                    for (int r = 0; r < repeats; ++r) {
                        ml::ReconstructionOptions options;
                        options.candidates = k;
                        options.samplingChunk = chunk;
                        options.mixedPrecision = mixedPrecision;
                        options.sampling = {steps, 1.0, 1.0, std::uint64_t(r + 1), {}};
                        options.sampling.cutAfterEnd = !fullLength;
                        options.sampling.endTail = endTail;
                        options.fitCompiles = fitCompiles;
                        options.fitCandidates = fitCandidates;
                        options.fitPhotos = fitPhotos;
                        options.turnCandidates = turnCandidates;
                        options.samplesPerCandidate = samplesPerCandidate;
                        options.retrievedParts = retrievedParts;
                        ml::Reconstruction result;
                        total += seconds([&] {
                            result = input.photo.empty()
                                         ? reconstructor.fromPointCloud(input.cloud, options)
                                         : reconstructor.fromPhoto(input.photo, options);
                        });
                        for (const auto& [stage, s] : result.seconds)
                            sum[stage] += s;
                        for (const ml::Candidate& c : result.candidates)
                            valid += c.valid() ? 1 : 0;
                        candidates += std::int64_t(result.candidates.size());
                        ++runs;
                    }
                }
                std::printf("| %lld | %lld | %zu | %.3f | ", static_cast<long long>(k),
                            static_cast<long long>(steps), all.size(), total / double(runs));
                for (ml::ReconstructionStage stage : stages) {
                    if (sum.count(stage))
                        std::printf("%.3f | ", sum[stage] / double(runs));
                    else
                        std::printf("- | ");
                }
                std::printf("%lld / %lld | %.1f |\n", static_cast<long long>(valid),
                            static_cast<long long>(candidates),
                            total / double(runs) / referenceBefore);
                std::fflush(stdout);
            }
        }
        std::printf("\nreference workload: %.3f s before, %.3f s after; peak memory %.0f MiB; "
                    "%d thread(s)\n",
                    referenceBefore, referenceSeconds(), peakMemoryMiB(), torch::get_num_threads());
    } catch (const std::exception& e) {
        std::cerr << "bench_reconstruct: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
