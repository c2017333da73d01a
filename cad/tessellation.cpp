// SPDX-License-Identifier: MIT
#include "cad/tessellation.h"

#include "cad/error.h"
#include "cad/internal/occ_guard.h"
#include "cad/internal/occ_shape.h"

#include <BRepAdaptor_Curve.hxx>
#include <BRepAdaptor_Surface.hxx>
#include <BRepBndLib.hxx>
#include <BRepBuilderAPI_Copy.hxx>
#include <BRepLProp_SLProps.hxx>
#include <BRepMesh_IncrementalMesh.hxx>
#include <BRep_Tool.hxx>
#include <Bnd_Box.hxx>
#include <GCPnts_TangentialDeflection.hxx>
#include <Poly_PolygonOnTriangulation.hxx>
#include <Poly_Triangulation.hxx>
#include <Precision.hxx>
#include <TopExp.hxx>
#include <TopTools_IndexedDataMapOfShapeListOfShape.hxx>
#include <TopTools_IndexedMapOfShape.hxx>
#include <TopTools_ListOfShape.hxx>
#include <TopoDS.hxx>
#include <TopoDS_Edge.hxx>
#include <TopoDS_Face.hxx>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace img2cad::cad {
namespace {

Vec3f toVec3f(const gp_XYZ& p) {
    return {static_cast<float>(p.X()), static_cast<float>(p.Y()), static_cast<float>(p.Z())};
}

PrimitiveType primitiveOf(const BRepAdaptor_Surface& surface) {
    switch (surface.GetType()) {
    case GeomAbs_Plane:
        return PrimitiveType::Plane;
    case GeomAbs_Cylinder:
        return PrimitiveType::Cylinder;
    case GeomAbs_Cone:
        return PrimitiveType::Cone;
    case GeomAbs_Sphere:
        return PrimitiveType::Sphere;
    case GeomAbs_Torus:
        return PrimitiveType::Torus;
    default:
        return PrimitiveType::Other;
    }
}

double linearDeflectionFor(const TopoDS_Shape& shape, const TessellationOptions& options) {
    if (!(options.linearDeflection > 0.0) || !std::isfinite(options.linearDeflection) ||
        !(options.angularDeflection > 0.0) || !std::isfinite(options.angularDeflection))
        throw Error("Tessellation needs positive, finite linear and angular deflections");
    if (!options.relativeToPartSize) return options.linearDeflection;

    Bnd_Box box;
    BRepBndLib::Add(shape, box, false);
    if (box.IsVoid()) throw Error("Cannot tessellate a shape without geometry");
    double xMin = 0, yMin = 0, zMin = 0, xMax = 0, yMax = 0, zMax = 0;
    box.Get(xMin, yMin, zMin, xMax, yMax, zMax);
    const double largestSide = std::fmax(xMax - xMin, std::fmax(yMax - yMin, zMax - zMin));
    if (!(largestSide > 0.0) || !std::isfinite(largestSide))
        throw Error("Cannot tessellate a shape of zero or infinite size");
    return options.linearDeflection * largestSide;
}

// Appends one face's triangulation. Returns false when the face has no triangulation.
bool appendFace(const TopoDS_Face& face, std::int32_t faceIndex, TriangleMesh& mesh) {
    TopLoc_Location location;
    const Handle(Poly_Triangulation)& triangulation = BRep_Tool::Triangulation(face, location);
    if (triangulation.IsNull() || triangulation->NbTriangles() == 0) return false;

    const gp_Trsf transform = location.Transformation();
    const bool reversed = face.Orientation() == TopAbs_REVERSED;
    const auto first = static_cast<std::uint32_t>(mesh.positions.size());
    const int nodeCount = triangulation->NbNodes();

    std::vector<gp_XYZ> nodes(static_cast<std::size_t>(nodeCount));
    for (int i = 1; i <= nodeCount; ++i)
        nodes[static_cast<std::size_t>(i - 1)] =
            triangulation->Node(i).Transformed(transform).XYZ();

    // Exact surface normals; BRepAdaptor_Surface already applies the face's location.
    const BRepAdaptor_Surface surface(face, false);
    std::vector<gp_XYZ> normals(static_cast<std::size_t>(nodeCount), gp_XYZ(0, 0, 0));
    std::vector<bool> hasNormal(static_cast<std::size_t>(nodeCount), false);
    if (triangulation->HasUVNodes()) {
        BRepLProp_SLProps props(surface, 1, Precision::Confusion());
        for (int i = 1; i <= nodeCount; ++i) {
            const gp_Pnt2d uv = triangulation->UVNode(i);
            props.SetParameters(uv.X(), uv.Y());
            if (!props.IsNormalDefined()) continue;
            gp_XYZ n = props.Normal().XYZ();
            if (reversed) n.Reverse();
            normals[static_cast<std::size_t>(i - 1)] = n;
            hasNormal[static_cast<std::size_t>(i - 1)] = true;
        }
    }

    // Poly_Triangulation follows the surface's natural orientation: flip reversed faces so
    // that every triangle is counter-clockwise seen from outside.
    std::vector<gp_XYZ> fallback(static_cast<std::size_t>(nodeCount), gp_XYZ(0, 0, 0));
    for (int t = 1; t <= triangulation->NbTriangles(); ++t) {
        int n1 = 0, n2 = 0, n3 = 0;
        triangulation->Triangle(t).Get(n1, n2, n3);
        if (reversed) std::swap(n2, n3);
        const auto a = static_cast<std::size_t>(n1 - 1);
        const auto b = static_cast<std::size_t>(n2 - 1);
        const auto c = static_cast<std::size_t>(n3 - 1);
        // Area-weighted triangle normal, used where the surface normal is undefined (cone apex).
        const gp_XYZ areaNormal = (nodes[b] - nodes[a]).Crossed(nodes[c] - nodes[a]);
        // BRepMesh joins the coincident nodes of a degenerated edge (a sphere's pole) into
        // zero-area triangles: they carry no surface and have no normal, so leave them out.
        if (areaNormal.SquareModulus() == 0.0) continue;
        fallback[a] += areaNormal;
        fallback[b] += areaNormal;
        fallback[c] += areaNormal;
        mesh.triangles.push_back({first + static_cast<std::uint32_t>(a),
                                  first + static_cast<std::uint32_t>(b),
                                  first + static_cast<std::uint32_t>(c)});
        mesh.triangleFaces.push_back(faceIndex);
    }

    for (std::size_t i = 0; i < nodes.size(); ++i) {
        gp_XYZ n = hasNormal[i] ? normals[i] : fallback[i];
        const double length = n.Modulus();
        n = length > 0.0 ? n / length : gp_XYZ(0, 0, 1);
        mesh.positions.push_back(toVec3f(nodes[i]));
        mesh.normals.push_back(toVec3f(n));
    }
    return true;
}

std::vector<Vec3f> edgePolyline(const TopoDS_Edge& edge, const TopTools_ListOfShape& faces,
                                double linearDeflection, double angularDeflection) {
    std::vector<Vec3f> polyline;
    for (TopTools_ListOfShape::Iterator it(faces); it.More(); it.Next()) {
        TopLoc_Location location;
        const Handle(Poly_Triangulation)& triangulation =
            BRep_Tool::Triangulation(TopoDS::Face(it.Value()), location);
        if (triangulation.IsNull()) continue;
        const Handle(Poly_PolygonOnTriangulation)& polygon =
            BRep_Tool::PolygonOnTriangulation(edge, triangulation, location);
        if (polygon.IsNull()) continue;
        const gp_Trsf transform = location.Transformation();
        for (int i = 1; i <= polygon->NbNodes(); ++i)
            polyline.push_back(
                toVec3f(triangulation->Node(polygon->Node(i)).Transformed(transform).XYZ()));
        return polyline;
    }

    // Edges outside any meshed face (free wires, failed faces): discretise the curve itself.
    const BRepAdaptor_Curve curve(edge);
    const GCPnts_TangentialDeflection points(curve, angularDeflection, linearDeflection);
    for (int i = 1; i <= points.NbPoints(); ++i)
        polyline.push_back(toVec3f(points.Value(i).XYZ()));
    return polyline;
}

TriangleMesh tessellateOcc(const TopoDS_Shape& original, const TessellationOptions& options,
                           double deflectionFactor) {
    // NOTE: BRepMesh stores its triangulation in the shape's faces, i.e. it writes to the
    // TShapes that every copy of a cad::Shape shares. Meshing a private deep copy keeps the
    // Shape immutable, makes concurrent tessellate() calls on one Shape safe, and stops an
    // older, coarser triangulation from being reused.
    const TopoDS_Shape shape = BRepBuilderAPI_Copy(original, true, false).Shape();
    const double linearDeflection = linearDeflectionFor(shape, options) * deflectionFactor;

    const BRepMesh_IncrementalMesh mesher(shape, linearDeflection, false, options.angularDeflection,
                                          false);
    if (!mesher.IsDone()) throw Error("Tessellation failed: the mesher did not finish");

    TopTools_IndexedMapOfShape faces;
    TopExp::MapShapes(shape, TopAbs_FACE, faces);
    TriangleMesh mesh;
    mesh.facePrimitives.reserve(static_cast<std::size_t>(faces.Extent()));
    int firstUnmeshed = -1;
    for (int i = 1; i <= faces.Extent(); ++i) {
        const TopoDS_Face& face = TopoDS::Face(faces(i));
        mesh.facePrimitives.push_back(primitiveOf(BRepAdaptor_Surface(face, false)));
        if (!appendFace(face, i - 1, mesh) && firstUnmeshed < 0) firstUnmeshed = i - 1;
    }
    // A face left without triangles would silently vanish from renders and samples.
    if (faces.Extent() > 0 && mesh.triangles.empty())
        throw Error("Tessellation failed: no face could be meshed (is the shape valid?)");
    if (firstUnmeshed >= 0)
        throw Error("Tessellation failed: face " + std::to_string(firstUnmeshed) +
                    " could not be meshed (is the shape valid?)");

    TopTools_IndexedDataMapOfShapeListOfShape edgeFaces;
    TopExp::MapShapesAndAncestors(shape, TopAbs_EDGE, TopAbs_FACE, edgeFaces);
    for (int i = 1; i <= edgeFaces.Extent(); ++i) {
        const TopoDS_Edge& edge = TopoDS::Edge(edgeFaces.FindKey(i));
        if (BRep_Tool::Degenerated(edge)) continue;
        std::vector<Vec3f> polyline =
            edgePolyline(edge, edgeFaces(i), linearDeflection, options.angularDeflection);
        if (polyline.size() >= 2) mesh.featureEdges.push_back(std::move(polyline));
    }
    return mesh;
}

} // namespace

TriangleMesh tessellate(const Shape& shape, const TessellationOptions& options) {
    if (unwrapOcc(shape).IsNull()) throw Error("Cannot tessellate an empty shape");
    // BRepMesh can fail on a slightly broken face at one deflection and succeed at a nearby
    // one (seen on a B-spline face of a Fusion 360 export): retry a few nearby deflections,
    // finer first, before reporting the face.
    constexpr double kRetryFactors[] = {1.0, 0.75, 1.5, 3.0};
    for (std::size_t attempt = 0;; ++attempt) {
        try {
            return guardOcc("Tessellation", [&] {
                return tessellateOcc(unwrapOcc(shape), options, kRetryFactors[attempt]);
            });
        } catch (const Error&) {
            if (attempt + 1 == std::size(kRetryFactors)) throw;
        }
    }
}

} // namespace img2cad::cad
