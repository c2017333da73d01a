// SPDX-License-Identifier: MIT
#include "part_library.h"

#include "cad/program_json.h"
#include "ml/align/align_trainer.h"
#include "ml/codebook/cad_tokens.h"
#include "ml/codebook/codebook_store.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"
#include "ml/point_tensor.h"
#include "ml/training/model_folder.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace img2cad::ml {
namespace fs = std::filesystem;

namespace {

constexpr const char* kStage = "library";
constexpr const char* kWeights = "library.pt";

} // namespace

std::string weightsFingerprint(const fs::path& stageFolder) {
    const nlohmann::json manifest = readModelManifest(stageFolder);
    const fs::path weights = stageFolder / manifest.at("weights").get<std::string>();
    std::ifstream in(weights, std::ios::binary);
    if (!in) throw Error("cannot read '" + weights.string() + "'");
    std::uint64_t hash = 1469598103934665603ull;
    char buffer[1 << 16];
    while (in) {
        in.read(buffer, sizeof buffer);
        for (std::streamsize i = 0; i < in.gcount(); ++i)
            hash = (hash ^ std::uint8_t(buffer[i])) * 1099511628211ull;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

std::vector<std::int64_t> PartLibrary::nearest(const torch::Tensor& z, std::int64_t count) const {
    if (size() == 0 || count <= 0) return {};
    const torch::Tensor similarity = embeddings.matmul(z.reshape({-1}).to(embeddings.dtype()));
    const torch::Tensor rows = std::get<1>(similarity.topk(std::min(count, size())))
                                   .to(torch::kCPU, torch::kLong)
                                   .contiguous();
    return {rows.data_ptr<std::int64_t>(), rows.data_ptr<std::int64_t>() + rows.numel()};
}

PartLibraryResult
buildPartLibrary(const PartLibrarySettings& settings,
                 const std::function<void(std::int64_t, std::int64_t)>& onProgress,
                 const std::atomic<bool>* stop) {
    CadCodebook codebook = loadCodebook(settings.codebook);
    ContrastiveAligner aligner = loadAligner(settings.align);
    const nlohmann::json alignManifest = readModelManifest(settings.align, "align");
    const auto points = alignManifest.at("training").at("points").get<std::int64_t>();
    const std::int64_t total = readManifest(settings.data).counts.samples;

    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> embeddings, batch;
    std::vector<std::vector<std::int64_t>> sequences;
    PartLibraryResult result;
    std::int64_t seen = 0;
    const auto flush = [&] {
        if (batch.empty()) return;
        embeddings.push_back(
            torch::nn::functional::normalize(aligner->points()->forward(torch::stack(batch)),
                                             torch::nn::functional::NormalizeFuncOptions().dim(1)));
        batch.clear();
    };
    forEachSample(
        settings.data,
        [&](Sample& sample) {
            if (stop && stop->load()) return false;
            if (onProgress && ++seen % 256 == 0) onProgress(seen, total);
            if (sample.split != Split::Train || sample.programJson.empty()) return true;
            if (std::int64_t(sample.points.size()) < points)
                throw Error("the dataset's clouds have fewer points than the aligner reads (" +
                            std::to_string(points) + ")");
            try {
                sequences.push_back(programTokens(
                    codebook, makeCodebookExample(cad::programFromJson(sample.programJson))));
            } catch (const std::exception&) {
                ++result.skipped; // a program the codebook cannot encode: not in the library
                return true;
            }
            // Dataset clouds are uniform random draws: a prefix is a uniform subsample.
            batch.push_back(pointsTensor(sample.points.positions).narrow(0, 0, points));
            if (batch.size() == 64) flush();
            return true;
        },
        SampleFields::WithoutViews);
    if (stop && stop->load()) return result;
    flush();
    if (sequences.empty()) throw Error("the dataset has no training parts to index");

    std::size_t length = 0;
    std::vector<std::int64_t> flat, lengths;
    for (const auto& sequence : sequences) {
        length = std::max(length, sequence.size());
        flat.insert(flat.end(), sequence.begin(), sequence.end());
        lengths.push_back(std::int64_t(sequence.size()));
    }
    result.parts = std::int64_t(sequences.size());

    fs::create_directories(settings.out);
    // Half precision, and the sequences end to end as 16-bit tokens (END-filled rows would be
    // four times larger): a library of 8,000 parts stays a few megabytes. Written beside and
    // renamed, so that an interrupted build never leaves half a library under the old manifest.
    const fs::path partial = settings.out / (std::string(kWeights) + ".partial");
    torch::save(std::vector<torch::Tensor>{torch::cat(embeddings).to(torch::kHalf),
                                           torch::tensor(flat, torch::kLong).to(torch::kShort),
                                           torch::tensor(lengths, torch::kLong)},
                partial.string());
    fs::rename(partial, settings.out / kWeights);
    writeModelManifest(
        settings.out, {{"stage", kStage},
                       {"weights", kWeights},
                       {"options", {{"parts", result.parts}, {"max_tokens", std::int64_t(length)}}},
                       {"training",
                        {{"data", fs::absolute(settings.data).lexically_normal().string()},
                         {"codebook", fs::absolute(settings.codebook).lexically_normal().string()},
                         {"align", fs::absolute(settings.align).lexically_normal().string()},
                         {"codebook_fingerprint", weightsFingerprint(settings.codebook)},
                         {"align_fingerprint", weightsFingerprint(settings.align)},
                         {"points", points},
                         {"skipped", result.skipped}}}});
    return result;
}

bool partLibraryMatches(const fs::path& folder, const fs::path& codebookFolder,
                        const fs::path& alignFolder) {
    const nlohmann::json training = readModelManifest(folder, kStage).at("training");
    return training.value("codebook_fingerprint", "") == weightsFingerprint(codebookFolder) &&
           training.value("align_fingerprint", "") == weightsFingerprint(alignFolder);
}

PartLibrary loadPartLibrary(const fs::path& folder, const fs::path& codebookFolder,
                            const fs::path& alignFolder) {
    if (!partLibraryMatches(folder, codebookFolder, alignFolder))
        throw Error("it was built with another codebook or aligner than the model's (build it "
                    "again: 'img2cadseq train library')");
    std::vector<torch::Tensor> tensors;
    torch::load(tensors, (folder / kWeights).string());
    const auto notALibrary = [&] {
        return Error("'" + (folder / kWeights).string() + "' is not a part library");
    };
    if (tensors.size() != 3 || tensors[0].dim() != 2 || tensors[1].dim() != 1 ||
        tensors[2].dim() != 1 || tensors[0].size(0) != tensors[2].size(0) ||
        tensors[2].size(0) == 0 || tensors[2].lt(1).any().item<bool>() ||
        tensors[2].sum().item<std::int64_t>() != tensors[1].size(0))
        throw notALibrary();
    // Every sequence ends with END, the vocabulary's last token: rows are END-filled with it.
    const torch::Tensor flat = tensors[1].to(torch::kLong);
    const torch::Tensor lengths = tensors[2].to(torch::kLong);
    const std::int64_t end = flat[lengths[0].item<std::int64_t>() - 1].item<std::int64_t>();
    PartLibrary library;
    library.embeddings = tensors[0].to(torch::kFloat);
    library.tokens =
        torch::full({lengths.size(0), lengths.max().item<std::int64_t>()}, end, torch::kLong);
    std::int64_t offset = 0;
    for (std::int64_t i = 0; i < lengths.size(0); ++i) {
        const std::int64_t n = lengths[i].item<std::int64_t>();
        library.tokens[i].narrow(0, 0, n).copy_(flat.narrow(0, offset, n));
        offset += n;
    }
    return library;
}

} // namespace img2cad::ml
