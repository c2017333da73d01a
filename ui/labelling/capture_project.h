// SPDX-License-Identifier: MIT
#pragma once
// A capture-labelling project (the paper's PrintCAD idea): photos of one's own printed parts,
// each tagged (view, material, lighting, background), masked, and tied to the part's CAD. One
// SQLite file holds everything — the photos as the models read them (upright, size-bounded,
// PNG), masks, mask hints, tags and the CAD files' bytes — so a project can be copied around
// whole. Every change is its own committed transaction: there is no Save, and a killed process
// loses nothing that a call had returned from.

#include "cad/geometry/triangle_mesh.h"
#include "ml/vision/part_mask.h"
#include "ml/vision/silhouette_pose.h"

#include <QByteArray>
#include <QImage>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace img2cad::ui {

/// A project that cannot be created, opened or changed; the message names the file and why.
class ProjectError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The tags of a capture; each field takes one of the values listed below.
struct CaptureTags {
    QString view = "free";
    QString material = "PLA";
    QString lighting = "indoor";
    QString background = "plain";
    bool operator==(const CaptureTags& o) const {
        return view == o.view && material == o.material && lighting == o.lighting &&
               background == o.background;
    }
};
const QStringList& viewTags();       ///< front, back, left, right, top, free
const QStringList& materialTags();   ///< PLA, resin, nylon, metal, other
const QStringList& lightingTags();   ///< daylight, indoor, flash, mixed
const QStringList& backgroundTags(); ///< plain, table, cluttered, hand

struct CaptureSummary {
    qint64 id = 0;
    QString name; ///< the photo's file name
    CaptureTags tags;
    bool masked = false;
    std::optional<qint64> cad; ///< the attached CAD, by id
};

/// Where the attached CAD sits in a capture's photo (silhouette alignment,
/// ml/vision/silhouette_pose.h), with the IoU of its silhouette and the capture's mask.
struct CapturePose {
    ml::CadPose pose;
    double iou = 0.0;
};

struct CadFile {
    qint64 id = 0;
    QString name; ///< file name, whose extension says the format
    QByteArray bytes;
};

/// A CAD file's surface as a triangle mesh, and its program JSON when the file is a program.
struct CadSurface {
    cad::TriangleMesh mesh;
    std::string programJson;
};
/// Reads a stored CAD file (through a scratch copy: the CAD core's readers take paths). Throws
/// ProjectError when it cannot be read or has no surface (a point cloud).
CadSurface readCadSurface(const CadFile& cad);

class CaptureProject {
public:
    /// A new, empty project file; refuses to overwrite an existing file.
    static std::unique_ptr<CaptureProject> create(const QString& path);
    /// An existing project; a missing file, another SQLite file or a damaged one is refused.
    static std::unique_ptr<CaptureProject> open(const QString& path);
    ~CaptureProject();
    CaptureProject(const CaptureProject&) = delete;
    CaptureProject& operator=(const CaptureProject&) = delete;

    const QString& path() const { return m_path; }

    /// Reads the photo (any format the app reads, EXIF-upright, size-bounded) into the project.
    qint64 addPhoto(const QString& file);
    std::vector<CaptureSummary> captures() const;
    CaptureSummary capture(qint64 id) const;
    void removeCapture(qint64 id);

    QImage photo(qint64 id) const;
    void setTags(qint64 id, const CaptureTags& tags);
    /// 1-channel mask of the photo's size (empty clears it) and the hints that made it.
    void setMask(qint64 id, const QImage& mask, const ml::MaskHints& hints);
    QImage mask(qint64 id) const;
    ml::MaskHints maskHints(qint64 id) const;

    /// Reads and checks a CAD file (STEP, STL, program JSON ...) and keeps its bytes; a file
    /// already in the project (the same bytes) gives the id it has.
    qint64 addCad(const QString& file);
    /// Attaching another CAD than the capture had clears its pose.
    void attachCad(qint64 captureId, std::optional<qint64> cadId);
    CadFile cad(qint64 cadId) const;

    /// The CAD's pose in the photo; nullopt clears it.
    void setPose(qint64 id, const std::optional<CapturePose>& pose);
    std::optional<CapturePose> pose(qint64 id) const;

private:
    explicit CaptureProject(QString path, QString connection);
    void execute(const QString& statement, const QVariantList& values = {}) const;

    QString m_path;
    QString m_connection; ///< this project's QSqlDatabase connection name
};

} // namespace img2cad::ui
