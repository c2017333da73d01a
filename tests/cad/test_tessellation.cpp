// SPDX-License-Identifier: MIT
#include "occ_test_shapes.h"
#include "test_registry.h"

#include "cad/error.h"
#include "cad/tessellation.h"
#include "cad/topology.h"

#include <BRepPrimAPI_MakeCone.hxx>
#include <BRepPrimAPI_MakeCylinder.hxx>
#include <BRepPrimAPI_MakeSphere.hxx>
#include <BRepPrimAPI_MakeTorus.hxx>

#include <QTest>

#include <cmath>
#include <set>
#include <thread>

using namespace img2cad::cad;

namespace {

Vec3 triangleNormal(const TriangleMesh& mesh, std::size_t t) {
    const auto& [a, b, c] = mesh.triangles[t];
    const Vec3 pa = toVec3(mesh.positions[a]);
    return (toVec3(mesh.positions[b]) - pa).cross(toVec3(mesh.positions[c]) - pa);
}

double meshArea(const TriangleMesh& mesh) {
    double area = 0.0;
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
        area += 0.5 * triangleNormal(mesh, t).norm();
    return area;
}

std::set<PrimitiveType> primitiveSet(const TriangleMesh& mesh) {
    return {mesh.facePrimitives.begin(), mesh.facePrimitives.end()};
}

// Counts triangles and vertex normals of a convex part that do not face away from `centre`.
int inwardCount(const TriangleMesh& mesh, Vec3 centre) {
    int inward = 0;
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
        const auto& [a, b, c] = mesh.triangles[t];
        const Vec3 centroid =
            (toVec3(mesh.positions[a]) + toVec3(mesh.positions[b]) + toVec3(mesh.positions[c])) *
            (1.0 / 3.0);
        if (triangleNormal(mesh, t).dot(centroid - centre) <= 0.0) ++inward;
    }
    for (std::size_t v = 0; v < mesh.positions.size(); ++v)
        if (toVec3(mesh.normals[v]).dot(toVec3(mesh.positions[v]) - centre) <= 0.0) ++inward;
    return inward;
}

// Every triangle's winding agrees with its vertex normals (catches unflipped reversed faces).
bool windingMatchesNormals(const TriangleMesh& mesh) {
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
        Vec3 sum;
        for (std::uint32_t v : mesh.triangles[t])
            sum = sum + toVec3(mesh.normals[v]);
        if (triangleNormal(mesh, t).dot(sum) <= 0.0) return false;
    }
    return true;
}

bool normalsAreUnit(const TriangleMesh& mesh) {
    for (const Vec3f& n : mesh.normals)
        if (!(std::abs(toVec3(n).norm() - 1.0) < 1e-5)) return false;
    return true;
}

bool sameMesh(const TriangleMesh& a, const TriangleMesh& b) {
    const auto samePoints = [](const std::vector<Vec3f>& p, const std::vector<Vec3f>& q) {
        if (p.size() != q.size()) return false;
        for (std::size_t i = 0; i < p.size(); ++i)
            if (p[i].x != q[i].x || p[i].y != q[i].y || p[i].z != q[i].z) return false;
        return true;
    };
    if (a.featureEdges.size() != b.featureEdges.size()) return false;
    for (std::size_t e = 0; e < a.featureEdges.size(); ++e)
        if (!samePoints(a.featureEdges[e], b.featureEdges[e])) return false;
    return samePoints(a.positions, b.positions) && samePoints(a.normals, b.normals) &&
           a.triangles == b.triangles && a.triangleFaces == b.triangleFaces &&
           a.facePrimitives == b.facePrimitives;
}

} // namespace

class TestTessellation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unitBoxHasTwelveOutwardTriangles();
    void cylinderAreaMatchesExactArea();
    void curvedPrimitivesAreLabelled();
    void holeWallNormalsPointIntoTheHole();
    void meshBoundsEqualTheShapeBox();
    void deflectionIsRelativeToPartSize();
    void concurrentTessellationOfOneShapeAgrees();
    void nullShapeThrows();
};

void TestTessellation::unitBoxHasTwelveOutwardTriangles() {
    const TriangleMesh mesh = tessellate(wrapOcc(img2cad::test::makeOccBox(1, 1, 1)));
    QCOMPARE(mesh.triangles.size(), std::size_t(12));
    QCOMPARE(mesh.triangleFaces.size(), std::size_t(12));
    QCOMPARE(mesh.normals.size(), mesh.positions.size());
    QCOMPARE(mesh.facePrimitives.size(), std::size_t(6));
    for (PrimitiveType type : mesh.facePrimitives)
        QCOMPARE(type, PrimitiveType::Plane);
    std::vector<int> trianglesPerFace(6, 0);
    for (std::int32_t face : mesh.triangleFaces) {
        QVERIFY(face >= 0 && face < 6);
        ++trianglesPerFace[static_cast<std::size_t>(face)];
    }
    for (int count : trianglesPerFace)
        QCOMPARE(count, 2);
    QCOMPARE(inwardCount(mesh, {0.5, 0.5, 0.5}), 0);
    QVERIFY(normalsAreUnit(mesh));
    QCOMPARE(mesh.featureEdges.size(), std::size_t(12));
    for (const auto& edge : mesh.featureEdges)
        QCOMPARE(edge.size(), std::size_t(2));
}

void TestTessellation::cylinderAreaMatchesExactArea() {
    const double r = 3.0, h = 5.0;
    const TriangleMesh mesh = tessellate(wrapOcc(BRepPrimAPI_MakeCylinder(r, h).Shape()));
    const double exact = 2.0 * M_PI * r * h + 2.0 * M_PI * r * r;
    QVERIFY2(std::abs(meshArea(mesh) - exact) / exact < 0.005,
             qPrintable(QString("mesh %1 exact %2").arg(meshArea(mesh)).arg(exact)));
    QCOMPARE(primitiveSet(mesh),
             (std::set<PrimitiveType>{PrimitiveType::Plane, PrimitiveType::Cylinder}));
    QCOMPARE(inwardCount(mesh, {0, 0, h / 2}), 0);
    QVERIFY(windingMatchesNormals(mesh));
    QVERIFY(normalsAreUnit(mesh));
    // Two circles and the seam.
    QCOMPARE(mesh.featureEdges.size(), std::size_t(3));
}

void TestTessellation::curvedPrimitivesAreLabelled() {
    const TriangleMesh sphere = tessellate(wrapOcc(BRepPrimAPI_MakeSphere(2.0).Shape()));
    QCOMPARE(primitiveSet(sphere), std::set<PrimitiveType>{PrimitiveType::Sphere});
    QCOMPARE(inwardCount(sphere, {0, 0, 0}), 0);
    for (std::size_t v = 0; v < sphere.positions.size(); ++v) {
        const Vec3 p = toVec3(sphere.positions[v]);
        QVERIFY(toVec3(sphere.normals[v]).dot(p.normalized()) > 0.9999);
    }

    // The apex has no surface normal: the triangle-normal fallback must still give unit ones.
    const TriangleMesh cone = tessellate(wrapOcc(BRepPrimAPI_MakeCone(1.0, 0.0, 2.0).Shape()));
    QCOMPARE(primitiveSet(cone),
             (std::set<PrimitiveType>{PrimitiveType::Plane, PrimitiveType::Cone}));
    QVERIFY(normalsAreUnit(cone));
    QVERIFY(windingMatchesNormals(cone));
    QCOMPARE(inwardCount(cone, {0, 0, 0.5}), 0);

    const TriangleMesh torus = tessellate(wrapOcc(BRepPrimAPI_MakeTorus(3.0, 1.0).Shape()));
    QCOMPARE(primitiveSet(torus), std::set<PrimitiveType>{PrimitiveType::Torus});
    QVERIFY(normalsAreUnit(torus));
    QVERIFY(windingMatchesNormals(torus));
}

void TestTessellation::holeWallNormalsPointIntoTheHole() {
    const TriangleMesh mesh = tessellate(wrapOcc(img2cad::test::makeOccBoxWithHole(10.0, 2.0)));
    QVERIFY(windingMatchesNormals(mesh));
    QVERIFY(normalsAreUnit(mesh));
    int wallVertices = 0;
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
        const auto face = static_cast<std::size_t>(mesh.triangleFaces[t]);
        if (mesh.facePrimitives[face] != PrimitiveType::Cylinder) continue;
        for (std::uint32_t v : mesh.triangles[t]) {
            const Vec3 p = toVec3(mesh.positions[v]);
            const Vec3 towardAxis{5.0 - p.x, 5.0 - p.y, 0.0};
            QVERIFY(toVec3(mesh.normals[v]).dot(towardAxis) > 0.0);
            ++wallVertices;
        }
    }
    QVERIFY(wallVertices > 0);
}

void TestTessellation::meshBoundsEqualTheShapeBox() {
    const Shape box = wrapOcc(BRepPrimAPI_MakeBox(gp_Pnt(1, 2, 3), 2, 3, 4).Shape());
    const BoundingBox bounds = tessellate(box).bounds();
    const BoundingBox exact = analyse(box).bbox;
    QVERIFY((bounds.min - exact.min).norm() < 1e-6);
    QVERIFY((bounds.max - exact.max).norm() < 1e-6);

    // Curved: the mesh stays inside the exact box and within the deflection of its sides.
    const Shape cylinder = wrapOcc(BRepPrimAPI_MakeCylinder(2.0, 3.0).Shape());
    const BoundingBox meshBox = tessellate(cylinder).bounds();
    const BoundingBox cylinderBox = analyse(cylinder).bbox;
    const double deflection = TessellationOptions{}.linearDeflection * 4.0 + 1e-6;
    for (const auto& [m, e] :
         {std::pair{meshBox.min, cylinderBox.min}, std::pair{meshBox.max, cylinderBox.max}}) {
        QVERIFY(std::abs(m.x - e.x) <= deflection);
        QVERIFY(std::abs(m.y - e.y) <= deflection);
        QVERIFY(std::abs(m.z - e.z) <= deflection);
    }
}

void TestTessellation::deflectionIsRelativeToPartSize() {
    const auto trianglesFor = [](double radius) {
        return tessellate(wrapOcc(BRepPrimAPI_MakeSphere(radius).Shape())).triangles.size();
    };
    const double small = static_cast<double>(trianglesFor(1.0));
    const double large = static_cast<double>(trianglesFor(100.0));
    QVERIFY2(std::abs(small - large) / small < 0.1,
             qPrintable(QString("%1 vs %2 triangles").arg(small).arg(large)));

    TessellationOptions absolute;
    absolute.relativeToPartSize = false;
    absolute.linearDeflection = 0.5;
    absolute.angularDeflection = 1.0;
    const auto coarse =
        tessellate(wrapOcc(BRepPrimAPI_MakeSphere(100.0).Shape()), absolute).triangles.size();
    QVERIFY(static_cast<double>(coarse) < large);
}

void TestTessellation::concurrentTessellationOfOneShapeAgrees() {
    const Shape shape = wrapOcc(img2cad::test::makeOccBoxWithHole(10.0, 2.0));
    const TriangleMesh reference = tessellate(shape);
    TriangleMesh first;
    TriangleMesh second;
    std::thread a([&] { first = tessellate(shape); });
    std::thread b([&] { second = tessellate(shape); });
    a.join();
    b.join();
    QVERIFY(!reference.empty());
    QVERIFY(sameMesh(reference, first));
    QVERIFY(sameMesh(reference, second));
}

void TestTessellation::nullShapeThrows() {
    QVERIFY_THROWS_EXCEPTION(Error, tessellate(Shape{}));
    QVERIFY_THROWS_EXCEPTION(Error, tessellate(wrapOcc(TopoDS_Shape{})));
    TessellationOptions bad;
    bad.linearDeflection = 0.0;
    QVERIFY_THROWS_EXCEPTION(Error, tessellate(wrapOcc(img2cad::test::makeOccBox(1, 1, 1)), bad));
}

IMG2CAD_REGISTER_TEST(TestTessellation)
#include "test_tessellation.moc"
