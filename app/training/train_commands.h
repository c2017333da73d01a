// SPDX-License-Identifier: MIT
#pragma once
// `img2cadseq train ...`: the trainers of ml/ with progress lines on stderr. Ctrl-C (SIGINT) or
// SIGTERM asks the trainer to checkpoint and stop; the same command resumes.

#include "ml/align/align_trainer.h"
#include "ml/codebook/codebook_trainer.h"
#include "ml/diffusion/diffusion_trainer.h"
#include "ml/lift/lift_trainer.h"
#include "ml/refine/refine_trainer.h"

namespace img2cad::app {

int runTrainCodebook(const ml::CodebookTrainingSettings& settings);
int runTrainLift(const ml::LiftTrainingSettings& settings);
int runTrainAlign(const ml::AlignTrainingSettings& settings);
int runTrainRefine(const ml::RefineTrainingSettings& settings);
int runTrainDiffusion(const ml::DiffusionTrainingSettings& settings);

} // namespace img2cad::app
