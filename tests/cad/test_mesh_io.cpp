// SPDX-License-Identifier: MIT
#include "file_test_helpers.h"
#include "test_paths.h"
#include "test_registry.h"

#include "cad/error.h"
#include "cad/mesh_io.h"
#include "cad/part_file.h"
#include "cad/point_cloud_io.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using img2cad::cad::BoundingBox;
using img2cad::cad::Error;
using img2cad::cad::PointCloud;
using img2cad::cad::PrimitiveType;
using img2cad::cad::TriangleMesh;
using img2cad::cad::Vec3f;

using namespace img2cad::test;

namespace {

/// A 2 x 3 x 4 mm box off the origin, 24 vertices (4 per side) with outward side normals.
TriangleMesh cubeMesh(bool withNormals = true) {
    TriangleMesh mesh;
    const float lo[3] = {1.0f, -2.0f, 0.5f};
    const float hi[3] = {3.0f, 1.0f, 4.5f};
    for (int axis = 0; axis < 3; ++axis) {
        for (int side = 0; side < 2; ++side) {
            const int u = (axis + 1) % 3;
            const int v = (axis + 2) % 3;
            const auto base = static_cast<std::uint32_t>(mesh.positions.size());
            const float corners[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            for (const auto& corner : corners) {
                float p[3];
                p[axis] = side ? hi[axis] : lo[axis];
                p[u] = corner[0] ? hi[u] : lo[u];
                p[v] = corner[1] ? hi[v] : lo[v];
                mesh.positions.push_back({p[0], p[1], p[2]});
                float n[3] = {0, 0, 0};
                n[axis] = side ? 1.0f : -1.0f;
                if (withNormals) mesh.normals.push_back({n[0], n[1], n[2]});
            }
            // (u, v, axis) is right-handed, so this winding faces +axis; flip it for -axis.
            if (side) {
                mesh.triangles.push_back({base, base + 1, base + 2});
                mesh.triangles.push_back({base, base + 2, base + 3});
            } else {
                mesh.triangles.push_back({base, base + 2, base + 1});
                mesh.triangles.push_back({base, base + 3, base + 2});
            }
        }
    }
    return mesh;
}

PointCloud labelledCloud() {
    PointCloud cloud;
    const float awkward[] = {0.1f,  -1e-7f, 123456.789f, -3.3333333f, 1.17549435e-38f,
                             42.0f, 7.125f};
    const int count = static_cast<int>(std::size(awkward));
    for (int i = 0; i < count; ++i) {
        cloud.positions.push_back({awkward[i], awkward[(i + 1) % count], awkward[(i + 3) % count]});
        const float len = std::sqrt(1.0f + float(i * i) + 4.0f);
        cloud.normals.push_back({1.0f / len, float(i) / len, -2.0f / len});
        cloud.faceIndices.push_back(i * 3 - 1);
        cloud.primitives.push_back(
            static_cast<PrimitiveType>(i % img2cad::cad::kPrimitiveTypeCount));
    }
    return cloud;
}

bool sameBounds(const BoundingBox& a, const BoundingBox& b, double tolerance) {
    const auto near = [tolerance](double x, double y) { return std::abs(x - y) <= tolerance; };
    return near(a.min.x, b.min.x) && near(a.min.y, b.min.y) && near(a.min.z, b.min.z) &&
           near(a.max.x, b.max.x) && near(a.max.y, b.max.y) && near(a.max.z, b.max.z);
}

bool samePoints(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](const Vec3f& p, const Vec3f& q) {
               return p.x == q.x && p.y == q.y && p.z == q.z;
           });
}

} // namespace

class TestMeshIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void roundTripsMeshes_data();
    void roundTripsMeshes();
    void readsMeshPlyAsPointCloud();
    void readsOff();
    void readsFacelessPlyAsMeshWithoutTriangles();
    void roundTripsXyz();
    void readsXyzWithCommentsAndBlankLines();
    void rejectsMalformedXyz_data();
    void rejectsMalformedXyz();
    void roundTripsLabelledPly();
    void roundTripsPlainPly();
    void readsAsciiPlyPointCloud();
    void readsPointCloudFromMesh();
    void rejectsEmptyAndInconsistentInput();
    void rejectsUnknownExtensionsAndBadFiles();
    void survivesFuzzedPartFiles();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_folder;
};

void TestMeshIo::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_folder = fs::path(m_dir->path().toStdString());
}

void TestMeshIo::roundTripsMeshes_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("withNormals");
    for (const char* name : {"cube.stl", "cube.obj", "cube.ply", "cube.glb", "CUBE.STL"}) {
        QTest::addRow("%s with normals", name) << QString(name) << true;
        QTest::addRow("%s without normals", name) << QString(name) << false;
    }
}

void TestMeshIo::roundTripsMeshes() {
    QFETCH(QString, name);
    QFETCH(bool, withNormals);
    const TriangleMesh original = cubeMesh(withNormals);
    const fs::path path = m_folder / name.toStdString();
    QVERIFY(img2cad::cad::isMeshExtension(path));
    img2cad::cad::writeMesh(original, path);
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{name.toStdString()});

    const TriangleMesh read = img2cad::cad::readMesh(path);
    QCOMPARE(read.triangles.size(), original.triangles.size());
    QVERIFY(sameBounds(read.bounds(), original.bounds(), 1e-5));
    QVERIFY(read.normals.empty() || read.normals.size() == read.positions.size());
    for (const auto& triangle : read.triangles)
        for (std::uint32_t index : triangle)
            QVERIFY(index < read.positions.size());
    // Every format but STL stores our per-vertex normals.
    if (withNormals && !name.endsWith("stl", Qt::CaseInsensitive)) {
        QCOMPARE(read.normals.size(), read.positions.size());
        for (const Vec3f& n : read.normals)
            QVERIFY(std::abs(std::abs(n.x) + std::abs(n.y) + std::abs(n.z) - 1.0f) < 1e-5f);
    }
}

void TestMeshIo::readsMeshPlyAsPointCloud() {
    const TriangleMesh original = cubeMesh();
    const fs::path path = m_folder / "cube.ply";
    img2cad::cad::writeMesh(original, path);
    const PointCloud cloud = img2cad::cad::readPointCloud(path);
    QCOMPARE(cloud.size(), original.positions.size());
    QVERIFY(samePoints(cloud.positions, original.positions));
    QVERIFY(samePoints(cloud.normals, original.normals));
}

void TestMeshIo::readsOff() {
    const fs::path path = m_folder / "box.off";
    writeText(path, "OFF\n"
                    "# a unit box made of quads\n"
                    "8 6 0\n"
                    "0 0 0\n1 0 0\n1 1 0\n0 1 0\n"
                    "0 0 2\n1 0 2\n1 1 2\n0 1 2\n"
                    "4 0 3 2 1\n4 4 5 6 7\n4 0 1 5 4\n"
                    "4 1 2 6 5\n4 2 3 7 6\n4 3 0 4 7\n");
    const TriangleMesh mesh = img2cad::cad::readMesh(path);
    QCOMPARE(mesh.triangles.size(), std::size_t(12));
    BoundingBox expected;
    expected.add({0, 0, 0});
    expected.add({1, 1, 2});
    QVERIFY(sameBounds(mesh.bounds(), expected, 1e-6));
}

void TestMeshIo::readsFacelessPlyAsMeshWithoutTriangles() {
    const PointCloud cloud = labelledCloud();
    const fs::path path = m_folder / "points.ply";
    img2cad::cad::writePointCloud(cloud, path);
    const TriangleMesh mesh = img2cad::cad::readMesh(path);
    QVERIFY(mesh.triangles.empty());
    QCOMPARE(mesh.positions.size(), cloud.size());
    QVERIFY(sameBounds(mesh.bounds(), cloud.bounds(), 0.0));
    QCOMPARE(mesh.normals.size(), cloud.size());
}

void TestMeshIo::roundTripsXyz() {
    PointCloud cloud = labelledCloud();
    cloud.faceIndices.clear();
    cloud.primitives.clear();
    const fs::path path = m_folder / "points.xyz";
    QVERIFY(img2cad::cad::isPointCloudExtension(path));
    img2cad::cad::writePointCloud(cloud, path);
    PointCloud read = img2cad::cad::readPointCloud(path);
    QVERIFY(samePoints(read.positions, cloud.positions));
    QVERIFY(samePoints(read.normals, cloud.normals));
    QVERIFY(read.faceIndices.empty() && read.primitives.empty());

    cloud.normals.clear();
    img2cad::cad::writePointCloud(cloud, m_folder / "plain.XYZ");
    read = img2cad::cad::readPointCloud(m_folder / "plain.XYZ");
    QVERIFY(samePoints(read.positions, cloud.positions));
    QVERIFY(read.normals.empty());
}

void TestMeshIo::readsXyzWithCommentsAndBlankLines() {
    const fs::path path = m_folder / "hand.xyz";
    writeText(path, "# exported by hand\n"
                    "\n"
                    "1 2 3   0 0 1\n"
                    "  -4.5e1\t+5 6 0 1 0  # trailing comment\r\n"
                    "7,8,9,1,0,0\n");
    const PointCloud cloud = img2cad::cad::readPointCloud(path);
    QCOMPARE(cloud.size(), std::size_t(3));
    QCOMPARE(cloud.positions[1].x, -45.0f);
    QCOMPARE(cloud.positions[1].y, 5.0f);
    QCOMPARE(cloud.positions[2].z, 9.0f);
    QCOMPARE(cloud.normals.size(), std::size_t(3));
    QCOMPARE(cloud.normals[1].y, 1.0f);
}

void TestMeshIo::rejectsMalformedXyz_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("word") << "1 2 3\n# ok\n1 2 abc\n"
                          << "line 3";
    QTest::newRow("four numbers") << "1 2 3\n1 2 3 4\n"
                                  << "line 2";
    QTest::newRow("nan") << "1 2 3\n\n\nnan 1 2\n"
                         << "line 4";
    QTest::newRow("inf") << "1 2 inf\n"
                         << "line 1";
    QTest::newRow("overflow") << "1 2 1e60\n"
                              << "line 1";
    QTest::newRow("mixed normals") << "1 2 3 0 0 1\n1 2 3\n"
                                   << "line 2";
    QTest::newRow("comments only") << "# nothing here\n\n"
                                   << "no points";
}

void TestMeshIo::rejectsMalformedXyz() {
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const fs::path path = m_folder / "bad.xyz";
    writeText(path, text.toStdString());
    const std::string message = errorOf([&] { img2cad::cad::readPointCloud(path); });
    QVERIFY2(contains(message, expected.toStdString()) && contains(message, "bad.xyz"),
             message.c_str());
}

void TestMeshIo::roundTripsLabelledPly() {
    const PointCloud cloud = labelledCloud();
    const fs::path path = m_folder / "labelled.PLY";
    img2cad::cad::writePointCloud(cloud, path);
    const PointCloud read = img2cad::cad::readPointCloud(path);
    QVERIFY(samePoints(read.positions, cloud.positions));
    QVERIFY(samePoints(read.normals, cloud.normals));
    QCOMPARE(read.faceIndices, cloud.faceIndices);
    QVERIFY(read.primitives == cloud.primitives);
}

void TestMeshIo::roundTripsPlainPly() {
    PointCloud cloud = labelledCloud();
    cloud.normals.clear();
    cloud.faceIndices.clear();
    const fs::path path = m_folder / "plain.ply";
    img2cad::cad::writePointCloud(cloud, path);
    const PointCloud read = img2cad::cad::readPointCloud(path);
    QVERIFY(samePoints(read.positions, cloud.positions));
    QVERIFY(read.normals.empty() && read.faceIndices.empty());
    QVERIFY(read.primitives == cloud.primitives);
}

void TestMeshIo::readsAsciiPlyPointCloud() {
    // Elements before the vertices (with list properties) must be skipped correctly.
    const fs::path path = m_folder / "ascii.ply";
    writeText(path, "ply\r\nformat ascii 1.0\r\ncomment hand made\r\n"
                    "element camera 1\r\nproperty list uchar float view\r\nproperty int id\r\n"
                    "element vertex 2\r\nproperty double x\r\nproperty double y\r\n"
                    "property double z\r\nproperty uchar red\r\nend_header\r\n"
                    "3 0.5 0.5 0.5 7\r\n1.5 2 -3 255\r\n4 5 6 0\r\n");
    const PointCloud cloud = img2cad::cad::readPointCloud(path);
    QCOMPARE(cloud.size(), std::size_t(2));
    QCOMPARE(cloud.positions[0].x, 1.5f);
    QCOMPARE(cloud.positions[1].z, 6.0f);
    QVERIFY(cloud.normals.empty());
}

void TestMeshIo::readsPointCloudFromMesh() {
    const TriangleMesh mesh = cubeMesh(false);
    const fs::path path = m_folder / "cube.obj";
    img2cad::cad::writeMesh(mesh, path);
    const PointCloud cloud = img2cad::cad::readPointCloud(path);
    QVERIFY(!cloud.empty());
    QVERIFY(sameBounds(cloud.bounds(), mesh.bounds(), 1e-5));
}

void TestMeshIo::rejectsEmptyAndInconsistentInput() {
    std::string message =
        errorOf([&] { img2cad::cad::writeMesh(TriangleMesh(), m_folder / "empty.stl"); });
    QVERIFY2(contains(message, "empty") && contains(message, "empty.stl"), message.c_str());

    TriangleMesh noTriangles = cubeMesh();
    noTriangles.triangles.clear();
    message = errorOf([&] { img2cad::cad::writeMesh(noTriangles, m_folder / "empty.glb"); });
    QVERIFY2(contains(message, "empty"), message.c_str());

    TriangleMesh badIndex = cubeMesh();
    badIndex.triangles[3][1] = 999;
    message = errorOf([&] { img2cad::cad::writeMesh(badIndex, m_folder / "bad.obj"); });
    QVERIFY2(contains(message, "triangle 3"), message.c_str());

    TriangleMesh badNormals = cubeMesh();
    badNormals.normals.pop_back();
    message = errorOf([&] { img2cad::cad::writeMesh(badNormals, m_folder / "bad.ply"); });
    QVERIFY2(contains(message, "normals"), message.c_str());

    message = errorOf([&] { img2cad::cad::writePointCloud(PointCloud(), m_folder / "e.ply"); });
    QVERIFY2(contains(message, "empty"), message.c_str());
    message = errorOf([&] { img2cad::cad::writePointCloud(PointCloud(), m_folder / "e.xyz"); });
    QVERIFY2(contains(message, "empty"), message.c_str());

    PointCloud badLabels = labelledCloud();
    badLabels.primitives.pop_back();
    message = errorOf([&] { img2cad::cad::writePointCloud(badLabels, m_folder / "l.ply"); });
    QVERIFY2(contains(message, "primitive"), message.c_str());

    PointCloud nan = labelledCloud();
    nan.positions[2].y = std::numeric_limits<float>::quiet_NaN();
    message = errorOf([&] { img2cad::cad::writePointCloud(nan, m_folder / "n.xyz"); });
    QVERIFY2(contains(message, "point 2"), message.c_str());

    QVERIFY(folderEntries(m_folder).empty());
}

void TestMeshIo::rejectsUnknownExtensionsAndBadFiles() {
    std::string message =
        errorOf([&] { img2cad::cad::writeMesh(cubeMesh(), m_folder / "cube.off"); });
    QVERIFY2(contains(message, "unknown mesh file type"), message.c_str());
    message = errorOf([&] { img2cad::cad::writePointCloud(labelledCloud(), m_folder / "p.pcd"); });
    QVERIFY2(contains(message, "unknown point cloud file type"), message.c_str());
    QVERIFY(folderEntries(m_folder).empty());

    message = errorOf([&] { img2cad::cad::readMesh(m_folder / "missing.stl"); });
    QVERIFY2(contains(message, "no such file"), message.c_str());
    message = errorOf([&] { img2cad::cad::readPointCloud(m_folder / "missing.xyz"); });
    QVERIFY2(contains(message, "no such file"), message.c_str());
    message = errorOf([&] { img2cad::cad::readMesh(m_folder); });
    QVERIFY2(contains(message, "is a folder"), message.c_str());

    writeText(m_folder / "hello.stl", "hello");
    message = errorOf([&] { img2cad::cad::readMesh(m_folder / "hello.stl"); });
    QVERIFY2(contains(message, "hello.stl"), message.c_str());
    writeText(m_folder / "hello.obj", "");
    message = errorOf([&] { img2cad::cad::readMesh(m_folder / "hello.obj"); });
    QVERIFY2(contains(message, "empty"), message.c_str());
    writeText(m_folder / "hello.ply", "hello\n");
    message = errorOf([&] { img2cad::cad::readPointCloud(m_folder / "hello.ply"); });
    QVERIFY2(contains(message, "not a PLY file"), message.c_str());

    // A binary PLY cut short must not read past its end.
    img2cad::cad::writePointCloud(labelledCloud(), m_folder / "whole.ply");
    std::ifstream in(m_folder / "whole.ply", std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    writeText(m_folder / "cut.ply", bytes.substr(0, bytes.size() - 5));
    message = errorOf([&] { img2cad::cad::readPointCloud(m_folder / "cut.ply"); });
    QVERIFY2(contains(message, "truncated"), message.c_str());

    // Another format's bytes under a glTF name are refused before Assimp guesses the format.
    writeText(m_folder / "mesh.glb", bytes);
    message = errorOf([&] { img2cad::cad::readMesh(m_folder / "mesh.glb"); });
    QVERIFY2(contains(message, "not a binary glTF file"), message.c_str());
    writeText(m_folder / "mesh.gltf", "\n  solid cube\nendsolid cube\n");
    message = errorOf([&] { img2cad::cad::readMesh(m_folder / "mesh.gltf"); });
    QVERIFY2(contains(message, "not a glTF file"), message.c_str());

    QVERIFY(!img2cad::cad::isMeshExtension(m_folder / "a.step"));
    QVERIFY(!img2cad::cad::isPointCloudExtension(m_folder / "a.step"));
}

// Inputs fuzz/fuzz_part_file once crashed on (each file's first byte chose the extension, as
// in the harness), replayed here too so that the suite guards them where clang is absent: each
// reads or fails with a cad::Error naming the file, and never takes the process down.
void TestMeshIo::survivesFuzzedPartFiles() {
    static const char* kExtensions[] = {".step", ".brep", ".stl", ".obj",  ".ply",
                                        ".off",  ".glb",  ".xyz", ".json", ".stp"};
    const std::filesystem::path folder =
        std::filesystem::path(IMG2CAD_SOURCE_DIR) / "fuzz/regressions/fuzz_part_file";
    int replayed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
        QVERIFY(bytes.size() > 1);
        const std::filesystem::path path =
            m_folder / ("fuzzed" + std::string(kExtensions[std::uint8_t(bytes[0]) % 10]));
        writeText(path, bytes.substr(1));
        try {
            img2cad::cad::readPartFile(path);
        } catch (const img2cad::cad::Error& e) {
            QVERIFY2(contains(e.what(), path.filename().string()), e.what());
        }
        ++replayed;
    }
    QVERIFY(replayed >= 2);
}

IMG2CAD_REGISTER_TEST(TestMeshIo)
#include "test_mesh_io.moc"
