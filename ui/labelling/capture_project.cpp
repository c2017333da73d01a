// SPDX-License-Identifier: MIT
#include "ui/labelling/capture_project.h"

#include "cad/part_file.h"
#include "cad/program_json.h"
#include "cad/tessellation.h"
#include "ml/vision/photo_io.h"
#include "ui/photo_panel.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

namespace img2cad::ui {
namespace {

constexpr const char* kFormat = "img2cadseq-captures";
/// 2: captures.pose (version-1 projects gain the column when opened).
constexpr int kVersion = 2;

QByteArray pngBytes(const QImage& image) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QString hintsJson(const ml::MaskHints& hints) {
    QJsonObject json;
    if (hints.rect)
        json["rect"] =
            QJsonArray{hints.rect->x, hints.rect->y, hints.rect->width, hints.rect->height};
    QJsonArray strokes;
    for (const ml::MaskStroke& stroke : hints.strokes) {
        QJsonArray points;
        for (const auto& [x, y] : stroke.points)
            points.append(QJsonArray{x, y});
        strokes.append(QJsonObject{
            {"points", points}, {"radius", stroke.radius}, {"foreground", stroke.foreground}});
    }
    json["strokes"] = strokes;
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

ml::MaskHints hintsFromJson(const QString& text) {
    ml::MaskHints hints;
    const QJsonObject json = QJsonDocument::fromJson(text.toUtf8()).object();
    const QJsonArray rect = json["rect"].toArray();
    if (rect.size() == 4)
        hints.rect =
            ml::PixelRect{rect[0].toInt(), rect[1].toInt(), rect[2].toInt(), rect[3].toInt()};
    for (const QJsonValue& value : json["strokes"].toArray()) {
        const QJsonObject object = value.toObject();
        ml::MaskStroke stroke;
        stroke.radius = object["radius"].toInt(6);
        stroke.foreground = object["foreground"].toBool(true);
        for (const QJsonValue& point : object["points"].toArray())
            stroke.points.push_back({point.toArray()[0].toInt(), point.toArray()[1].toInt()});
        hints.strokes.push_back(std::move(stroke));
    }
    return hints;
}

void checkTag(const QStringList& allowed, const QString& value, const char* what) {
    if (!allowed.contains(value))
        throw ProjectError(QString("unknown %1 tag '%2' (expected one of: %3)")
                               .arg(what, value, allowed.join(", "))
                               .toStdString());
}

} // namespace

const QStringList& viewTags() {
    static const QStringList tags{"front", "back", "left", "right", "top", "free"};
    return tags;
}
const QStringList& materialTags() {
    static const QStringList tags{"PLA", "resin", "nylon", "metal", "other"};
    return tags;
}
const QStringList& lightingTags() {
    static const QStringList tags{"daylight", "indoor", "flash", "mixed"};
    return tags;
}
const QStringList& backgroundTags() {
    static const QStringList tags{"plain", "table", "cluttered", "hand"};
    return tags;
}

CaptureProject::CaptureProject(QString path, QString connection)
    : m_path(std::move(path)), m_connection(std::move(connection)) {}

CaptureProject::~CaptureProject() {
    QSqlDatabase::database(m_connection, false).close();
    QSqlDatabase::removeDatabase(m_connection);
}

namespace {

/// A connection of its own to `path` (several projects may be open at once).
QString connect(const QString& path) {
    const QString name = "capture-project-" + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", name);
    db.setDatabaseName(path);
    if (!db.open()) {
        const QString why = db.lastError().text();
        db = {};
        QSqlDatabase::removeDatabase(name);
        throw ProjectError(QString("cannot open the project %1: %2").arg(path, why).toStdString());
    }
    return name;
}

QSqlQuery run(const QString& connection, const QString& path, const QString& statement,
              const QVariantList& values = {}) {
    QSqlQuery query(QSqlDatabase::database(connection));
    if (!query.prepare(statement))
        throw ProjectError(
            QString("project %1: %2").arg(path, query.lastError().text()).toStdString());
    for (const QVariant& value : values)
        query.addBindValue(value);
    if (!query.exec())
        throw ProjectError(
            QString("project %1: %2").arg(path, query.lastError().text()).toStdString());
    return query;
}

} // namespace

std::unique_ptr<CaptureProject> CaptureProject::create(const QString& path) {
    if (QFileInfo::exists(path))
        throw ProjectError(QString("%1 already exists: open it, or choose a new file name")
                               .arg(path)
                               .toStdString());
    std::unique_ptr<CaptureProject> project(new CaptureProject(path, connect(path)));
    for (const char* statement :
         {"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
          "CREATE TABLE cad (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bytes BLOB NOT NULL)",
          "CREATE TABLE captures (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB NOT "
          "NULL, view TEXT NOT NULL, material TEXT NOT NULL, lighting TEXT NOT NULL, background "
          "TEXT NOT NULL, mask BLOB, hints TEXT, cad INTEGER REFERENCES cad(id), pose TEXT)"})
        project->execute(statement);
    project->execute("INSERT INTO meta VALUES ('format', ?), ('version', ?)",
                     {kFormat, QString::number(kVersion)});
    return project;
}

std::unique_ptr<CaptureProject> CaptureProject::open(const QString& path) {
    if (!QFileInfo(path).isFile())
        throw ProjectError(QString("no project at %1").arg(path).toStdString());
    std::unique_ptr<CaptureProject> project(new CaptureProject(path, connect(path)));
    QString format;
    int version = 0;
    try {
        QSqlQuery query = run(project->m_connection, path, "SELECT key, value FROM meta");
        while (query.next()) {
            if (query.value(0).toString() == "format") format = query.value(1).toString();
            if (query.value(0).toString() == "version") version = query.value(1).toInt();
        }
    } catch (const ProjectError&) {
        // Not SQLite, or SQLite without our tables: said below in one message.
    }
    if (format != kFormat)
        throw ProjectError(
            QString("%1 is not a capture project (or is damaged)").arg(path).toStdString());
    if (version > kVersion)
        throw ProjectError(QString("%1 was written by a newer version (format %2; this one reads "
                                   "up to %3)")
                               .arg(path)
                               .arg(version)
                               .arg(kVersion)
                               .toStdString());
    if (version < 2) {
        // One transaction: a process killed in between must not leave the column without the
        // version that says it is there.
        QSqlDatabase db = QSqlDatabase::database(project->m_connection);
        db.transaction();
        try {
            project->execute("ALTER TABLE captures ADD COLUMN pose TEXT");
            project->execute("UPDATE meta SET value = ? WHERE key = 'version'",
                             {QString::number(kVersion)});
        } catch (const ProjectError&) {
            db.rollback();
            throw;
        }
        if (!db.commit())
            throw ProjectError(QString("cannot update %1 to this version's format: %2")
                                   .arg(path, db.lastError().text())
                                   .toStdString());
    }
    return project;
}

void CaptureProject::execute(const QString& statement, const QVariantList& values) const {
    run(m_connection, m_path, statement, values);
}

qint64 CaptureProject::addPhoto(const QString& file) {
    QImage photo;
    try {
        photo = toQImage(ml::readPhoto(file.toStdString()));
    } catch (const std::exception& e) {
        throw ProjectError(QString("cannot add %1: %2").arg(file, e.what()).toStdString());
    }
    const CaptureTags tags;
    const QSqlQuery query =
        run(m_connection, m_path,
            "INSERT INTO captures (name, photo, view, material, lighting, background) VALUES "
            "(?, ?, ?, ?, ?, ?)",
            {QFileInfo(file).fileName(), pngBytes(photo), tags.view, tags.material, tags.lighting,
             tags.background});
    return query.lastInsertId().toLongLong();
}

namespace {

constexpr const char* kSummaryColumns =
    "SELECT id, name, view, material, lighting, background, mask IS NOT NULL, cad FROM captures";

/// The current row of a query over kSummaryColumns.
CaptureSummary summaryOf(const QSqlQuery& query) {
    CaptureSummary c;
    c.id = query.value(0).toLongLong();
    c.name = query.value(1).toString();
    c.tags = {query.value(2).toString(), query.value(3).toString(), query.value(4).toString(),
              query.value(5).toString()};
    c.masked = query.value(6).toBool();
    if (!query.value(7).isNull()) c.cad = query.value(7).toLongLong();
    return c;
}

} // namespace

std::vector<CaptureSummary> CaptureProject::captures() const {
    std::vector<CaptureSummary> result;
    QSqlQuery query = run(m_connection, m_path, QString(kSummaryColumns) + " ORDER BY id");
    while (query.next())
        result.push_back(summaryOf(query));
    return result;
}

CaptureSummary CaptureProject::capture(qint64 id) const {
    QSqlQuery query = run(m_connection, m_path, QString(kSummaryColumns) + " WHERE id = ?", {id});
    if (!query.next())
        throw ProjectError(
            QString("project %1 has no capture %2").arg(m_path).arg(id).toStdString());
    return summaryOf(query);
}

void CaptureProject::removeCapture(qint64 id) {
    execute("DELETE FROM captures WHERE id = ?", {id});
}

QImage CaptureProject::photo(qint64 id) const {
    QSqlQuery query = run(m_connection, m_path, "SELECT photo FROM captures WHERE id = ?", {id});
    if (!query.next())
        throw ProjectError(
            QString("project %1 has no capture %2").arg(m_path).arg(id).toStdString());
    return QImage::fromData(query.value(0).toByteArray(), "PNG");
}

void CaptureProject::setTags(qint64 id, const CaptureTags& tags) {
    checkTag(viewTags(), tags.view, "view");
    checkTag(materialTags(), tags.material, "material");
    checkTag(lightingTags(), tags.lighting, "lighting");
    checkTag(backgroundTags(), tags.background, "background");
    execute("UPDATE captures SET view = ?, material = ?, lighting = ?, background = ? WHERE id = ?",
            {tags.view, tags.material, tags.lighting, tags.background, id});
}

void CaptureProject::setMask(qint64 id, const QImage& mask, const ml::MaskHints& hints) {
    if (mask.isNull()) {
        execute("UPDATE captures SET mask = NULL, hints = ? WHERE id = ?", {hintsJson(hints), id});
        return;
    }
    const QImage photo = this->photo(id);
    if (mask.size() != photo.size())
        throw ProjectError(QString("a mask of %1 x %2 px does not fit the %3 x %4 px photo")
                               .arg(mask.width())
                               .arg(mask.height())
                               .arg(photo.width())
                               .arg(photo.height())
                               .toStdString());
    execute("UPDATE captures SET mask = ?, hints = ? WHERE id = ?",
            {pngBytes(mask.convertToFormat(QImage::Format_Grayscale8)), hintsJson(hints), id});
}

QImage CaptureProject::mask(qint64 id) const {
    QSqlQuery query = run(m_connection, m_path, "SELECT mask FROM captures WHERE id = ?", {id});
    if (!query.next() || query.value(0).isNull()) return {};
    return QImage::fromData(query.value(0).toByteArray(), "PNG")
        .convertToFormat(QImage::Format_Grayscale8);
}

ml::MaskHints CaptureProject::maskHints(qint64 id) const {
    QSqlQuery query = run(m_connection, m_path, "SELECT hints FROM captures WHERE id = ?", {id});
    if (!query.next() || query.value(0).isNull()) return {};
    return hintsFromJson(query.value(0).toString());
}

qint64 CaptureProject::addCad(const QString& file) {
    try {
        cad::readPartFile(file.toStdString()); // only to refuse what the app cannot read
    } catch (const std::exception& e) {
        throw ProjectError(QString("cannot attach %1: %2").arg(file, e.what()).toStdString());
    }
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        throw ProjectError(QString("cannot read %1: %2").arg(file, in.errorString()).toStdString());
    const QByteArray bytes = in.readAll();
    // The same file attached to several photos of one part is one CAD (and so one part when
    // the dataset export holds out views).
    QSqlQuery same = run(m_connection, m_path, "SELECT id FROM cad WHERE bytes = ?", {bytes});
    if (same.next()) return same.value(0).toLongLong();
    const QSqlQuery query = run(m_connection, m_path, "INSERT INTO cad (name, bytes) VALUES (?, ?)",
                                {QFileInfo(file).fileName(), bytes});
    return query.lastInsertId().toLongLong();
}

void CaptureProject::attachCad(qint64 captureId, std::optional<qint64> cadId) {
    if (cadId) cad(*cadId); // refuses an unknown CAD
    const QVariant cad = cadId ? QVariant(*cadId) : QVariant();
    // SET reads the old row: the pose stays only when the CAD does.
    execute("UPDATE captures SET pose = CASE WHEN cad IS ? THEN pose ELSE NULL END, cad = ? "
            "WHERE id = ?",
            {cad, cad, captureId});
}

CadFile CaptureProject::cad(qint64 cadId) const {
    QSqlQuery query =
        run(m_connection, m_path, "SELECT id, name, bytes FROM cad WHERE id = ?", {cadId});
    if (!query.next())
        throw ProjectError(
            QString("project %1 has no CAD %2").arg(m_path).arg(cadId).toStdString());
    return {query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toByteArray()};
}

void CaptureProject::setPose(qint64 id, const std::optional<CapturePose>& pose) {
    capture(id); // refuses an unknown capture
    QVariant json;
    if (pose) {
        const ml::CadPose& p = pose->pose;
        json = QString::fromUtf8(
            QJsonDocument(QJsonObject{{"azimuth_deg", p.azimuthDeg},
                                      {"elevation_deg", p.elevationDeg},
                                      {"roll_deg", p.rollDeg},
                                      {"scale_px", p.scale},
                                      {"center_px", QJsonArray{p.centerX, p.centerY}},
                                      {"iou", pose->iou}})
                .toJson(QJsonDocument::Compact));
    }
    execute("UPDATE captures SET pose = ? WHERE id = ?", {json, id});
}

std::optional<CapturePose> CaptureProject::pose(qint64 id) const {
    QSqlQuery query = run(m_connection, m_path, "SELECT pose FROM captures WHERE id = ?", {id});
    if (!query.next() || query.value(0).isNull()) return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object();
    CapturePose pose;
    pose.pose.azimuthDeg = json["azimuth_deg"].toDouble();
    pose.pose.elevationDeg = json["elevation_deg"].toDouble();
    pose.pose.rollDeg = json["roll_deg"].toDouble();
    pose.pose.scale = json["scale_px"].toDouble();
    pose.pose.centerX = json["center_px"].toArray().at(0).toDouble();
    pose.pose.centerY = json["center_px"].toArray().at(1).toDouble();
    pose.iou = json["iou"].toDouble();
    return pose;
}

CadSurface readCadSurface(const CadFile& cad) {
    QTemporaryDir scratch;
    if (!scratch.isValid()) throw ProjectError("no scratch folder for reading the CAD files");
    const QString path = scratch.filePath(QString("cad-%1-%2").arg(cad.id).arg(cad.name));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(cad.bytes) != cad.bytes.size())
        throw ProjectError("cannot write a scratch copy of " + cad.name.toStdString());
    file.close();
    try {
        const cad::PartFile part = cad::readPartFile(path.toStdString());
        const std::string program =
            part.program ? cad::programToJson(*part.program) : std::string();
        if (!part.shape.isNull()) return {cad::tessellate(part.shape), program};
        if (part.mesh) return {*part.mesh, program};
    } catch (const std::exception& e) {
        throw ProjectError(cad.name.toStdString() + ": " + e.what());
    }
    throw ProjectError(cad.name.toStdString() + " has no surface (a point cloud)");
}

} // namespace img2cad::ui
