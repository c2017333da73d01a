// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq train STAGE ...`: the stages of ml/stages/training_stages.h as subcommands, with
// progress lines on stderr. Ctrl-C (SIGINT) or SIGTERM asks the trainer to checkpoint and stop;
// the same command resumes.

#include "ml/stages/training_stages.h"

#include <CLI/CLI.hpp>

namespace img2cad::app {

/// Adds `stage`'s subcommand to `train`, each option writing into the stage.
CLI::App* addTrainingSubcommand(CLI::App& train, ml::TrainingStage& stage);

/// Runs the parsed stage; returns the exit status (130 when stopped by a signal).
int runTrainingStage(ml::TrainingStage& stage);

} // namespace img2cad::app
