// SPDX-License-Identifier: MIT
#include "cad/point_cloud_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/internal/file_names.h"
#include "cad/internal/ply_reader.h"
#include "cad/mesh_io.h"
#include "cad/text_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace img2cad::cad {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// XYZ text point clouds

std::string_view trim(std::string_view text) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

/// Splits a line into numbers; false if a token is not a number.
/// Commas are accepted as separators because spreadsheets and some scanners write them.
/// from_chars parses straight into float, so a written float reads back bit for bit and the
/// C locale (a decimal comma in some) does not matter.
bool parseNumbers(std::string_view line, std::vector<float>& numbers) {
    numbers.clear();
    std::size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == ','))
            ++pos;
        if (pos >= line.size()) break;
        std::size_t end = pos;
        while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != ',')
            ++end;
        // from_chars rejects a leading '+', which some tools write.
        const std::size_t start = line[pos] == '+' ? pos + 1 : pos;
        float value = 0.0f;
        const auto result = std::from_chars(line.data() + start, line.data() + end, value);
        if (result.ec != std::errc() || result.ptr != line.data() + end) return false;
        numbers.push_back(value);
        pos = end;
    }
    return true;
}

PointCloud readXyz(const fs::path& path) {
    const std::string text = readTextFile(path);
    PointCloud cloud;
    std::vector<float> numbers;
    bool withNormals = false;
    std::size_t lineNumber = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        start = end + 1;
        ++lineNumber;
        if (const std::size_t hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;

        const std::string where = quoted(path) + " line " + std::to_string(lineNumber);
        if (!parseNumbers(line, numbers))
            throw Error("cannot read " + where + ": '" + std::string(line) +
                        "' is not a list of numbers");
        if (numbers.size() != 3 && numbers.size() != 6)
            throw Error("cannot read " + where +
                        ": expected 3 numbers (x y z) or 6 (x y z nx ny "
                        "nz), found " +
                        std::to_string(numbers.size()));
        // Normals are all-or-nothing, like every attribute of PointCloud.
        if (cloud.empty())
            withNormals = numbers.size() == 6;
        else if (withNormals != (numbers.size() == 6))
            throw Error("cannot read " + where + ": " + std::to_string(numbers.size()) +
                        " numbers, but earlier lines have " + (withNormals ? "6" : "3"));
        for (float value : numbers)
            if (!std::isfinite(value))
                throw Error("cannot read " + where + ": the values must be finite numbers");
        cloud.positions.push_back({numbers[0], numbers[1], numbers[2]});
        if (withNormals) cloud.normals.push_back({numbers[3], numbers[4], numbers[5]});
    }
    return cloud;
}

void appendNumber(std::string& out, float value) {
    // Shortest text that reads back as the same float, independent of the C locale.
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, result.ptr);
}

void appendVector(std::string& out, const Vec3f& v) {
    appendNumber(out, v.x);
    out += ' ';
    appendNumber(out, v.y);
    out += ' ';
    appendNumber(out, v.z);
}

std::string xyzText(const PointCloud& cloud) {
    std::string out = "# x y z" + std::string(cloud.normals.empty() ? "" : " nx ny nz") + "\n";
    out.reserve(out.size() + cloud.size() * (cloud.normals.empty() ? 40 : 80));
    for (std::size_t i = 0; i < cloud.size(); ++i) {
        appendVector(out, cloud.positions[i]);
        if (!cloud.normals.empty()) {
            out += ' ';
            appendVector(out, cloud.normals[i]);
        }
        out += '\n';
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// PLY point clouds: our labelled binary writer and a reader of the vertex element of any PLY
// (ASCII or binary). Assimp drops the per-point labels, hence the own reader.

enum class PlyType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 };

struct PlyProperty {
    std::string name;
    PlyType type = PlyType::Float32;
    bool isList = false;
    PlyType countType = PlyType::UInt8;
};

struct PlyElement {
    std::string name;
    std::size_t count = 0;
    std::vector<PlyProperty> properties;
};

enum class PlyFormat { Ascii, BinaryLittleEndian, BinaryBigEndian };

struct PlyHeader {
    PlyFormat format = PlyFormat::Ascii;
    std::vector<PlyElement> elements;
    std::size_t bodyOffset = 0;
};

bool plyTypeFromName(const std::string& name, PlyType& type) {
    static const std::pair<const char*, PlyType> kNames[] = {
        {"char", PlyType::Int8},      {"int8", PlyType::Int8},       {"uchar", PlyType::UInt8},
        {"uint8", PlyType::UInt8},    {"short", PlyType::Int16},     {"int16", PlyType::Int16},
        {"ushort", PlyType::UInt16},  {"uint16", PlyType::UInt16},   {"int", PlyType::Int32},
        {"int32", PlyType::Int32},    {"uint", PlyType::UInt32},     {"uint32", PlyType::UInt32},
        {"float", PlyType::Float32},  {"float32", PlyType::Float32}, {"double", PlyType::Float64},
        {"float64", PlyType::Float64}};
    for (const auto& [typeName, value] : kNames)
        if (name == typeName) {
            type = value;
            return true;
        }
    return false;
}

std::size_t plyTypeSize(PlyType type) {
    switch (type) {
    case PlyType::Int8:
    case PlyType::UInt8:
        return 1;
    case PlyType::Int16:
    case PlyType::UInt16:
        return 2;
    case PlyType::Int32:
    case PlyType::UInt32:
    case PlyType::Float32:
        return 4;
    case PlyType::Float64:
        return 8;
    }
    return 0;
}

PlyHeader parsePlyHeader(const std::string& bytes, const fs::path& path) {
    const std::string prefix = "cannot read " + quoted(path) + ": ";
    PlyHeader header;
    std::size_t pos = 0;
    bool sawFormat = false;
    int lineNumber = 0;
    while (true) {
        const std::size_t end = bytes.find('\n', pos);
        if (end == std::string::npos) throw Error(prefix + "the PLY header has no end_header");
        std::string line(trim(std::string_view(bytes).substr(pos, end - pos)));
        pos = end + 1;
        ++lineNumber;
        std::istringstream words(line);
        std::string keyword;
        words >> keyword;
        const std::string where = "PLY header line " + std::to_string(lineNumber);
        if (lineNumber == 1) {
            if (keyword != "ply") throw Error(prefix + "not a PLY file");
            continue;
        }
        if (keyword.empty() || keyword == "comment" || keyword == "obj_info") continue;
        if (keyword == "end_header") break;
        if (keyword == "format") {
            std::string format;
            words >> format;
            if (format == "ascii")
                header.format = PlyFormat::Ascii;
            else if (format == "binary_little_endian")
                header.format = PlyFormat::BinaryLittleEndian;
            else if (format == "binary_big_endian")
                header.format = PlyFormat::BinaryBigEndian;
            else
                throw Error(prefix + where + ": unknown format '" + format + "'");
            sawFormat = true;
        } else if (keyword == "element") {
            PlyElement element;
            long long count = -1;
            words >> element.name >> count;
            if (!words || count < 0) throw Error(prefix + where + ": malformed element line");
            element.count = static_cast<std::size_t>(count);
            header.elements.push_back(std::move(element));
        } else if (keyword == "property") {
            if (header.elements.empty())
                throw Error(prefix + where + ": a property before any element");
            PlyProperty property;
            std::string typeName;
            words >> typeName;
            if (typeName == "list") {
                std::string countName, itemName;
                words >> countName >> itemName;
                property.isList = true;
                if (!plyTypeFromName(countName, property.countType) ||
                    !plyTypeFromName(itemName, property.type))
                    throw Error(prefix + where + ": unknown list type");
            } else if (!plyTypeFromName(typeName, property.type)) {
                throw Error(prefix + where + ": unknown property type '" + typeName + "'");
            }
            words >> property.name;
            if (!words) throw Error(prefix + where + ": malformed property line");
            header.elements.back().properties.push_back(std::move(property));
        } else {
            throw Error(prefix + where + ": unexpected '" + keyword + "'");
        }
    }
    if (!sawFormat) throw Error(prefix + "the PLY header has no format line");
    header.bodyOffset = pos;
    return header;
}

/// Reads scalar values from a PLY body, ASCII or binary, as double.
class PlyValueReader {
public:
    PlyValueReader(const std::string& bytes, std::size_t offset, PlyFormat format)
        : m_bytes(bytes), m_pos(offset), m_format(format) {}

    /// False at the end of the data.
    bool read(PlyType type, double& value) {
        return m_format == PlyFormat::Ascii ? readAscii(value) : readBinary(type, value);
    }

private:
    bool readAscii(double& value) {
        while (m_pos < m_bytes.size() && std::isspace(static_cast<unsigned char>(m_bytes[m_pos])))
            ++m_pos;
        std::size_t end = m_pos;
        while (end < m_bytes.size() && !std::isspace(static_cast<unsigned char>(m_bytes[end])))
            ++end;
        if (end == m_pos) return false;
        const auto result = std::from_chars(m_bytes.data() + m_pos, m_bytes.data() + end, value);
        if (result.ec != std::errc() || result.ptr != m_bytes.data() + end) return false;
        m_pos = end;
        return true;
    }

    bool readBinary(PlyType type, double& value) {
        const std::size_t size = plyTypeSize(type);
        if (m_pos + size > m_bytes.size()) return false;
        unsigned char raw[8];
        std::memcpy(raw, m_bytes.data() + m_pos, size);
        m_pos += size;
        if (m_format == PlyFormat::BinaryBigEndian) std::reverse(raw, raw + size);
        value = decodeLittleEndian(type, raw);
        return true;
    }

    static double decodeLittleEndian(PlyType type, const unsigned char* raw) {
        // NOTE: assumes a little-endian host (x86-64 and ARM64 Linux).
        switch (type) {
        case PlyType::Int8:
            return static_cast<double>(static_cast<std::int8_t>(raw[0]));
        case PlyType::UInt8:
            return raw[0];
        case PlyType::Int16:
            return load<std::int16_t>(raw);
        case PlyType::UInt16:
            return load<std::uint16_t>(raw);
        case PlyType::Int32:
            return load<std::int32_t>(raw);
        case PlyType::UInt32:
            return load<std::uint32_t>(raw);
        case PlyType::Float32:
            return load<float>(raw);
        case PlyType::Float64:
            return load<double>(raw);
        }
        return 0.0;
    }

    template <typename T> static double load(const unsigned char* raw) {
        T value;
        std::memcpy(&value, raw, sizeof(T));
        return static_cast<double>(value);
    }

    const std::string& m_bytes;
    std::size_t m_pos;
    PlyFormat m_format;
};

} // namespace

/// The vertex element of any PLY and, with `withFaces`, its faces as triangle fans (the face
/// element's vertex_indices or vertex_index list). Every index is checked against the vertices.
PlyContents readPly(const fs::path& path, bool withFaces) {
    const std::string bytes = readTextFile(path);
    const std::string prefix = "cannot read " + quoted(path) + ": ";
    const PlyHeader header = parsePlyHeader(bytes, path);
    PlyValueReader reader(bytes, header.bodyOffset, header.format);

    PlyContents contents;
    PointCloud& cloud = contents.cloud;
    // Elements are stored one after the other in header order, so anything before the
    // vertices has to be read through (list lengths included) to find where they start.
    for (const PlyElement& element : header.elements) {
        const bool isVertex = element.name == "vertex";
        const bool isFace = withFaces && element.name == "face";
        std::vector<std::uint32_t> polygon;
        // Column of each property we keep: 0-2 position, 3-5 normal, 6 face, 7 primitive.
        std::vector<int> columns(element.properties.size(), -1);
        std::array<bool, 8> present{};
        if (isVertex) {
            static const char* kNames[] = {"x", "y", "z", "nx", "ny", "nz", "face", "primitive"};
            for (std::size_t p = 0; p < element.properties.size(); ++p)
                for (int c = 0; c < 8; ++c)
                    if (!element.properties[p].isList && element.properties[p].name == kNames[c]) {
                        columns[p] = c;
                        present[c] = true;
                    }
            if (!present[0] || !present[1] || !present[2])
                throw Error(prefix + "the PLY vertices have no x, y and z");
        }
        const bool withNormals = present[3] && present[4] && present[5];
        std::array<double, 8> values{};
        for (std::size_t item = 0; item < element.count; ++item) {
            for (std::size_t p = 0; p < element.properties.size(); ++p) {
                const PlyProperty& property = element.properties[p];
                double value = 0.0;
                if (property.isList) {
                    double count = 0.0;
                    if (!reader.read(property.countType, count) || count < 0)
                        throw Error(prefix + "the PLY data is truncated or malformed in " +
                                    element.name + " " + std::to_string(item));
                    const bool indices = isFace && (property.name == "vertex_indices" ||
                                                    property.name == "vertex_index");
                    polygon.clear();
                    for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
                        if (!reader.read(property.type, value))
                            throw Error(prefix + "the PLY data is truncated or malformed in " +
                                        element.name + " " + std::to_string(item));
                        if (!indices) continue;
                        if (!(value >= 0.0 && value < 4294967295.0))
                            throw Error(prefix + "face " + std::to_string(item) +
                                        " has a vertex index out of range");
                        polygon.push_back(static_cast<std::uint32_t>(value));
                    }
                    for (std::size_t k = 2; k < polygon.size(); ++k)
                        contents.triangles.push_back({polygon[0], polygon[k - 1], polygon[k]});
                    continue;
                }
                if (!reader.read(property.type, value))
                    throw Error(prefix + "the PLY data is truncated or malformed in " +
                                element.name + " " + std::to_string(item) + " of " +
                                std::to_string(element.count));
                if (columns[p] >= 0) values[static_cast<std::size_t>(columns[p])] = value;
            }
            if (!isVertex) continue;
            const Vec3f position{static_cast<float>(values[0]), static_cast<float>(values[1]),
                                 static_cast<float>(values[2])};
            if (!position.isFinite())
                throw Error(prefix + "vertex " + std::to_string(item) + " is not a finite point");
            cloud.positions.push_back(position);
            if (withNormals)
                cloud.normals.push_back({static_cast<float>(values[3]),
                                         static_cast<float>(values[4]),
                                         static_cast<float>(values[5])});
            if (present[6]) cloud.faceIndices.push_back(static_cast<std::int32_t>(values[6]));
            // A label out of range would make every later per-class count wrong, so it is an
            // error rather than a silent "Other".
            if (present[7]) {
                if (values[7] < 0 || values[7] >= kPrimitiveTypeCount)
                    throw Error(prefix + "vertex " + std::to_string(item) +
                                " has an unknown primitive type " + std::to_string(values[7]));
                cloud.primitives.push_back(static_cast<PrimitiveType>(values[7]));
            }
        }
        // Elements after the vertices (faces, edges) hold nothing a point cloud needs.
        if (isVertex && !withFaces) break;
    }
    for (const auto& triangle : contents.triangles)
        for (std::uint32_t index : triangle)
            if (index >= cloud.positions.size())
                throw Error(prefix + "a face refers to vertex " + std::to_string(index) + " of " +
                            std::to_string(cloud.positions.size()));
    return contents;
}

namespace {

template <typename T> void appendBinary(std::string& out, const T& value) {
    // NOTE: PLY "binary_little_endian" is the host order on x86-64 and ARM64 Linux.
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.append(raw, sizeof(T));
}

void appendBinary(std::string& out, const Vec3f& v) {
    appendBinary(out, v.x);
    appendBinary(out, v.y);
    appendBinary(out, v.z);
}

/// Binary little-endian PLY with float coordinates: compact, exact for our float data, and
/// read by every point-cloud tool (CloudCompare, MeshLab, Open3D) as well as by Assimp.
std::string plyBytes(const PointCloud& cloud) {
    const bool withNormals = !cloud.normals.empty();
    const bool withFaces = !cloud.faceIndices.empty();
    const bool withPrimitives = !cloud.primitives.empty();
    std::string out = "ply\nformat binary_little_endian 1.0\ncomment Img2CADSeq point cloud\n";
    out += "element vertex " + std::to_string(cloud.size()) + "\n";
    out += "property float x\nproperty float y\nproperty float z\n";
    if (withNormals) out += "property float nx\nproperty float ny\nproperty float nz\n";
    if (withFaces) out += "property int face\n";
    if (withPrimitives) out += "property uchar primitive\n";
    out += "end_header\n";
    for (std::size_t i = 0; i < cloud.size(); ++i) {
        appendBinary(out, cloud.positions[i]);
        if (withNormals) appendBinary(out, cloud.normals[i]);
        if (withFaces) appendBinary(out, cloud.faceIndices[i]);
        if (withPrimitives) appendBinary(out, static_cast<std::uint8_t>(cloud.primitives[i]));
    }
    return out;
}

void validateCloud(const PointCloud& cloud, const fs::path& path) {
    const std::string prefix = "cannot write " + quoted(path) + ": ";
    if (cloud.empty()) throw Error(prefix + "the point cloud is empty");
    const auto checkSize = [&](std::size_t size, const char* what) {
        if (size != 0 && size != cloud.size())
            throw Error(prefix + "the point cloud has " + std::to_string(size) + " " + what +
                        " for " + std::to_string(cloud.size()) + " points");
    };
    checkSize(cloud.normals.size(), "normals");
    checkSize(cloud.faceIndices.size(), "face indices");
    checkSize(cloud.primitives.size(), "primitive labels");
    for (std::size_t i = 0; i < cloud.size(); ++i)
        if (!cloud.positions[i].isFinite())
            throw Error(prefix + "point " + std::to_string(i) + " is not a finite point");
}

} // namespace

void writePointCloud(const PointCloud& cloud, const fs::path& path) {
    const std::string ext = lowerExtension(path);
    if (ext != ".ply" && ext != ".xyz")
        throw Error("cannot write " + quoted(path) +
                    ": unknown point cloud file type (expected .ply or .xyz)");
    validateCloud(cloud, path);
    writeFileAtomically(path, ext == ".ply" ? plyBytes(cloud) : xyzText(cloud));
}

PointCloud readPointCloud(const fs::path& path) {
    requireReadableFile(path);
    const std::string ext = lowerExtension(path);
    if (!isPointCloudExtension(path))
        throw Error("cannot read " + quoted(path) +
                    ": unknown point cloud file type (expected .xyz, .ply, .stl, .obj, .off, "
                    ".gltf or .glb)");
    if (fs::file_size(path) == 0)
        throw Error("cannot read " + quoted(path) + ": the file is empty");
    PointCloud cloud;
    if (ext == ".xyz") {
        cloud = readXyz(path);
    } else if (ext == ".ply") {
        // Our own reader keeps the per-point face and primitive labels Assimp drops.
        cloud = readPly(path, false).cloud;
    } else {
        TriangleMesh mesh = readMesh(path);
        cloud.positions = std::move(mesh.positions);
        cloud.normals = std::move(mesh.normals);
    }
    if (cloud.empty()) throw Error("cannot read " + quoted(path) + ": the file holds no points");
    return cloud;
}

bool isPointCloudExtension(const fs::path& path) {
    return lowerExtension(path) == ".xyz" || isMeshExtension(path);
}

} // namespace img2cad::cad
