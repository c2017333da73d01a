// SPDX-License-Identifier: MIT
#include "occ_test_shapes.h"
#include "program_fixtures.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/normalization.h"
#include "cad/tessellation.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>

using namespace img2cad::cad;

namespace {

BoundingBox boxOf(Vec3 min, Vec3 max) {
    BoundingBox box;
    box.add(min);
    box.add(max);
    return box;
}

double distance(Vec3f a, Vec3f b) {
    return std::sqrt(double(a.x - b.x) * (a.x - b.x) + double(a.y - b.y) * (a.y - b.y) +
                     double(a.z - b.z) * (a.z - b.z));
}

} // namespace

class TestNormalization : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void longestSideBecomesOneAndCentred();
    void roundTripsPoints();
    void roundTripsClouds();
    void mapsMeshesAndFeatureEdges();
    void mapsProgramsToTheMappedSolid();
    void rejectsEmptyAndDegenerateBoxes();
};

void TestNormalization::longestSideBecomesOneAndCentred() {
    const BoundingBox box = boxOf({-1, 2, 3}, {3, 4, 5});
    const Normalization n = Normalization::toUnitCube(box);
    QCOMPARE(n.scale, 0.25);
    QVERIFY(n.center == (Vec3{1, 3, 4}));
    const Vec3 min = n.apply(box.min);
    const Vec3 max = n.apply(box.max);
    QVERIFY((min - Vec3{-0.5, -0.25, -0.25}).norm() < 1e-12);
    QVERIFY((max - Vec3{0.5, 0.25, 0.25}).norm() < 1e-12);
    QVERIFY((min + max).norm() < 1e-12);

    // A flat part (one zero side) is fine: only a zero longest side is degenerate.
    QCOMPARE(Normalization::toUnitCube(boxOf({0, 0, 0}, {2, 1, 0})).scale, 0.5);
}

void TestNormalization::roundTripsPoints() {
    const Normalization n = Normalization::toUnitCube(boxOf({-120, 5, 0.5}, {80, 40, 33}));
    for (const Vec3 p : {Vec3{-120, 5, 0.5}, Vec3{80, 40, 33}, Vec3{1.25, -7.5, 1e3}, Vec3{0, 0, 0},
                         Vec3{-33.3, 12.7, 19.1}}) {
        QVERIFY((n.invert(n.apply(p)) - p).norm() < 1e-9);
        QVERIFY((n.apply(n.invert(p)) - p).norm() < 1e-9);
    }
}

void TestNormalization::roundTripsClouds() {
    PointCloud cloud;
    cloud.positions = {{-3.5f, 1.0f, 2.0f}, {4.0f, -2.25f, 0.5f}, {0.1f, 0.2f, 0.3f}};
    cloud.normals = {{1, 0, 0}, {0, 0.6f, 0.8f}, {0, 0, -1}};
    cloud.faceIndices = {0, 1, 2};
    cloud.primitives = {PrimitiveType::Plane, PrimitiveType::Cylinder, PrimitiveType::Other};
    const Normalization n = Normalization::toUnitCube(cloud.bounds());

    const PointCloud unit = n.apply(cloud);
    const BoundingBox bounds = unit.bounds();
    QVERIFY(std::abs(bounds.largestSide() - 1.0) < 1e-6);
    QVERIFY(bounds.center().norm() < 1e-6);
    const PointCloud own = inOwnUnitCube(cloud); // the shorthand: the same frame
    for (std::size_t i = 0; i < cloud.size(); ++i)
        QVERIFY(distance(own.positions[i], unit.positions[i]) == 0.0);
    const PointCloud back = n.invert(unit);
    QCOMPARE(back.size(), cloud.size());
    for (std::size_t i = 0; i < cloud.size(); ++i) {
        QVERIFY(distance(back.positions[i], cloud.positions[i]) < 1e-5);
        // Uniform scaling keeps normals as they are.
        QVERIFY(distance(unit.normals[i], cloud.normals[i]) == 0.0);
    }
    QCOMPARE(unit.faceIndices, cloud.faceIndices);
    QCOMPARE(unit.primitives, cloud.primitives);
}

void TestNormalization::mapsMeshesAndFeatureEdges() {
    const TriangleMesh mesh =
        tessellate(wrapOcc(BRepPrimAPI_MakeBox(gp_Pnt(10, 20, 30), 4, 8, 2).Shape()));
    const Normalization n = Normalization::toUnitCube(mesh.bounds());
    const TriangleMesh unit = n.apply(mesh);
    const BoundingBox bounds = unit.bounds();
    QVERIFY((bounds.min - Vec3{-0.25, -0.5, -0.125}).norm() < 1e-6);
    QVERIFY((bounds.max - Vec3{0.25, 0.5, 0.125}).norm() < 1e-6);
    QCOMPARE(unit.triangles, mesh.triangles);
    QCOMPARE(unit.normals.size(), mesh.normals.size());
    QCOMPARE(unit.featureEdges.size(), mesh.featureEdges.size());
    for (std::size_t e = 0; e < mesh.featureEdges.size(); ++e)
        for (std::size_t i = 0; i < mesh.featureEdges[e].size(); ++i) {
            const Vec3f p = mesh.featureEdges[e][i];
            const Vec3 expected = n.apply(Vec3{p.x, p.y, p.z});
            const Vec3f q = unit.featureEdges[e][i];
            QVERIFY((Vec3{q.x, q.y, q.z} - expected).norm() < 1e-6);
        }
}

void TestNormalization::mapsProgramsToTheMappedSolid() {
    // Lines, arcs, circles, a side sketch plane, symmetric and two-sided extents.
    for (std::uint64_t seed : {1, 2, 3}) {
        Program program = img2cad::test::randomPart(seed);
        program.extrudes.front().extent = {ExtentType::TwoSided, 6.0, 2.0};
        program.extrudes.push_back(
            img2cad::test::extrudeOf({img2cad::test::slotLoop(0, 0, 10, 3)}, 4.0, BooleanOp::Join,
                                     SketchPlane{{5, 5, -3}, {0, 1, 0}, {1, 0, 0}}));
        program.extrudes.back().extent = {ExtentType::Symmetric, 4.0, 0.0};
        const ShapeReport before = analyse(compile(program));
        const Normalization n = Normalization::toUnitCube(before.bbox);
        const ShapeReport unit = analyse(compile(n.apply(program)));
        // The unit-cube solid: the same solid scaled, so its box is centred with side 1.
        QVERIFY(std::abs(unit.bbox.largestSide() - 1.0) < 1e-6);
        QVERIFY(unit.bbox.center().norm() < 1e-6);
        QVERIFY(std::abs(unit.volume - before.volume * std::pow(n.scale, 3)) < 1e-6 * unit.volume);
        QCOMPARE(unit.faces, before.faces);
        // And back.
        const ShapeReport back = analyse(compile(n.invert(n.apply(program))));
        QVERIFY(std::abs(back.volume - before.volume) < 1e-6 * before.volume);
        QVERIFY((back.bbox.center() - before.bbox.center()).norm() < 1e-6);
    }
}

void TestNormalization::rejectsEmptyAndDegenerateBoxes() {
    QVERIFY_THROWS_EXCEPTION(Error, Normalization::toUnitCube(BoundingBox{}));
    QVERIFY_THROWS_EXCEPTION(Error, Normalization::toUnitCube(boxOf({1, 2, 3}, {1, 2, 3})));
    QVERIFY_THROWS_EXCEPTION(Error, Normalization::toUnitCube(boxOf({0, 0, 0}, {INFINITY, 1, 1})));
    QVERIFY_THROWS_EXCEPTION(Error, Normalization::toUnitCube(PointCloud{}.bounds()));
}

IMG2CAD_REGISTER_TEST(TestNormalization)
#include "test_normalization.moc"
