// SPDX-License-Identifier: MIT
#include "cad/program_json.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/text_file.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <initializer_list>

namespace img2cad::cad {
namespace {

using Json = nlohmann::json;

// Schema names of the enums, written in snake_case like the keys.
const char* opKey(BooleanOp op) {
    switch (op) {
    case BooleanOp::NewBody:
        return "new_body";
    case BooleanOp::Join:
        return "join";
    case BooleanOp::Cut:
        return "cut";
    case BooleanOp::Intersect:
        return "intersect";
    }
    return "";
}

const char* extentKey(ExtentType type) {
    switch (type) {
    case ExtentType::OneSided:
        return "one_sided";
    case ExtentType::Symmetric:
        return "symmetric";
    case ExtentType::TwoSided:
        return "two_sided";
    }
    return "";
}

Json toJson(Vec2 p) {
    return Json::array({p.x, p.y});
}
Json toJson(Vec3 p) {
    return Json::array({p.x, p.y, p.z});
}

Json toJson(const Curve& curve) {
    if (const auto* line = std::get_if<Line>(&curve))
        return {{"type", "line"}, {"start", toJson(line->start)}, {"end", toJson(line->end)}};
    if (const auto* arc = std::get_if<Arc>(&curve))
        return {{"type", "arc"},
                {"start", toJson(arc->start)},
                {"mid", toJson(arc->mid)},
                {"end", toJson(arc->end)}};
    const auto& circle = std::get<Circle>(curve);
    return {{"type", "circle"}, {"center", toJson(circle.center)}, {"radius", circle.radius}};
}

Json toJson(const Extrude& extrude) {
    Json profiles = Json::array();
    for (const Profile& profile : extrude.profiles) {
        Json loops = Json::array();
        for (const Loop& loop : profile.loops) {
            Json curves = Json::array();
            for (const Curve& curve : loop.curves)
                curves.push_back(toJson(curve));
            loops.push_back({{"curves", std::move(curves)}});
        }
        profiles.push_back({{"loops", std::move(loops)}});
    }
    Json extent = {{"type", extentKey(extrude.extent.type)}, {"distance", extrude.extent.distance}};
    if (extrude.extent.type == ExtentType::TwoSided) extent["distance2"] = extrude.extent.distance2;
    return {{"plane",
             {{"origin", toJson(extrude.plane.origin)},
              {"x_axis", toJson(extrude.plane.xAxis)},
              {"normal", toJson(extrude.plane.normal)}}},
            {"profiles", std::move(profiles)},
            {"extent", std::move(extent)},
            {"operation", opKey(extrude.op)}};
}

/// A JSON value with the path that led to it, so every error names the exact place.
class Node {
public:
    Node(const Json& json, std::string path) : m_json(json), m_path(std::move(path)) {}

    [[noreturn]] void fail(const std::string& message) const {
        throw Error((m_path.empty() ? std::string("program") : m_path) + ": " + message);
    }

    /// Rejects keys outside `allowed`: a misspelt key must not be ignored silently.
    const Node& allowOnly(std::initializer_list<const char*> allowed) const {
        if (!m_json.is_object()) fail("expected an object");
        for (const auto& item : m_json.items()) {
            bool known = false;
            for (const char* key : allowed)
                known = known || item.key() == key;
            if (!known) fail("unknown key '" + item.key() + "'");
        }
        return *this;
    }

    Node at(const char* key) const {
        if (!m_json.is_object()) fail("expected an object");
        const auto found = m_json.find(key);
        if (found == m_json.end()) fail(std::string("missing key '") + key + "'");
        return Node(*found, childPath(key));
    }
    bool has(const char* key) const { return m_json.is_object() && m_json.contains(key); }

    std::vector<Node> elements() const {
        if (!m_json.is_array()) fail("expected an array");
        std::vector<Node> nodes;
        nodes.reserve(m_json.size());
        for (std::size_t i = 0; i < m_json.size(); ++i)
            nodes.emplace_back(m_json[i], m_path + "[" + std::to_string(i) + "]");
        return nodes;
    }

    double number() const {
        if (!m_json.is_number()) fail("expected a number");
        const double value = m_json.get<double>();
        if (!std::isfinite(value)) fail("number is not finite");
        return value;
    }
    int integer() const {
        if (!m_json.is_number_integer()) fail("expected an integer");
        return m_json.get<int>();
    }
    std::string text() const {
        if (!m_json.is_string()) fail("expected a string");
        return m_json.get<std::string>();
    }
    Vec2 vec2() const {
        const auto items = elements();
        if (items.size() != 2) fail("expected [x, y]");
        return {items[0].number(), items[1].number()};
    }
    Vec3 vec3() const {
        const auto items = elements();
        if (items.size() != 3) fail("expected [x, y, z]");
        return {items[0].number(), items[1].number(), items[2].number()};
    }

private:
    std::string childPath(const char* key) const {
        return m_path.empty() ? std::string(key) : m_path + "." + key;
    }
    const Json& m_json;
    std::string m_path;
};

Curve curveFrom(const Node& node) {
    const std::string type = node.at("type").text();
    if (type == "line") {
        node.allowOnly({"type", "start", "end"});
        return Line{node.at("start").vec2(), node.at("end").vec2()};
    }
    if (type == "arc") {
        node.allowOnly({"type", "start", "mid", "end"});
        return Arc{node.at("start").vec2(), node.at("mid").vec2(), node.at("end").vec2()};
    }
    if (type == "circle") {
        node.allowOnly({"type", "center", "radius"});
        return Circle{node.at("center").vec2(), node.at("radius").number()};
    }
    node.at("type").fail("unknown curve type '" + type + "' (expected line, arc or circle)");
}

Extent extentFrom(const Node& node) {
    node.allowOnly({"type", "distance", "distance2"});
    const std::string type = node.at("type").text();
    Extent extent;
    extent.distance = node.at("distance").number();
    if (type == "one_sided") {
        extent.type = ExtentType::OneSided;
    } else if (type == "symmetric") {
        extent.type = ExtentType::Symmetric;
    } else if (type == "two_sided") {
        extent.type = ExtentType::TwoSided;
        extent.distance2 = node.at("distance2").number();
    } else {
        node.at("type").fail("unknown extent type '" + type +
                             "' (expected one_sided, symmetric or two_sided)");
    }
    if (extent.type != ExtentType::TwoSided && node.has("distance2"))
        node.fail("'distance2' is only allowed for two_sided extents");
    return extent;
}

BooleanOp opFrom(const Node& node) {
    const std::string name = node.text();
    for (BooleanOp op : {BooleanOp::NewBody, BooleanOp::Join, BooleanOp::Cut, BooleanOp::Intersect})
        if (name == opKey(op)) return op;
    node.fail("unknown operation '" + name + "' (expected new_body, join, cut or intersect)");
}

Extrude extrudeFrom(const Node& node) {
    node.allowOnly({"plane", "profiles", "extent", "operation"});
    Extrude extrude;
    const Node plane = node.at("plane");
    plane.allowOnly({"origin", "x_axis", "normal"});
    extrude.plane = {plane.at("origin").vec3(), plane.at("x_axis").vec3(),
                     plane.at("normal").vec3()};
    for (const Node& profileNode : node.at("profiles").elements()) {
        profileNode.allowOnly({"loops"});
        Profile profile;
        for (const Node& loopNode : profileNode.at("loops").elements()) {
            loopNode.allowOnly({"curves"});
            Loop loop;
            for (const Node& curveNode : loopNode.at("curves").elements())
                loop.curves.push_back(curveFrom(curveNode));
            profile.loops.push_back(std::move(loop));
        }
        extrude.profiles.push_back(std::move(profile));
    }
    extrude.extent = extentFrom(node.at("extent"));
    extrude.op = opFrom(node.at("operation"));
    return extrude;
}

/// Counts the curves of a program text in one streaming pass, so that a hostile file is
/// refused before a DOM of millions of nodes is built.
class CurveCounter : public nlohmann::json_sax<Json> {
public:
    std::size_t curves = 0;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool key(string_t& name) override {
        m_lastKey = name;
        return true;
    }
    bool start_object(std::size_t) override {
        if (!m_inCurves.empty() && m_inCurves.back()) ++curves;
        m_inCurves.push_back(false);
        return curves <= ProgramLimits::kMaxTotalCurves; // stop early: the caller reports it
    }
    bool end_object() override { return pop(); }
    bool start_array(std::size_t) override {
        m_inCurves.push_back(m_lastKey == "curves");
        return true;
    }
    bool end_array() override { return pop(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false; // the DOM parse reports syntax errors with their position
    }

private:
    bool pop() {
        if (!m_inCurves.empty()) m_inCurves.pop_back();
        return true;
    }
    std::vector<bool> m_inCurves; // per open container: is it a "curves" array?
    std::string m_lastKey;
};

} // namespace

std::string programToJson(const Program& program) {
    Json extrudes = Json::array();
    for (const Extrude& extrude : program.extrudes)
        extrudes.push_back(toJson(extrude));
    const Json root = {{"format", kProgramFormat},
                       {"version", kProgramFormatVersion},
                       {"units", "mm"},
                       {"name", program.name},
                       {"extrudes", std::move(extrudes)}};
    // nlohmann writes the shortest decimal that reads back to the same double: lossless.
    return root.dump(1, '\t') + "\n";
}

Program programFromJson(const std::string& text) {
    CurveCounter counter;
    Json::sax_parse(text, &counter, nlohmann::detail::input_format_t::json, false);
    if (counter.curves > ProgramLimits::kMaxTotalCurves)
        throw Error("program: more than " + std::to_string(ProgramLimits::kMaxTotalCurves) +
                    " curves; the limit is " + std::to_string(ProgramLimits::kMaxTotalCurves));
    Json root;
    try {
        root = Json::parse(text);
    } catch (const Json::exception& error) { // syntax errors, and numbers such as 1e999
        throw Error(std::string("not valid JSON: ") + error.what());
    }
    const Node node(root, "");
    node.allowOnly({"format", "version", "units", "name", "extrudes"});
    if (node.at("format").text() != kProgramFormat)
        node.at("format").fail(std::string("expected \"") + kProgramFormat + "\"");
    const int version = node.at("version").integer();
    if (version != kProgramFormatVersion)
        node.at("version").fail("version " + std::to_string(version) +
                                " is not supported (this build reads version " +
                                std::to_string(kProgramFormatVersion) + ")");
    if (node.at("units").text() != "mm") node.at("units").fail("only \"mm\" is supported");
    Program program;
    if (node.has("name")) program.name = node.at("name").text();
    const auto extrudes = node.at("extrudes").elements();
    if (extrudes.size() > ProgramLimits::kMaxExtrudes)
        node.at("extrudes")
            .fail("more than " + std::to_string(ProgramLimits::kMaxExtrudes) + " extrudes");
    for (const Node& extrude : extrudes)
        program.extrudes.push_back(extrudeFrom(extrude));
    return program;
}

void writeProgram(const Program& program, const std::filesystem::path& path) {
    writeFileAtomically(path, programToJson(program));
}

Program readProgram(const std::filesystem::path& path) {
    const std::string text = readTextFile(path);
    try {
        return programFromJson(text);
    } catch (const Error& error) {
        throw Error(path.string() + ": " + error.what());
    }
}

} // namespace img2cad::cad
