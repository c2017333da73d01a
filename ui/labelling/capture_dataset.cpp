// SPDX-License-Identifier: MIT
#include "ui/labelling/capture_dataset.h"

#include "cad/normalization.h"
#include "cad/part_file.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/tessellation.h"
#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/vision/photo_preprocess.h"
#include "ui/photo_panel.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <map>

namespace img2cad::ui {
namespace {

cad::Image toGreyImage(const QImage& image) {
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    cad::Image result{grey.width(), grey.height(), 1, {}};
    result.pixels.resize(std::size_t(grey.width()) * grey.height());
    for (int y = 0; y < grey.height(); ++y)
        std::copy_n(grey.constScanLine(y), grey.width(),
                    result.pixels.begin() + std::ptrdiff_t(y) * grey.width());
    return result;
}

/// The CAD's surface as a triangle mesh, from its stored bytes (read through a scratch file,
/// as every reader of the CAD core takes a path); also its program JSON when it has one.
std::pair<cad::TriangleMesh, std::string> cadSurface(const CadFile& cad,
                                                     const QTemporaryDir& scratch) {
    const QString path = scratch.filePath(QString("cad-%1-%2").arg(cad.id).arg(cad.name));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(cad.bytes) != cad.bytes.size())
        throw ProjectError("cannot write a scratch copy of " + cad.name.toStdString());
    file.close();
    const cad::PartFile part = cad::readPartFile(path.toStdString());
    const std::string program = part.program ? cad::programToJson(*part.program) : std::string();
    if (!part.shape.isNull()) return {cad::tessellate(part.shape), program};
    if (part.mesh) return {*part.mesh, program};
    throw ProjectError(cad.name.toStdString() + " has no surface (a point cloud)");
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
    QTemporaryDir scratch;
    if (!scratch.isValid()) throw ProjectError("no scratch folder for reading the CAD files");

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

    std::map<qint64, std::pair<cad::TriangleMesh, std::string>> surfaces;
    std::vector<ml::Sample> samples;
    ml::DatasetManifest manifest;
    for (const CaptureSummary& c : usable) {
        try {
            if (!surfaces.count(*c.cad))
                surfaces[*c.cad] = cadSurface(project.cad(*c.cad), scratch);
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
