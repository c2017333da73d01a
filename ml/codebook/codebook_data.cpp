// SPDX-License-Identifier: MIT
#include "ml/codebook/codebook_data.h"

#include "cad/program_json.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"

namespace img2cad::ml {

CodebookData loadCodebookData(const std::filesystem::path& folder) {
    const DatasetManifest manifest = readManifest(folder);
    CodebookData data;
    const auto skip = [&data](const Sample& sample, const std::string& reason) {
        ++data.skipped;
        if (data.skipReasons.size() < 5)
            data.skipReasons.push_back("sample " + std::to_string(sample.index) + " (" +
                                       sample.source + "): " + reason);
    };
    for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard) {
        const std::filesystem::path path = folder / manifest.shardFileName(shard);
        if (!std::filesystem::exists(path)) continue; // an unfinished dataset: use what is there
        for (const Sample& sample : readShardHeaders(path)) {
            if (sample.programJson.empty()) {
                skip(sample, "no construction sequence (an imported STEP part)");
                continue;
            }
            try {
                CodebookExample example =
                    makeCodebookExample(cad::programFromJson(sample.programJson));
                example.name = sample.source + "#" + std::to_string(sample.index);
                (sample.split == Split::Train ? data.train
                 : sample.split == Split::Val ? data.val
                                              : data.test)
                    .push_back(std::move(example));
            } catch (const std::exception& e) {
                skip(sample, e.what());
            }
        }
    }
    if (data.train.empty())
        throw Error("'" + folder.string() + "' holds no program the codebook can train on" +
                    (data.skipReasons.empty() ? "" : " (" + data.skipReasons.front() + ")"));
    return data;
}

} // namespace img2cad::ml
