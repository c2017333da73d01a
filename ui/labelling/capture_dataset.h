// SPDX-License-Identifier: MIT
#pragma once
// A capture project as a training dataset (the HDF5 shards + manifest every trainer reads, kind
// "captures"): one sample per capture that has a mask and a CAD, its single view the photo
// cropped to the part as the models see it, its points sampled on the CAD. For `train lift
// --lora` and for evaluation on one's own parts.
//
// Split (the dataset's usual 80/10/10 hash split would put whole parts on one side): per CAD,
// its last capture is the test view when the part has at least two, every other capture
// trains. Fine-tuning is then measured on held-out views of the very parts it adapted to. A
// capture's depth image is zero, and its camera is zero unless the CAD's pose in the photo was
// aligned (then: its direction and up, view angle 0 for weak perspective); the lifting network
// needs neither.

#include "ui/labelling/capture_project.h"

namespace img2cad::ui {

struct CaptureExportOptions {
    int imageSize = 224; ///< side of the square view, as the generated datasets
    int points = 4096;   ///< surface points sampled on each CAD
};

struct CaptureExportReport {
    int samples = 0, train = 0, test = 0;
    QStringList skipped; ///< "name: why" for captures left out (no mask, no CAD, unreadable)
};

/// Writes the dataset of the project at `projectPath` into `folder` (created; must be new or
/// empty). Opens the project itself, so that it can run on a worker thread (a database
/// connection belongs to the thread that opened it). Throws ProjectError.
CaptureExportReport exportCaptureDataset(const QString& projectPath, const QString& folder,
                                         const CaptureExportOptions& options = {});

} // namespace img2cad::ui
