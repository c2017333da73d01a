// SPDX-License-Identifier: MIT
#include "cad/point_cloud_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/mesh_io.h"
#include "cad/text_file.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace img2cad::cad {
namespace fs = std::filesystem;
namespace {

std::string lowerExtension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

void checkAttributes(const PointCloud& cloud, const fs::path& path) {
    const std::size_t n = cloud.size();
    const auto fits = [n](std::size_t size) { return size == 0 || size == n; };
    if (!fits(cloud.normals.size()) || !fits(cloud.faceIndices.size()) ||
        !fits(cloud.primitives.size()))
        throw Error("cannot write '" + path.string() +
                    "': a per-point attribute does not have one value per point");
}

template <typename T> void appendBytes(std::string& out, T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T)); // x86-64 and AArch64 are little-endian, as written
    out.append(bytes, sizeof(T));
}

std::string plyBytes(const PointCloud& cloud) {
    const bool normals = !cloud.normals.empty();
    const bool faces = !cloud.faceIndices.empty();
    const bool primitives = !cloud.primitives.empty();
    std::ostringstream header;
    header << "ply\nformat binary_little_endian 1.0\ncomment written by Img2CADSeq Studio\n"
           << "element vertex " << cloud.size() << "\n"
           << "property float x\nproperty float y\nproperty float z\n";
    if (normals) header << "property float nx\nproperty float ny\nproperty float nz\n";
    if (faces) header << "property int face\n";
    if (primitives) header << "property uchar primitive\n";
    header << "end_header\n";
    std::string out = header.str();
    out.reserve(out.size() + cloud.size() * 29);
    for (std::size_t i = 0; i < cloud.size(); ++i) {
        for (float v : {cloud.positions[i].x, cloud.positions[i].y, cloud.positions[i].z})
            appendBytes(out, v);
        if (normals)
            for (float v : {cloud.normals[i].x, cloud.normals[i].y, cloud.normals[i].z})
                appendBytes(out, v);
        if (faces) appendBytes(out, std::int32_t(cloud.faceIndices[i]));
        if (primitives) appendBytes(out, std::uint8_t(cloud.primitives[i]));
    }
    return out;
}

std::string xyzText(const PointCloud& cloud) {
    std::string out;
    out.reserve(cloud.size() * 64);
    char line[160];
    for (std::size_t i = 0; i < cloud.size(); ++i) {
        const Vec3f& p = cloud.positions[i];
        // 9 significant digits print every float exactly.
        int n = std::snprintf(line, sizeof line, "%.9g %.9g %.9g", p.x, p.y, p.z);
        if (!cloud.normals.empty()) {
            const Vec3f& q = cloud.normals[i];
            n += std::snprintf(line + n, sizeof line - n, " %.9g %.9g %.9g", q.x, q.y, q.z);
        }
        out.append(line, std::size_t(n));
        out += '\n';
    }
    return out;
}

PointCloud readXyz(const fs::path& path) {
    const std::string text = readTextFile(path);
    PointCloud cloud;
    std::size_t lineNumber = 0;
    std::size_t columns = 0;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        ++lineNumber;
        std::replace(line.begin(), line.end(), ',', ' ');
        const std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        double values[6];
        std::size_t count = 0;
        const char* cursor = line.c_str();
        char* end = nullptr;
        while (count < 7) {
            const double v = std::strtod(cursor, &end);
            if (end == cursor) break;
            if (count < 6) values[count] = v;
            ++count;
            cursor = end;
        }
        const bool trailing = line.find_first_not_of(" \t\r", std::size_t(cursor - line.c_str())) != std::string::npos;
        const auto fail = [&](const std::string& why) {
            throw Error("'" + path.string() + "' line " + std::to_string(lineNumber) + ": " + why);
        };
        if (trailing || (count != 3 && count != 6))
            fail("expected 3 numbers (x y z) or 6 (x y z nx ny nz)");
        if (columns != 0 && count != columns) fail("the number of columns changes");
        columns = count;
        for (std::size_t i = 0; i < count; ++i)
            if (!std::isfinite(values[i])) fail("a number is not finite");
        cloud.positions.push_back({float(values[0]), float(values[1]), float(values[2])});
        if (count == 6) cloud.normals.push_back({float(values[3]), float(values[4]), float(values[5])});
    }
    return cloud;
}

/// Reads the vertex element of a PLY file (ascii or binary of either byte order). Other
/// elements (faces) are ignored: this is the point-cloud view of the file.
[[noreturn]] void failPly(const fs::path& path, const std::string& why) {
    throw Error("'" + path.string() + "' is not a readable PLY point cloud: " + why);
}

PointCloud readPlyVertices(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!std::getline(in, line) || line.rfind("ply", 0) != 0) failPly(path, "no 'ply' header");

    struct Property {
        std::string name;
        std::string type;
    };
    std::string format;
    std::vector<Property> properties;
    std::size_t vertexCount = 0;
    bool inVertex = false;
    bool vertexFirst = true;
    bool sawElement = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::istringstream words(line);
        std::string keyword;
        words >> keyword;
        if (keyword == "end_header") break;
        if (keyword == "format") words >> format;
        if (keyword == "element") {
            std::string name;
            long long count = -1;
            words >> name >> count;
            if (count < 0) failPly(path, "bad element line '" + line + "'");
            inVertex = name == "vertex";
            if (inVertex) {
                vertexFirst = !sawElement;
                vertexCount = std::size_t(count);
            }
            sawElement = true;
        }
        if (keyword == "property" && inVertex) {
            Property property;
            words >> property.type;
            if (property.type == "list") failPly(path, "list properties on vertices are not supported");
            words >> property.name;
            properties.push_back(property);
        }
    }
    if (!in) failPly(path, "the header never ends");
    if (!vertexFirst) failPly(path, "the vertex element must come first");
    if (vertexCount == 0) failPly(path, "no vertices");
    if (vertexCount > 500'000'000) failPly(path, "more than 500 million vertices");

    const auto sizeOf = [&](const std::string& type) -> std::size_t {
        if (type == "char" || type == "uchar" || type == "int8" || type == "uint8") return 1;
        if (type == "short" || type == "ushort" || type == "int16" || type == "uint16") return 2;
        if (type == "int" || type == "uint" || type == "float" || type == "int32" ||
            type == "uint32" || type == "float32")
            return 4;
        if (type == "double" || type == "float64") return 8;
        failPly(path, "unknown property type '" + type + "'");
    };
    const bool ascii = format == "ascii";
    const bool bigEndian = format == "binary_big_endian";
    if (!ascii && !bigEndian && format != "binary_little_endian") failPly(path, "unknown format '" + format + "'");

    const auto readBinary = [&](const std::string& type) -> double {
        unsigned char bytes[8];
        const std::size_t n = sizeOf(type);
        if (!in.read(reinterpret_cast<char*>(bytes), std::streamsize(n))) failPly(path, "the file is truncated");
        if (bigEndian) std::reverse(bytes, bytes + n);
        const auto as = [&bytes](auto value) {
            std::memcpy(&value, bytes, sizeof value);
            return double(value);
        };
        if (type == "char" || type == "int8") return as(std::int8_t());
        if (type == "uchar" || type == "uint8") return as(std::uint8_t());
        if (type == "short" || type == "int16") return as(std::int16_t());
        if (type == "ushort" || type == "uint16") return as(std::uint16_t());
        if (type == "int" || type == "int32") return as(std::int32_t());
        if (type == "uint" || type == "uint32") return as(std::uint32_t());
        if (type == "float" || type == "float32") return as(float());
        return as(double());
    };
    const auto indexOf = [&](const char* name) {
        for (std::size_t i = 0; i < properties.size(); ++i)
            if (properties[i].name == name) return int(i);
        return -1;
    };
    const int x = indexOf("x"), y = indexOf("y"), z = indexOf("z");
    if (x < 0 || y < 0 || z < 0) failPly(path, "vertices have no x, y, z");
    const int nx = indexOf("nx"), ny = indexOf("ny"), nz = indexOf("nz");
    const bool normals = nx >= 0 && ny >= 0 && nz >= 0;
    const int face = indexOf("face"), primitive = indexOf("primitive");

    PointCloud cloud;
    std::vector<double> values(properties.size());
    for (std::size_t v = 0; v < vertexCount; ++v) {
        for (std::size_t p = 0; p < properties.size(); ++p) {
            if (ascii) {
                if (!(in >> values[p])) failPly(path, "vertex " + std::to_string(v) + " is malformed or missing");
            } else {
                values[p] = readBinary(properties[p].type);
            }
        }
        if (!std::isfinite(values[x]) || !std::isfinite(values[y]) || !std::isfinite(values[z]))
            failPly(path, "vertex " + std::to_string(v) + " has a coordinate that is not finite");
        cloud.positions.push_back({float(values[x]), float(values[y]), float(values[z])});
        if (normals) cloud.normals.push_back({float(values[nx]), float(values[ny]), float(values[nz])});
        if (face >= 0) cloud.faceIndices.push_back(std::int32_t(values[face]));
        if (primitive >= 0) {
            const int label = int(values[primitive]);
            cloud.primitives.push_back(label >= 0 && label < kPrimitiveTypeCount
                                           ? PrimitiveType(label)
                                           : PrimitiveType::Other);
        }
    }
    return cloud;
}

} // namespace

bool isPointCloudExtension(const fs::path& path) {
    const std::string ext = lowerExtension(path);
    return ext == ".xyz" || ext == ".ply";
}

void writePointCloud(const PointCloud& cloud, const fs::path& path) {
    const std::string ext = lowerExtension(path);
    if (ext != ".ply" && ext != ".xyz")
        throw Error("cannot write '" + path.string() + "': unknown point-cloud type (expected .ply or .xyz)");
    if (cloud.empty()) throw Error("cannot write '" + path.string() + "': the point cloud is empty");
    checkAttributes(cloud, path);
    writeFileAtomically(path, ext == ".ply" ? plyBytes(cloud) : xyzText(cloud));
}

PointCloud readPointCloud(const fs::path& path) {
    requireReadableFile(path);
    const std::string ext = lowerExtension(path);
    PointCloud cloud;
    if (ext == ".xyz") {
        cloud = readXyz(path);
    } else if (ext == ".ply") {
        cloud = readPlyVertices(path);
    } else {
        const TriangleMesh mesh = readMesh(path);
        cloud.positions = mesh.positions;
        cloud.normals = mesh.normals;
    }
    if (cloud.empty()) throw Error("'" + path.string() + "' holds no points");
    return cloud;
}

} // namespace img2cad::cad
