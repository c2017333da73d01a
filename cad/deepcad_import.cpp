// SPDX-License-Identifier: MIT
#include "cad/deepcad_import.h"

#include "cad/error.h"
#include "cad/text_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace img2cad::cad {
namespace {

using Json = nlohmann::json;

// Loop curves are chained end to start when their ends meet within this share of the loop's
// size: the files store float-rounded coordinates (4.000000059604645 for 4).
constexpr double kRelativeChainTolerance = 1e-5;

[[noreturn]] void fail(const std::string& where, const std::string& message) {
    throw Error(where + ": " + message);
}

const Json& member(const Json& object, const char* key, const std::string& where) {
    if (!object.is_object()) fail(where, "expected an object");
    const auto found = object.find(key);
    if (found == object.end()) fail(where, std::string("missing '") + key + "'");
    return *found;
}

double number(const Json& value, const std::string& where) {
    if (!value.is_number()) fail(where, "expected a number");
    const double x = value.get<double>();
    if (!std::isfinite(x)) fail(where, "number is not finite");
    return x;
}

std::string text(const Json& value, const std::string& where) {
    if (!value.is_string()) fail(where, "expected a string");
    return value.get<std::string>();
}

Vec3 point3(const Json& object, const char* key, const std::string& where) {
    const Json& p = member(object, key, where);
    const std::string here = where + "." + key;
    return {number(member(p, "x", here), here), number(member(p, "y", here), here),
            number(member(p, "z", here), here)};
}

Vec2 point2(const Json& object, const char* key, const std::string& where) {
    const Vec3 p = point3(object, key, where);
    return {p.x, p.y};
}

/// Rotates `v` by `angle` about the unit axis `n` (Rodrigues).
Vec3 rotate(Vec3 v, Vec3 n, double angle) {
    return v * std::cos(angle) + n.cross(v) * std::sin(angle) +
           n * (n.dot(v) * (1.0 - std::cos(angle)));
}

Curve curveFrom(const Json& json, const std::string& where) {
    const std::string type = text(member(json, "type", where), where);
    if (type == "Line3D")
        return Line{point2(json, "start_point", where), point2(json, "end_point", where)};
    if (type == "Circle3D") {
        return Circle{point2(json, "center_point", where),
                      number(member(json, "radius", where), where + ".radius")};
    }
    if (type == "Arc3D") {
        // The unambiguous arc passes through the point at the mean of its start and end
        // angles, measured from `reference_vector` about `normal` (../shared/data/README.md).
        const Vec3 center = point3(json, "center_point", where);
        const double radius = number(member(json, "radius", where), where + ".radius");
        const double start = number(member(json, "start_angle", where), where + ".start_angle");
        const double end = number(member(json, "end_angle", where), where + ".end_angle");
        const Vec3 reference = point3(json, "reference_vector", where);
        const Vec3 normal = point3(json, "normal", where);
        if (!(reference.norm() > 0.0) || !(normal.norm() > 0.0))
            fail(where, "arc with a zero reference vector or normal");
        const Vec3 mid =
            center +
            rotate(reference.normalized(), normal.normalized(), 0.5 * (start + end)) * radius;
        return Arc{
            point2(json, "start_point", where), {mid.x, mid.y}, point2(json, "end_point", where)};
    }
    fail(where, "unsupported curve type '" + type + "' (lines, arcs and circles are supported)");
}

double curveLength(const Curve& curve) {
    if (const auto* line = std::get_if<Line>(&curve)) return (line->end - line->start).norm();
    return std::numeric_limits<double>::infinity(); // arcs and circles are never dropped
}

/// Orders the curves of a loop end to start, reversing those listed backwards, drops
/// zero-length lines (as DeepCAD does) and welds the ends exactly.
Loop chainLoop(std::vector<Curve> curves, const std::string& where) {
    BoundingBox box;
    for (const Curve& c : curves) {
        box.add({curveStart(c).x, curveStart(c).y, 0});
        box.add({curveEnd(c).x, curveEnd(c).y, 0});
    }
    const double tolerance = kRelativeChainTolerance * std::max(1e-9, box.size().norm());
    curves.erase(std::remove_if(curves.begin(), curves.end(),
                                [&](const Curve& c) { return curveLength(c) <= tolerance; }),
                 curves.end());
    if (curves.empty()) fail(where, "loop has no curve of non-zero length");
    if (curves.size() == 1) return Loop{curves};

    Loop loop;
    loop.curves.push_back(curves.front());
    std::vector<bool> used(curves.size(), false);
    used[0] = true;
    for (std::size_t step = 1; step < curves.size(); ++step) {
        const Vec2 end = curveEnd(loop.curves.back());
        std::size_t best = 0;
        bool flip = false;
        double bestGap = std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < curves.size(); ++i) {
            if (used[i]) continue;
            const double toStart = (curveStart(curves[i]) - end).norm();
            const double toEnd = (curveEnd(curves[i]) - end).norm();
            if (toStart < bestGap) bestGap = toStart, best = i, flip = false;
            if (toEnd < bestGap) bestGap = toEnd, best = i, flip = true;
        }
        if (bestGap > tolerance)
            fail(where, "loop is open: no curve starts where curve " + std::to_string(step - 1) +
                            " ends (nearest gap " + std::to_string(bestGap) + ")");
        used[best] = true;
        loop.curves.push_back(flip ? reversed(curves[best]) : curves[best]);
    }
    const double closing = (curveStart(loop.curves.front()) - curveEnd(loop.curves.back())).norm();
    if (closing > tolerance)
        fail(where, "loop is open: its last curve does not end where the first starts (gap " +
                        std::to_string(closing) + ")");

    // Weld: each curve starts exactly where the previous one ends.
    for (std::size_t i = 0; i < loop.curves.size(); ++i) {
        const Vec2 joint = curveEnd(loop.curves[(i + loop.curves.size() - 1) % loop.curves.size()]);
        if (auto* line = std::get_if<Line>(&loop.curves[i])) line->start = joint;
        if (auto* arc = std::get_if<Arc>(&loop.curves[i])) arc->start = joint;
    }
    return loop;
}

Curve scaled(Curve curve, double s) {
    if (auto* line = std::get_if<Line>(&curve))
        *line = {line->start * s, line->end * s};
    else if (auto* arc = std::get_if<Arc>(&curve))
        *arc = {arc->start * s, arc->mid * s, arc->end * s};
    else {
        auto& circle = std::get<Circle>(curve);
        circle = {circle.center * s, circle.radius * s};
    }
    return curve;
}

struct SketchProfile {
    SketchPlane plane; // in mm
    Profile profile;   // in mm
};

/// Reads one profile of a sketch entity into our plane + loops, in mm.
SketchProfile readProfile(const Json& sketch, const std::string& profileId, double toMm,
                          const std::string& where) {
    const Json& transform = member(sketch, "transform", where);
    const std::string tw = where + ".transform";
    SketchPlane plane;
    plane.origin = point3(transform, "origin", tw) * toMm;
    const Vec3 xAxis = point3(transform, "x_axis", tw);
    const Vec3 yAxis = point3(transform, "y_axis", tw);
    const Vec3 zAxis = point3(transform, "z_axis", tw);
    if (!(xAxis.norm() > 0) || !(zAxis.norm() > 0)) fail(tw, "zero-length sketch axis");
    plane.xAxis = xAxis.normalized();
    plane.normal = zAxis.normalized();
    if (std::fabs(plane.xAxis.dot(plane.normal)) > 1e-6)
        fail(tw, "sketch x axis is not perpendicular to its z axis");
    // Our y axis is normal x xAxis; a left-handed file frame is mirrored into it.
    const double ySign = yAxis.dot(plane.yAxis()) < 0.0 ? -1.0 : 1.0;

    const Json& profiles = member(sketch, "profiles", where);
    const auto found = profiles.find(profileId);
    if (found == profiles.end()) fail(where, "has no profile '" + profileId + "'");
    const std::string pw = where + ".profiles." + profileId;
    SketchProfile result{plane, {}};
    const Json& loops = member(*found, "loops", pw);
    if (!loops.is_array() || loops.empty()) fail(pw, "profile has no loops");
    for (std::size_t l = 0; l < loops.size(); ++l) {
        const std::string lw = pw + ".loops[" + std::to_string(l) + "]";
        const Json& curvesJson = member(loops[l], "profile_curves", lw);
        if (!curvesJson.is_array()) fail(lw, "profile_curves is not an array");
        std::vector<Curve> curves;
        for (std::size_t c = 0; c < curvesJson.size(); ++c) {
            Curve curve =
                curveFrom(curvesJson[c], lw + ".profile_curves[" + std::to_string(c) + "]");
            if (ySign < 0) {
                const auto mirror = [](Vec2 p) { return Vec2{p.x, -p.y}; };
                if (auto* line = std::get_if<Line>(&curve))
                    *line = {mirror(line->start), mirror(line->end)};
                else if (auto* arc = std::get_if<Arc>(&curve))
                    *arc = {mirror(arc->start), mirror(arc->mid), mirror(arc->end)};
                else
                    std::get<Circle>(curve).center = mirror(std::get<Circle>(curve).center);
            }
            curves.push_back(scaled(curve, toMm));
        }
        result.profile.loops.push_back(chainLoop(std::move(curves), lw));
    }
    return result;
}

double distanceOf(const Json& extent, const std::string& where) {
    if (extent.contains("type") && extent["type"] != "DistanceExtentDefinition")
        fail(where, "extent '" + text(extent["type"], where) +
                        "' is not supported (only distance extents are)");
    const Json& distance = member(extent, "distance", where);
    return number(member(distance, "value", where + ".distance"), where + ".distance.value");
}

void requireNoTaper(const Json& extent, const std::string& where) {
    if (!extent.is_object() || !extent.contains("taper_angle")) return;
    const Json& taper = extent["taper_angle"];
    const double angle = taper.is_object() && taper.contains("value")
                             ? number(taper["value"], where + ".taper_angle.value")
                             : 0.0;
    if (std::fabs(angle) > 1e-12)
        fail(where,
             "tapered extrudes are not supported (taper angle " + std::to_string(angle) + " rad)");
}

BooleanOp operationFrom(const std::string& name, const std::string& where) {
    if (name == "NewBodyFeatureOperation" || name == "NewComponentFeatureOperation")
        return BooleanOp::NewBody;
    if (name == "JoinFeatureOperation") return BooleanOp::Join;
    if (name == "CutFeatureOperation") return BooleanOp::Cut;
    if (name == "IntersectFeatureOperation") return BooleanOp::Intersect;
    fail(where, "unsupported operation '" + name + "'");
}

/// One ExtrudeFeature as one or more of our extrudes (one per distinct sketch plane).
std::vector<Extrude> readExtrude(const Json& entities, const Json& feature, double toMm,
                                 const std::string& where) {
    Extrude base;
    base.op = operationFrom(text(member(feature, "operation", where), where + ".operation"), where);

    const std::string extentType = text(member(feature, "extent_type", where), where);
    const Json& one = member(feature, "extent_one", where);
    requireNoTaper(one, where + ".extent_one");
    base.extent.distance = distanceOf(one, where + ".extent_one") * toMm;
    if (extentType == "OneSideFeatureExtentType") {
        base.extent.type = ExtentType::OneSided;
    } else if (extentType == "SymmetricFeatureExtentType") {
        base.extent.type = ExtentType::Symmetric;
    } else if (extentType == "TwoSidesFeatureExtentType") {
        base.extent.type = ExtentType::TwoSided;
        const Json& two = member(feature, "extent_two", where);
        requireNoTaper(two, where + ".extent_two");
        base.extent.distance2 = distanceOf(two, where + ".extent_two") * toMm;
    } else {
        fail(where, "unsupported extent type '" + extentType + "'");
    }

    // An offset start moves the profile plane along its normal before extruding.
    double startOffset = 0.0;
    if (feature.contains("start_extent")) {
        const Json& start = feature["start_extent"];
        const std::string type = text(member(start, "type", where), where + ".start_extent.type");
        if (type == "OffsetStartDefinition") {
            const Json& offset = member(start, "offset", where + ".start_extent");
            startOffset =
                number(member(offset, "value", where), where + ".start_extent.offset") * toMm;
        } else if (type != "ProfilePlaneStartDefinition") {
            fail(where, "start extent '" + type + "' is not supported");
        }
    }

    std::vector<Extrude> extrudes;
    const Json& refs = member(feature, "profiles", where);
    if (!refs.is_array() || refs.empty()) fail(where, "extrude has no profiles");
    for (const Json& ref : refs) {
        const std::string sketchId = text(member(ref, "sketch", where), where + ".profiles.sketch");
        const std::string profileId =
            text(member(ref, "profile", where), where + ".profiles.profile");
        const auto sketch = entities.find(sketchId);
        if (sketch == entities.end()) fail(where, "refers to a missing sketch '" + sketchId + "'");
        SketchProfile read = readProfile(*sketch, profileId, toMm, "sketch " + sketchId);
        read.plane.origin = read.plane.origin + read.plane.normal * startOffset;
        const auto samePlane =
            std::find_if(extrudes.begin(), extrudes.end(),
                         [&](const Extrude& e) { return e.plane == read.plane; });
        if (samePlane != extrudes.end()) {
            samePlane->profiles.push_back(std::move(read.profile));
        } else {
            Extrude extrude = base;
            extrude.plane = read.plane;
            extrude.profiles.push_back(std::move(read.profile));
            extrudes.push_back(std::move(extrude));
        }
    }
    // Intersecting with each plane's profiles in turn is not intersecting with their union.
    if (extrudes.size() > 1 && base.op == BooleanOp::Intersect)
        fail(where, "an Intersect extrude over profiles of several sketch planes is not supported");
    return extrudes;
}

} // namespace

bool looksLikeSequenceJson(const std::string& jsonText) {
    const Json root = Json::parse(jsonText, nullptr, false);
    return root.is_object() && root.contains("entities") &&
           (root.contains("sequence") || root.contains("timeline"));
}

ImportedSequence importSequence(const std::string& jsonText) {
    Json root;
    try {
        root = Json::parse(jsonText);
    } catch (const Json::exception& error) { // syntax errors, and numbers such as 1e999
        throw Error(std::string("not valid JSON: ") + error.what());
    }
    if (!root.is_object() || !root.contains("entities"))
        throw Error("not a DeepCAD or Fusion 360 sequence: no 'entities'");

    ImportedSequence result;
    // Fusion 360 Gallery files carry a `timeline` (and centimetres); DeepCAD's a `sequence`
    // (and metres).
    const bool fusion = root.contains("timeline");
    result.format = fusion ? SequenceFormat::Fusion360 : SequenceFormat::DeepCad;
    result.unitToMm = fusion ? 10.0 : 1000.0;
    const Json& order = member(root, fusion ? "timeline" : "sequence", "file");
    const Json& entities = member(root, "entities", "file");
    if (!order.is_array()) throw Error("file: the build order is not an array");

    std::vector<std::pair<double, std::string>> steps;
    for (const Json& step : order)
        steps.emplace_back(number(member(step, "index", "build order"), "index"),
                           text(member(step, "entity", "build order"), "entity"));
    std::stable_sort(steps.begin(), steps.end());

    for (const auto& [index, id] : steps) {
        const auto entity = entities.find(id);
        if (entity == entities.end())
            throw Error("build order names a missing entity '" + id + "'");
        const std::string type = text(member(*entity, "type", id), id + ".type");
        if (type == "Sketch") continue; // sketches are read through the extrudes that use them
        if (type != "ExtrudeFeature")
            throw Error("entity " + id + ": feature type '" + type + "' is not supported");
        for (Extrude& extrude : readExtrude(entities, *entity, result.unitToMm, "extrude " + id))
            result.program.extrudes.push_back(std::move(extrude));
    }
    if (result.program.extrudes.empty()) throw Error("the sequence has no extrude");

    if (root.contains("properties") && root["properties"].is_object()) {
        const Json& properties = root["properties"];
        if (properties.contains("volume") && properties["volume"].is_number())
            result.recordedVolume =
                properties["volume"].get<double>() * std::pow(result.unitToMm, 3);
        if (properties.contains("bounding_box")) {
            const Json& box = properties["bounding_box"];
            BoundingBox recorded;
            recorded.add(point3(box, "min_point", "bounding_box") * result.unitToMm);
            recorded.add(point3(box, "max_point", "bounding_box") * result.unitToMm);
            result.recordedBox = recorded;
        }
    }
    if (root.contains("metadata") && root["metadata"].contains("parent_project") &&
        root["metadata"]["parent_project"].is_string())
        result.program.name = root["metadata"]["parent_project"].get<std::string>();
    return result;
}

ImportedSequence importSequenceFile(const std::filesystem::path& path) {
    const std::string text = readTextFile(path);
    try {
        ImportedSequence imported = importSequence(text);
        if (imported.program.name.empty()) imported.program.name = path.stem().string();
        return imported;
    } catch (const Error& error) {
        throw Error(path.string() + ": " + error.what());
    }
}

} // namespace img2cad::cad
