// SPDX-License-Identifier: MIT
// Does fine-tuning the lifter's LoRA adapters on one's own labelled captures help (issue 8,
// acceptance 2)? The whole labelling path, as a user walks it: for each part, a few photos taken
// in one workshop setting (one filament colour, one desk, free viewpoints) go into a capture
// project, each tagged, masked by GrabCut inside a rectangle around the part (what a user
// draws) and tied to the part's CAD file; the project is exported as a dataset (per part, the
// last capture held out); LoRA adapters are fine-tuned on the base lifter; the lifting Chamfer
// distance on the held-out captures is measured before and after, in the same run.
//
// The "photos" are offscreen renders of real parts nobody here designed (default: the STEP
// parts of ../shared/data/step), not phone photos: no labelled phone photos of printed parts
// exist here. What the benchmark measures is whether adapters trained on a few views of a set
// of parts lift other views of the same parts better — the PrintCAD use.
//
//   bench_lora_finetune --base MODEL/lift [--parts DIR_OR_FILE ...] [--captures 4]
//                       [--steps 300] [--batch 8] [--lr 1e-3] [--work DIR]

#include "cad/part_file.h"
#include "cad/tessellation.h"
#include "ml/compute_threads.h"
#include "ml/lift/lift_trainer.h"
#include "ml/vision/part_mask.h"
#include "ml/vision/photo_io.h"
#include "ui/labelling/capture_dataset.h"
#include "ui/labelling/capture_project.h"
#include "ui/photo_panel.h"
#include "viewer/offscreen_renderer.h"

#include "test_paths.h"

#include <CLI/CLI.hpp>

#include <QApplication>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>

using namespace img2cad;
namespace fs = std::filesystem;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The STEP files named, and those under the folders named.
std::vector<fs::path> partFiles(const std::vector<std::string>& roots) {
    std::vector<fs::path> files;
    for (const fs::path root : roots) {
        if (fs::is_regular_file(root)) files.push_back(root);
        for (const fs::path& file : test::filesWithExtensions(root, {".step", ".stp"}))
            files.push_back(file);
    }
    return files;
}

/// One workshop per part: the filament it was printed in and the desk it was photographed on.
struct Workshop {
    cad::Vec3 filament;
    viewer::Background desk;
    std::uint64_t deskSeed;
};

Workshop workshopOf(std::size_t part) {
    // Common filament colours (linear RGB): orange, white, grey, blue, green, red.
    static const std::array<cad::Vec3, 6> filaments{{{0.9, 0.35, 0.05},
                                                     {0.85, 0.85, 0.82},
                                                     {0.45, 0.45, 0.47},
                                                     {0.1, 0.25, 0.7},
                                                     {0.15, 0.55, 0.2},
                                                     {0.75, 0.08, 0.08}}};
    return {filaments[part % filaments.size()],
            part % 2 == 0 ? viewer::Background::Textured : viewer::Background::Cluttered,
            1000 + part};
}

/// The rectangle a user would draw around the part: the part's extent, 5 % wider each side.
ml::PixelRect rectangleAround(const cad::Image& mask) {
    int x0 = mask.width, y0 = mask.height, x1 = -1, y1 = -1;
    for (int y = 0; y < mask.height; ++y)
        for (int x = 0; x < mask.width; ++x)
            if (mask.at(x, y) > 0) {
                x0 = std::min(x0, x), y0 = std::min(y0, y);
                x1 = std::max(x1, x), y1 = std::max(y1, y);
            }
    if (x1 < 0) return {0, 0, mask.width, mask.height};
    const int margin = std::max(2, mask.width / 20);
    x0 = std::max(0, x0 - margin), y0 = std::max(0, y0 - margin);
    x1 = std::min(mask.width - 1, x1 + margin), y1 = std::min(mask.height - 1, y1 + margin);
    return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

struct Labelled {
    int parts = 0, captures = 0;
    QStringList skipped;
};

/// Renders, masks, tags and attaches `capturesPerPart` captures of every part into a new
/// project at `projectPath`.
Labelled labelCaptures(const std::vector<fs::path>& parts, int capturesPerPart, int photoSize,
                       const fs::path& photoFolder, const QString& projectPath) {
    fs::create_directories(photoFolder);
    auto project = ui::CaptureProject::create(projectPath);
    viewer::OffscreenRenderer renderer(photoSize, photoSize);
    Labelled labelled;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        try {
            const cad::PartFile part = cad::readPartFile(parts[p]);
            if (part.shape.isNull()) throw std::runtime_error("no solid");
            const cad::TriangleMesh mesh = cad::tessellate(part.shape);
            const Workshop workshop = workshopOf(p);
            const qint64 cad = project->addCad(QString::fromStdString(parts[p].string()));
            for (int c = 0; c < capturesPerPart; ++c) {
                viewer::Scene scene = viewer::sampleScene(mesh, 7919 * p + std::uint64_t(c));
                scene.material = viewer::Material::Pla;
                scene.baseColor = workshop.filament;
                scene.background = workshop.desk;
                scene.backgroundSeed = workshop.deskSeed;
                const viewer::RenderedView view = renderer.render(mesh, scene);
                const fs::path photo =
                    photoFolder / ("part" + std::to_string(p) + "-" + std::to_string(c) + ".png");
                ml::writeImage(view.color, photo);
                const qint64 id = project->addPhoto(QString::fromStdString(photo.string()));
                project->setTags(
                    id, {"free", "PLA", "indoor",
                         workshop.desk == viewer::Background::Cluttered ? "cluttered" : "table"});
                ml::MaskHints hints;
                hints.rect = rectangleAround(view.mask);
                project->setMask(id, ui::toQImage(ml::segmentPart(view.color, hints)), hints);
                project->attachCad(id, cad);
                ++labelled.captures;
            }
            ++labelled.parts;
        } catch (const std::exception& error) {
            labelled.skipped << QString::fromStdString(parts[p].filename().string() + ": " +
                                                       error.what());
        }
    }
    return labelled;
}

void printRow(const char* what, const ml::LiftMetrics& before, const ml::LiftMetrics& after) {
    int closer = 0; // paired: the same views before and after
    for (std::size_t i = 0; i < before.perView.size() && i < after.perView.size(); ++i)
        closer += after.perView[i] < before.perView[i];
    std::printf("| %s | %lld | %.2f | %.2f | %.2f | %.2f | %+.1f %% | %d of %lld |\n", what,
                static_cast<long long>(before.views), before.medianChamfer, before.meanChamfer,
                after.medianChamfer, after.meanChamfer,
                100.0 * (after.medianChamfer / before.medianChamfer - 1.0), closer,
                static_cast<long long>(before.views));
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv); // the capture project's QImage/QSql need a Qt application
    CLI::App cli{"LoRA fine-tuning of the lifter on labelled captures: held-out lifting CD"};
    std::string base, work = "bench-lora";
    std::vector<std::string> roots{(test::sharedDataDir() / "step").string()};
    int captures = 4, photoSize = 320;
    ml::LiftTrainingSettings tuning;
    tuning.steps = 300;
    tuning.batchSize = 8;
    tuning.learningRate = 1e-3;
    tuning.warmupSteps = 30;
    tuning.validationViews = 0;
    cli.add_option("--base", base, "The base lifter's model folder (e.g. MODEL/lift)")->required();
    cli.add_option("--parts", roots, "STEP files or folders of them (the parts photographed)");
    cli.add_option("--captures", captures, "Photos per part (the last is held out)")
        ->check(CLI::Range(2, 32));
    cli.add_option("--photo-size", photoSize, "Side of each photo in pixels");
    cli.add_option("--steps", tuning.steps, "Fine-tuning steps");
    cli.add_option("--batch", tuning.batchSize, "Views per step");
    cli.add_option("--lr", tuning.learningRate, "Learning rate of the adapters");
    cli.add_option("--work", work, "Folder for the photos, project, dataset and adapters (new)");
    CLI11_PARSE(cli, argc, argv);
    ml::useMachineThreads();

    try {
        const std::vector<fs::path> parts = partFiles(roots);
        if (parts.empty()) throw std::runtime_error("no STEP parts found under --parts");
        if (fs::exists(work) && !fs::is_empty(work))
            throw std::runtime_error("'" + work + "' is not empty: choose a new --work folder");
        const fs::path folder = fs::absolute(work);
        const QString project = QString::fromStdString((folder / "captures.i2cl").string());

        auto start = std::chrono::steady_clock::now();
        const Labelled labelled =
            labelCaptures(parts, captures, photoSize, folder / "photos", project);
        const double labelSeconds = secondsSince(start);
        for (const QString& why : labelled.skipped)
            std::cerr << "skipped " << why.toStdString() << "\n";

        ml::LiftingNetwork baseLifter = ml::loadLifter(base);
        ui::CaptureExportOptions exportOptions;
        exportOptions.imageSize = int(baseLifter->options().vit.imageSize);
        const ui::CaptureExportReport exported = ui::exportCaptureDataset(
            project, QString::fromStdString((folder / "dataset").string()), exportOptions);
        tuning.data = folder / "dataset";
        tuning.out = folder / "adapters";
        tuning.lora = true;
        tuning.base = base;

        const ml::LiftMetrics baseTest =
            ml::measureLifter(baseLifter, tuning.data, ml::Split::Test);
        const ml::LiftMetrics baseTrain =
            ml::measureLifter(baseLifter, tuning.data, ml::Split::Train);
        start = std::chrono::steady_clock::now();
        const ml::LiftTrainingResult tuned = ml::trainLift(tuning, [](const auto&) {});
        const double tuneSeconds = secondsSince(start);
        ml::LiftingNetwork adapted = ml::loadLifter(tuning.out);
        const ml::LiftMetrics tunedTest = ml::measureLifter(adapted, tuning.data, ml::Split::Test);
        const ml::LiftMetrics tunedTrain =
            ml::measureLifter(adapted, tuning.data, ml::Split::Train);

        std::printf("\n%d parts x %d captures (%d skipped), %d px photos, labelled in %.0f s; "
                    "dataset: %d training, %d held-out views\n",
                    labelled.parts, captures, int(labelled.skipped.size()), photoSize, labelSeconds,
                    exported.train, exported.test);
        std::printf("LoRA fine-tuning: %lld steps x %lld views, lr %g, %.0f s on %s\n\n",
                    static_cast<long long>(tuned.stepsDone),
                    static_cast<long long>(tuning.batchSize), tuning.learningRate, tuneSeconds,
                    tuning.device.c_str());
        std::printf("| lifting CD x10^2 to the part's CAD | views | base median | base mean | "
                    "LoRA median | LoRA mean | median change | views lifted closer |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        printRow("held-out captures", baseTest, tunedTest);
        printRow("fine-tuning captures", baseTrain, tunedTrain);
        std::printf("\nadapters: %s (%.1f MB)\n", (tuning.out / "adapters.pt").c_str(),
                    double(fs::file_size(tuning.out / "adapters.pt")) / 1e6);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "bench_lora_finetune: " << error.what() << "\n";
        return 1;
    }
}
