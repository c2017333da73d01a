// SPDX-License-Identifier: MIT
#include "cad/topology.h"

#include "cad/error.h"
#include "cad/internal/occ_guard.h"
#include "cad/internal/occ_shape.h"

#include <BRepBndLib.hxx>
#include <BRepCheck.hxx>
#include <BRepCheck_Analyzer.hxx>
#include <BRepCheck_ListOfStatus.hxx>
#include <BRepCheck_Result.hxx>
#include <BRepGProp.hxx>
#include <BRep_Tool.hxx>
#include <Bnd_Box.hxx>
#include <GProp_GProps.hxx>
#include <Standard_NoSuchObject.hxx>
#include <TopExp.hxx>
#include <TopTools_IndexedDataMapOfShapeListOfShape.hxx>
#include <TopTools_IndexedMapOfShape.hxx>
#include <TopoDS.hxx>

#include <array>
#include <sstream>
#include <string>
#include <vector>

namespace img2cad::cad {
namespace {

// Sub-shape maps per type; their 0-based indices (map index - 1) name shapes in messages, the
// same numbering as TriangleMesh::triangleFaces for faces.
struct SubShapes {
    std::array<TopTools_IndexedMapOfShape, TopAbs_SHAPE> byType;

    explicit SubShapes(const TopoDS_Shape& shape) {
        for (int type = TopAbs_COMPOUND; type < TopAbs_SHAPE; ++type)
            TopExp::MapShapes(shape, static_cast<TopAbs_ShapeEnum>(type), byType[type]);
    }
    int count(TopAbs_ShapeEnum type) const { return byType[type].Extent(); }
};

const char* typeName(TopAbs_ShapeEnum type) {
    switch (type) {
    case TopAbs_COMPOUND:
        return "compound";
    case TopAbs_COMPSOLID:
        return "compsolid";
    case TopAbs_SOLID:
        return "solid";
    case TopAbs_SHELL:
        return "shell";
    case TopAbs_FACE:
        return "face";
    case TopAbs_WIRE:
        return "wire";
    case TopAbs_EDGE:
        return "edge";
    case TopAbs_VERTEX:
        return "vertex";
    case TopAbs_SHAPE:
        break;
    }
    return "shape";
}

std::string describeShape(const SubShapes& subShapes, const TopoDS_Shape& shape) {
    const int index = subShapes.byType[shape.ShapeType()].FindIndex(shape);
    std::string text = typeName(shape.ShapeType());
    if (index > 0) text += " " + std::to_string(index - 1);
    return text;
}

std::string statusName(BRepCheck_Status status) {
    std::ostringstream text;
    BRepCheck::Print(status, text);
    std::string name = text.str();
    while (!name.empty() && (name.back() == '\n' || name.back() == ' '))
        name.pop_back();
    return name;
}

// First status in the list that is not NoError, or NoError.
BRepCheck_Status firstProblem(const BRepCheck_ListOfStatus& statuses) {
    for (BRepCheck_ListOfStatus::Iterator it(statuses); it.More(); it.Next())
        if (it.Value() != BRepCheck_NoError) return it.Value();
    return BRepCheck_NoError;
}

// Walks from vertices up to the whole shape, since a low-level defect (a bad edge) is usually
// the cause of the ones reported above it (an open wire, an unclosed shell).
std::string firstInvalidReason(const BRepCheck_Analyzer& analyzer, const TopoDS_Shape& shape,
                               const SubShapes& subShapes) {
    for (int type = TopAbs_VERTEX; type >= TopAbs_COMPOUND; --type) {
        const TopTools_IndexedMapOfShape& map = subShapes.byType[type];
        for (int i = 1; i <= map.Extent(); ++i) {
            Handle(BRepCheck_Result) result;
            try {
                result = analyzer.Result(map(i));
            } catch (const Standard_NoSuchObject&) {
                continue; // BRepCheck did not visit this sub-shape
            }
            if (result.IsNull()) continue;
            const BRepCheck_Status own = firstProblem(result->Status());
            if (own != BRepCheck_NoError)
                return describeShape(subShapes, map(i)) + ": " + statusName(own);
            for (result->InitContextIterator(); result->MoreShapeInContext();
                 result->NextShapeInContext()) {
                const BRepCheck_Status inContext = firstProblem(result->StatusOnShape());
                if (inContext != BRepCheck_NoError)
                    return describeShape(subShapes, map(i)) + " in " +
                           describeShape(subShapes, result->ContextualShape()) + ": " +
                           statusName(inContext);
            }
        }
    }
    return "BRepCheck rejected the " + std::string(typeName(shape.ShapeType())) +
           " without naming a sub-shape";
}

// An edge is free when fewer than two distinct faces bound it; a seam (the same edge twice on
// one closed face, e.g. a cylinder's) is shared, and degenerated edges (a cone apex) bound
// nothing.
void countFreeEdges(const TopoDS_Shape& shape, const SubShapes& subShapes, ShapeReport& report) {
    TopTools_IndexedDataMapOfShapeListOfShape edgeFaces;
    TopExp::MapShapesAndUniqueAncestors(shape, TopAbs_EDGE, TopAbs_FACE, edgeFaces);
    const TopTools_IndexedMapOfShape& faces = subShapes.byType[TopAbs_FACE];
    std::vector<bool> hanging(static_cast<std::size_t>(faces.Extent()), false);

    for (int i = 1; i <= edgeFaces.Extent(); ++i) {
        const TopoDS_Edge& edge = TopoDS::Edge(edgeFaces.FindKey(i));
        if (BRep_Tool::Degenerated(edge)) continue;
        const TopTools_ListOfShape& adjacent = edgeFaces(i);
        if (adjacent.Extent() >= 2) continue;
        if (adjacent.Extent() == 1 && BRep_Tool::IsClosed(edge, TopoDS::Face(adjacent.First())))
            continue;
        ++report.freeEdges;
        if (adjacent.Extent() == 1) {
            const int face = faces.FindIndex(adjacent.First());
            if (face > 0) hanging[static_cast<std::size_t>(face - 1)] = true;
        }
    }

    int hangingFaces = 0;
    for (bool h : hanging)
        hangingFaces += h ? 1 : 0;
    report.hangingFaceRatio =
        report.faces > 0 ? static_cast<double>(hangingFaces) / report.faces : 0.0;
    report.watertight = report.faces > 0 && report.freeEdges == 0;
}

BoundingBox tightBox(const TopoDS_Shape& shape) {
    BoundingBox result;
    Bnd_Box box;
    BRepBndLib::AddOptimal(shape, box, false, false);
    if (!box.IsVoid()) {
        double xMin = 0, yMin = 0, zMin = 0, xMax = 0, yMax = 0, zMax = 0;
        box.Get(xMin, yMin, zMin, xMax, yMax, zMax);
        result.add({xMin, yMin, zMin});
        result.add({xMax, yMax, zMax});
    }
    return result;
}

ShapeReport analyseOcc(const TopoDS_Shape& shape) {
    ShapeReport report;
    const SubShapes subShapes(shape);
    report.solids = subShapes.count(TopAbs_SOLID);
    report.shells = subShapes.count(TopAbs_SHELL);
    report.faces = subShapes.count(TopAbs_FACE);
    report.edges = subShapes.count(TopAbs_EDGE);
    report.vertices = subShapes.count(TopAbs_VERTEX);

    const BRepCheck_Analyzer analyzer(shape);
    report.valid = analyzer.IsValid();
    if (!report.valid) report.invalidReason = firstInvalidReason(analyzer, shape, subShapes);

    // Sums over unique sub-shapes, so a face or solid listed twice in a compound counts once.
    for (int i = 1; i <= subShapes.count(TopAbs_SOLID); ++i) {
        GProp_GProps props;
        BRepGProp::VolumeProperties(subShapes.byType[TopAbs_SOLID](i), props);
        report.volume += props.Mass();
    }
    for (int i = 1; i <= subShapes.count(TopAbs_FACE); ++i) {
        GProp_GProps props;
        BRepGProp::SurfaceProperties(subShapes.byType[TopAbs_FACE](i), props);
        report.area += props.Mass();
    }

    report.bbox = tightBox(shape);
    countFreeEdges(shape, subShapes, report);
    return report;
}

} // namespace

ShapeReport analyse(const Shape& shape) {
    if (unwrapOcc(shape).IsNull()) throw Error("Cannot analyse an empty shape");
    return guardOcc("Shape analysis", [&] { return analyseOcc(unwrapOcc(shape)); });
}

BoundingBox boundingBox(const Shape& shape) {
    if (unwrapOcc(shape).IsNull()) throw Error("Cannot measure an empty shape");
    return guardOcc("Shape bounding box", [&] { return tightBox(unwrapOcc(shape)); });
}

} // namespace img2cad::cad
