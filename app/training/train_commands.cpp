// SPDX-License-Identifier: MIT
#include "train_commands.h"

#include "ml/error.h"
#include "ml/training/distributed.h"
#include "progress_bar.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace img2cad::app {
namespace {

std::atomic<bool> g_stopRequested{false};
/// The --world-size/--rank/... flags of whichever stage runs (one per process).
ml::DistributedSettings g_distributed;

extern "C" void requestStop(int) {
    g_stopRequested.store(true);
}

void printProgress(const ml::TrainingProgress& p) {
    std::ostringstream line;
    line.precision(4);
    line << "step " << p.step << "/" << p.steps << "  loss " << p.loss;
    if (!p.parts.empty()) {
        line << " (";
        bool first = true;
        for (const auto& [name, value] : p.parts) {
            line << (first ? "" : " ") << name << " " << value;
            first = false;
        }
        line << ")";
    }
    line.precision(3);
    for (const auto& [name, value] : p.metrics)
        line << "  " << name << " " << value;
    line << "  " << p.samplesPerSecond << " samples/s  ETA " << compactDuration(p.etaSeconds)
         << (p.checkpointed ? "  [checkpoint]" : "") << (p.resumed ? "  [resumed]" : "");
    std::cerr << line.str() << std::endl;
}

} // namespace

CLI::App* addTrainingSubcommand(CLI::App& train, ml::TrainingStage& stage) {
    CLI::App* command = train.add_subcommand(stage.name(), stage.description());
    for (const ml::StageOption& option : stage.options()) {
        // A value the stage refuses is a command-line error, reported as CLI11 reports others.
        const auto set = [&stage, flag = option.flag](const std::string& text) {
            try {
                stage.set(flag, text);
            } catch (const ml::Error& e) {
                throw CLI::ValidationError(flag, e.what());
            }
        };
        CLI::Option* added = nullptr;
        if (option.kind == ml::StageOption::Kind::Flag) {
            added = command->add_flag_callback(
                option.flag, [set] { set("true"); }, option.help);
        } else {
            added = command->add_option_function<std::string>(option.flag, set, option.help);
            if (!option.required) added->default_str(stage.value(option.flag));
        }
        if (option.required) added->required();
    }
    const std::string group = "Distributed (data-parallel over processes or machines)";
    command->add_option("--world-size", g_distributed.worldSize, "Processes training together")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str()
        ->group(group);
    command->add_option("--rank", g_distributed.rank, "This process's rank, 0 .. world size - 1")
        ->capture_default_str()
        ->group(group);
    command
        ->add_option("--rendezvous", g_distributed.rendezvous,
                     "Where the ranks meet: HOST:PORT of rank 0, or a file all ranks reach")
        ->group(group);
    command
        ->add_option("--interface", g_distributed.interface,
                     "Network interface for the ranks' connections (e.g. eth0; default: the "
                     "host name's address)")
        ->group(group);
    return command;
}

int runTrainingStage(ml::TrainingStage& stage) {
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    if (g_distributed.worldSize > 1) {
        try {
            std::cerr << "rank " << g_distributed.rank << " of " << g_distributed.worldSize
                      << ": joining at " << g_distributed.rendezvous << std::endl;
            ml::setProcessGroup(ml::DistributedGroup::join(g_distributed));
        } catch (const ml::Error& e) {
            std::cerr << "error: " << e.what() << "\n";
            return 1;
        }
    }
    const ml::StageRunResult result = stage.run(printProgress, &g_stopRequested);
    if (!result.finished) {
        std::cerr << "stopped at step " << result.stepsDone
                  << " with a checkpoint; run the same command to resume\n";
        return 130;
    }
    std::cout << result.summary << "\n";
    return 0;
}

} // namespace img2cad::app
