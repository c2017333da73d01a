// SPDX-License-Identifier: MIT
#include "ui/labelling/capture_dataset.h"

#include "cad/normalization.h"
#include "cad/sampling.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/vision/photo_preprocess.h"
#include "ui/photo_panel.h"

#include <QDir>
#include <QFileInfo>

#include <map>

namespace img2cad::ui {
namespace {

/// A capture's pose as the dataset's camera, in the CAD's own units: looking at the centre of
/// its bounding box from two sizes away along the pose's direction. View angle 0 says the
/// camera is weak-perspective (silhouette_pose.h): its direction and up are what it knows.
ml::CameraParameters cameraOf(const ml::CadPose& pose, const cad::BoundingBox& box) {
    const ml::ViewDirection view = ml::viewDirectionOf(pose);
    const cad::Vec3 centre = box.center();
    const double distance = 2.0 * box.largestSide();
    return {centre.x + distance * view.towardsCamera[0],
            centre.y + distance * view.towardsCamera[1],
            centre.z + distance * view.towardsCamera[2],
            centre.x,
            centre.y,
            centre.z,
            view.up[0],
            view.up[1],
            view.up[2],
            0.0};
}

} // namespace

CaptureExportReport exportCaptureDataset(const QString& projectPath, const QString& folder,
                                         const CaptureExportOptions& options) {
    const std::unique_ptr<CaptureProject> opened = CaptureProject::open(projectPath);
    const CaptureProject& project = *opened;
    const QDir dir(folder);
    if (dir.exists() && !dir.isEmpty())
        throw ProjectError(
            QString("%1 is not empty: export into a new folder").arg(folder).toStdString());
    if (!QDir().mkpath(folder))
        throw ProjectError(QString("cannot create %1").arg(folder).toStdString());

    CaptureExportReport report;
    std::vector<CaptureSummary> usable;
    for (const CaptureSummary& c : project.captures()) {
        if (!c.masked || !c.cad)
            report.skipped << c.name + (c.masked ? ": no CAD attached" : ": no mask");
        else
            usable.push_back(c);
    }
    std::map<qint64, qint64> lastOfCad, capturesOfCad; // CAD id -> its last capture, its count
    for (const CaptureSummary& c : usable) {
        lastOfCad[*c.cad] = c.id;
        ++capturesOfCad[*c.cad];
    }

    std::map<qint64, CadSurface> surfaces;
    std::vector<ml::Sample> samples;
    ml::DatasetManifest manifest;
    for (const CaptureSummary& c : usable) {
        try {
            if (!surfaces.count(*c.cad)) surfaces[*c.cad] = readCadSurface(project.cad(*c.cad));
            const auto& [mesh, program] = surfaces.at(*c.cad);
            ml::Sample sample;
            sample.index = std::int64_t(samples.size());
            sample.seed = std::uint64_t(c.id);
            sample.source = c.name.toStdString();
            sample.programJson = program;
            sample.nearDuplicateKey = "cad-" + std::to_string(*c.cad);
            sample.split = capturesOfCad[*c.cad] >= 2 && lastOfCad[*c.cad] == c.id
                               ? ml::Split::Test
                               : ml::Split::Train;
            const cad::Normalization normalization = cad::Normalization::toUnitCube(mesh.bounds());
            sample.points = normalization.apply(
                cad::samplePoints(mesh, std::size_t(options.points), std::uint64_t(*c.cad)));
            sample.normalization = {normalization.center.x, normalization.center.y,
                                    normalization.center.z, normalization.scale};
            ml::PreprocessOptions crop;
            crop.outputSize = options.imageSize;
            const ml::PreprocessedPhoto view = ml::cropToPart(
                toRgbImage(project.photo(c.id)), toGreyImage(project.mask(c.id)), crop);
            ml::View v;
            v.color = view.input;
            v.mask = view.inputMask;
            v.depth = {options.imageSize, options.imageSize,
                       std::vector<float>(std::size_t(options.imageSize) * options.imageSize)};
            if (const std::optional<CapturePose> pose = project.pose(c.id))
                v.camera = cameraOf(pose->pose, mesh.bounds());
            sample.views.push_back(std::move(v));
            (sample.split == ml::Split::Test ? report.test : report.train) += 1;
            manifest.settings.inputs.push_back(sample.source);
            samples.push_back(std::move(sample));
        } catch (const std::exception& e) {
            report.skipped << c.name + ": " + e.what();
        }
    }
    if (samples.empty())
        throw ProjectError("no capture has both a mask and a readable CAD: nothing to export");

    manifest.settings.kind = ml::DatasetKind::Captures;
    manifest.settings.count = std::int64_t(samples.size());
    manifest.settings.views = 1;
    manifest.settings.imageSize = options.imageSize;
    manifest.settings.points = options.points;
    manifest.settings.sourceFolder = project.path().toStdString();
    const std::int64_t shardSize = manifest.settings.shardSize;
    for (std::int64_t s = 0; s * shardSize < std::int64_t(samples.size()); ++s) {
        const auto first = samples.begin() + s * shardSize;
        const auto last =
            samples.begin() + std::min<std::int64_t>(samples.size(), (s + 1) * shardSize);
        ml::writeShard(
            {first, last},
            QDir(folder).filePath(QString::fromStdString(manifest.shardFileName(s))).toStdString());
    }
    manifest.complete = true;
    manifest.counts.samples = std::int64_t(samples.size());
    manifest.counts.train = report.train;
    manifest.counts.test = report.test;
    for (const QString& skipped : report.skipped)
        manifest.counts.failedInputs.push_back(skipped.toStdString());
    ml::writeManifest(manifest, folder.toStdString());
    report.samples = int(samples.size());
    return report;
}

} // namespace img2cad::ui
