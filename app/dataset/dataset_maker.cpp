// SPDX-License-Identifier: MIT
#include "dataset_maker.h"

#include "progress_bar.h"
#include "sample_builder.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/text_file.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_set>

extern char** environ;

namespace img2cad::app {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

/// Per-shard bookkeeping written beside the shard, before it: what making it cost.
struct ShardReport {
    std::int64_t rejectedPrograms = 0;
    std::int64_t nearDuplicatesSkipped = 0;
    std::vector<std::string> failedInputs;
};

fs::path reportPath(const fs::path& folder, const ml::DatasetManifest& manifest,
                    std::int64_t shard) {
    return folder / (fs::path(manifest.shardFileName(shard)).stem().string() + ".report.json");
}

void writeReport(const fs::path& path, const ShardReport& report) {
    const nlohmann::json json = {{"rejected_programs", report.rejectedPrograms},
                                 {"near_duplicates_skipped", report.nearDuplicatesSkipped},
                                 {"failed_inputs", report.failedInputs}};
    cad::writeFileAtomically(path, json.dump(1) + "\n");
}

ShardReport readReport(const fs::path& path) {
    ShardReport report;
    if (!fs::exists(path)) return report;
    const nlohmann::json json = nlohmann::json::parse(cad::readTextFile(path), nullptr, false);
    if (json.is_discarded()) return report;
    report.rejectedPrograms = json.value("rejected_programs", 0);
    report.nearDuplicatesSkipped = json.value("near_duplicates_skipped", 0);
    report.failedInputs = json.value("failed_inputs", std::vector<std::string>{});
    return report;
}

std::int64_t slotsInShard(const ml::DatasetManifest& manifest, std::int64_t shard) {
    const std::int64_t first = shard * manifest.settings.shardSize;
    return std::min<std::int64_t>(manifest.settings.shardSize, manifest.settings.count - first);
}

/// A shard is done when its file reads back with the expected number of samples (imports may
/// hold fewer: the failed inputs listed in its report).
bool shardIsComplete(const fs::path& folder, const ml::DatasetManifest& manifest,
                     std::int64_t shard) {
    const fs::path path = folder / manifest.shardFileName(shard);
    if (!fs::exists(path)) return false;
    try {
        const std::int64_t samples = std::int64_t(ml::shardSampleCount(path));
        const std::int64_t failed =
            std::int64_t(readReport(reportPath(folder, manifest, shard)).failedInputs.size());
        return samples + failed == slotsInShard(manifest, shard);
    } catch (const ml::Error&) {
        return false; // unreadable: made again
    }
}

/// Builds one shard in this process and writes it (report first, then the shard).
void buildShard(const fs::path& folder, const ml::DatasetManifest& manifest, std::int64_t shard,
                SampleBuilder& builder, std::unordered_set<std::string> takenKeys,
                const std::function<void()>& onSample) {
    std::vector<ml::Sample> samples;
    ShardReport report;
    const std::int64_t first = shard * manifest.settings.shardSize;
    for (std::int64_t slot = first; slot < first + slotsInShard(manifest, shard); ++slot) {
        SampleBuilder::Outcome outcome = builder.build(slot, takenKeys);
        report.rejectedPrograms += outcome.rejectedPrograms;
        report.nearDuplicatesSkipped += outcome.nearDuplicatesSkipped;
        if (outcome.sample)
            samples.push_back(std::move(*outcome.sample));
        else
            report.failedInputs.push_back(outcome.failure);
        onSample();
    }
    writeReport(reportPath(folder, manifest, shard), report);
    ml::writeShard(samples, folder / manifest.shardFileName(shard));
}

/// Checks the folder can take this dataset: new, empty, or holding the same dataset.
ml::DatasetManifest prepareFolder(const fs::path& folder, const ml::DatasetSettings& settings) {
    std::error_code ec;
    if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
        throw ml::Error("'" + folder.string() + "' exists and is not a folder");
    if (!fs::exists(folder, ec) && !fs::create_directories(folder, ec))
        throw ml::Error("cannot create '" + folder.string() + "': " + ec.message());
    ml::DatasetManifest manifest;
    if (ml::hasManifest(folder)) {
        manifest = ml::readManifest(folder);
        if (!(manifest.settings == settings))
            throw ml::Error("'" + folder.string() + "' holds a dataset made with other settings: " +
                            settings.differencesFrom(manifest.settings) +
                            "; use another folder (nothing was changed)");
    } else {
        for (const auto& entry : fs::directory_iterator(folder))
            if (entry.path().filename().string().rfind('.', 0) != 0)
                throw ml::Error("'" + folder.string() +
                                "' is not empty and holds no dataset; choose an empty or new "
                                "folder (nothing was changed)");
        manifest.settings = settings;
    }
    // Temporary files of an interrupted run are garbage; completed shards are kept.
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().filename().string().find(".tmp-") != std::string::npos)
            fs::remove(entry.path(), ec);
    manifest.complete = false;
    ml::writeManifest(manifest, folder);
    return manifest;
}

/// One worker process and the pipe it reports on.
struct Worker {
    pid_t pid = -1;
    int output = -1;
    std::string pending;
    std::string errorLine; ///< the worker's "img2cadseq: error: ..." line, without the prefix
    std::string lastLine;  ///< anything else it said last (a crash message, a library warning)
};

Worker spawnWorker(const fs::path& folder, const std::vector<std::int64_t>& shards) {
    std::string list;
    for (std::int64_t shard : shards)
        list += (list.empty() ? "" : ",") + std::to_string(shard);
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::vector<std::string> args = {self, "dataset", "worker", folder.string(), "--shards", list};
    std::vector<char*> argv;
    for (std::string& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    int pipeEnds[2];
    if (pipe(pipeEnds) != 0) throw ml::Error("cannot start a worker: no pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipeEnds[0]);
    Worker worker;
    const int status =
        posix_spawn(&worker.pid, self.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipeEnds[1]);
    if (status != 0) {
        close(pipeEnds[0]);
        throw ml::Error("cannot start a worker process: " + std::string(std::strerror(status)));
    }
    worker.output = pipeEnds[0];
    return worker;
}

/// Runs the workers to completion, feeding the progress bar. Throws with the first failed
/// worker's message.
void runWorkers(const fs::path& folder, const std::vector<std::vector<std::int64_t>>& plans,
                ProgressBar& progress) {
    std::vector<Worker> workers;
    for (const auto& plan : plans)
        workers.push_back(spawnWorker(folder, plan));
    std::string failure;
    std::size_t open = workers.size();
    while (open > 0) {
        std::vector<pollfd> fds;
        for (const Worker& worker : workers)
            if (worker.output >= 0) fds.push_back({worker.output, POLLIN, 0});
        poll(fds.data(), fds.size(), 500);
        for (Worker& worker : workers) {
            if (worker.output < 0) continue;
            pollfd probe{worker.output, POLLIN, 0};
            if (poll(&probe, 1, 0) <= 0) continue;
            char buffer[4096];
            const ssize_t n = read(worker.output, buffer, sizeof buffer);
            if (n <= 0) {
                close(worker.output);
                worker.output = -1;
                --open;
                continue;
            }
            worker.pending.append(buffer, std::size_t(n));
            for (std::size_t end; (end = worker.pending.find('\n')) != std::string::npos;) {
                const std::string line = worker.pending.substr(0, end);
                worker.pending.erase(0, end + 1);
                static const std::string kErrorPrefix = "img2cadseq: error: ";
                if (line == "sample")
                    progress.advance();
                else if (line.rfind(kErrorPrefix, 0) == 0)
                    worker.errorLine = line.substr(kErrorPrefix.size());
                else if (line.rfind("shard ", 0) != 0 && !line.empty())
                    worker.lastLine = line;
            }
        }
        progress.draw();
    }
    for (Worker& worker : workers) {
        int status = 0;
        waitpid(worker.pid, &status, 0);
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok && failure.empty())
            failure = !worker.errorLine.empty() ? worker.errorLine
                      : worker.lastLine.empty() ? "a worker process died"
                                                : "a worker process died: " + worker.lastLine;
    }
    if (!failure.empty()) {
        throw ml::Error(failure +
                        " (completed shards are kept: run the same command again to resume)");
    }
}

/// Near-duplicates across shards built in parallel: keep the first occurrence (lowest index),
/// rebuild later shards holding a repeat, with every key of the other shards taken. Returns the
/// number of shards rebuilt. A rebuilt shard shares no key with any other, so each round settles
/// one shard for good and as many rounds as shards always suffice (a fixed 8 did not: 10,000
/// parts in 157 shards had more shards with a repeat than that).
int removeCrossShardDuplicates(const fs::path& folder, const ml::DatasetManifest& manifest) {
    int rebuilt = 0;
    std::unique_ptr<SampleBuilder> builder;
    for (std::int64_t round = 0; round <= manifest.shardCount(); ++round) {
        std::map<std::string, std::int64_t> firstShardOfKey;
        std::vector<std::vector<std::string>> keysOfShard(std::size_t(manifest.shardCount()));
        std::int64_t repeated = -1;
        for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard) {
            for (const ml::Sample& header :
                 ml::readShardHeaders(folder / manifest.shardFileName(shard))) {
                keysOfShard[std::size_t(shard)].push_back(header.nearDuplicateKey);
                const auto [it, fresh] = firstShardOfKey.emplace(header.nearDuplicateKey, shard);
                if (!fresh && it->second != shard && repeated < 0) repeated = shard;
            }
        }
        if (repeated < 0) return rebuilt;
        std::unordered_set<std::string> taken;
        for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard)
            if (shard != repeated)
                taken.insert(keysOfShard[std::size_t(shard)].begin(),
                             keysOfShard[std::size_t(shard)].end());
        if (!builder) builder = std::make_unique<SampleBuilder>(manifest.settings);
        buildShard(folder, manifest, repeated, *builder, taken, [] {});
        ++rebuilt;
    }
    throw ml::Error("near-duplicates remain after rebuilding every shard (a generator bug)");
}

void finish(const fs::path& folder, ml::DatasetManifest& manifest, double seconds) {
    ml::DatasetCounts counts;
    for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard) {
        for (const ml::Sample& header :
             ml::readShardHeaders(folder / manifest.shardFileName(shard))) {
            ++counts.samples;
            (header.split == ml::Split::Train ? counts.train
             : header.split == ml::Split::Val ? counts.val
                                              : counts.test)++;
        }
        const ShardReport report = readReport(reportPath(folder, manifest, shard));
        counts.rejectedPrograms += report.rejectedPrograms;
        counts.nearDuplicatesSkipped += report.nearDuplicatesSkipped;
        counts.failedInputs.insert(counts.failedInputs.end(), report.failedInputs.begin(),
                                   report.failedInputs.end());
    }
    manifest.counts = counts;
    manifest.complete = true;
    manifest.secondsSpent += seconds;
    ml::writeManifest(manifest, folder);
}

} // namespace

ml::DatasetSettings importSettings(ml::DatasetKind kind, const std::string& folder) {
    if (!fs::is_directory(folder)) throw ml::Error("'" + folder + "' is not a folder");
    ml::DatasetSettings settings;
    settings.kind = kind;
    settings.sourceFolder = fs::canonical(folder).string();
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        const bool wanted =
            kind == ml::DatasetKind::DeepCad ? ext == ".json" : (ext == ".step" || ext == ".stp");
        if (entry.is_regular_file() && wanted)
            settings.inputs.push_back(fs::canonical(entry.path()).string());
    }
    std::sort(settings.inputs.begin(), settings.inputs.end());
    if (settings.inputs.empty())
        throw ml::Error("'" + folder + "' holds no " +
                        (kind == ml::DatasetKind::DeepCad ? ".json" : ".step/.stp") + " file");
    settings.count = std::int64_t(settings.inputs.size());
    return settings;
}

int runDatasetMake(const MakeRequest& request) {
    const char* display = std::getenv("DISPLAY");
    if (request.settings.views > 0 && (!display || !*display))
        throw ml::Error("rendering the images needs an X display; run under xvfb-run, e.g. "
                        "'xvfb-run -a img2cadseq dataset make ...'");
    if (request.settings.count <= 0) throw ml::Error("--count must be positive");
    const fs::path folder = request.folder;
    ml::DatasetManifest manifest = prepareFolder(folder, request.settings);
    const auto start = Clock::now();

    std::vector<std::int64_t> missing;
    for (std::int64_t shard = 0; shard < manifest.shardCount(); ++shard)
        if (!shardIsComplete(folder, manifest, shard)) missing.push_back(shard);
    std::int64_t doneSlots = manifest.settings.count;
    for (std::int64_t shard : missing)
        doneSlots -= slotsInShard(manifest, shard);

    if (!missing.empty()) {
        const int jobs = std::max(1, std::min<int>(request.jobs, int(missing.size())));
        std::vector<std::vector<std::int64_t>> plans(static_cast<std::size_t>(jobs));
        for (std::size_t i = 0; i < missing.size(); ++i)
            plans[i % std::size_t(jobs)].push_back(missing[i]);
        ProgressBar progress(manifest.settings.count, doneSlots, "samples");
        if (doneSlots > 0)
            std::cerr << "resuming: " << doneSlots << " of " << manifest.settings.count
                      << " samples were already made\n";
        runWorkers(folder, plans, progress);
        progress.finish();
    }
    if (manifest.settings.kind == ml::DatasetKind::Generated) {
        const int rebuilt = removeCrossShardDuplicates(folder, manifest);
        if (rebuilt > 0)
            std::cerr << "rebuilt " << rebuilt << " shard(s) holding near-duplicates\n";
    }
    finish(folder, manifest, std::chrono::duration<double>(Clock::now() - start).count());
    std::cout << "dataset '" << folder.string() << "': " << manifest.counts.samples << " samples ("
              << manifest.counts.train << " train, " << manifest.counts.val << " val, "
              << manifest.counts.test << " test) in " << manifest.shardCount() << " shards";
    if (!manifest.counts.failedInputs.empty())
        std::cout << "; " << manifest.counts.failedInputs.size()
                  << " input(s) failed (listed in manifest.json)";
    std::cout << "\n";
    return 0;
}

int runDatasetWorker(const std::string& folder, const std::vector<std::int64_t>& shards) {
    const ml::DatasetManifest manifest = ml::readManifest(folder);
    SampleBuilder builder(manifest.settings);
    for (std::int64_t shard : shards) {
        if (shard < 0 || shard >= manifest.shardCount())
            throw ml::Error("shard " + std::to_string(shard) + " is outside the dataset");
        buildShard(folder, manifest, shard, builder, {},
                   [] { std::cout << "sample" << std::endl; });
        std::cout << "shard " << shard << std::endl;
    }
    return 0;
}

} // namespace img2cad::app
