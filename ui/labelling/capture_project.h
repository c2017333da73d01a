// SPDX-License-Identifier: MIT
#pragma once
// A capture-labelling project (the paper's PrintCAD idea): photos of one's own printed parts,
// each tagged (view, material, lighting, background), masked, and tied to the part's CAD. One
// SQLite file holds everything — the photos as the models read them (upright, size-bounded,
// PNG), masks, mask hints, tags and the CAD files' bytes — so a project can be copied around
// whole. Every change is its own committed transaction: there is no Save, and a killed process
// loses nothing that a call had returned from.

#include "ml/vision/part_mask.h"

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

struct CadFile {
    qint64 id = 0;
    QString name; ///< file name, whose extension says the format
    QByteArray bytes;
};

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
    void attachCad(qint64 captureId, std::optional<qint64> cadId);
    CadFile cad(qint64 cadId) const;

private:
    explicit CaptureProject(QString path, QString connection);
    void execute(const QString& statement, const QVariantList& values = {}) const;

    QString m_path;
    QString m_connection; ///< this project's QSqlDatabase connection name
};

} // namespace img2cad::ui
