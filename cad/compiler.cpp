// SPDX-License-Identifier: MIT
#include "cad/compiler.h"

#include "cad/error.h"
#include "cad/internal/face_unification.h"
#include "cad/internal/occ_guard.h"
#include "cad/internal/occ_shape.h"
#include "cad/topology.h"

#include <BRepAlgoAPI_Common.hxx>
#include <BRepAlgoAPI_Cut.hxx>
#include <BRepAlgoAPI_Fuse.hxx>
#include <BRepBndLib.hxx>
#include <BRepBuilderAPI_MakeEdge.hxx>
#include <BRepBuilderAPI_MakeFace.hxx>
#include <BRepBuilderAPI_MakeVertex.hxx>
#include <BRepBuilderAPI_MakeWire.hxx>
#include <BRepCheck_Analyzer.hxx>
#include <BRepCheck_Face.hxx>
#include <BRepCheck_Wire.hxx>
#include <BRepGProp.hxx>
#include <BRepPrimAPI_MakePrism.hxx>
#include <BRep_Builder.hxx>
#include <Bnd_Box.hxx>
#include <GC_MakeArcOfCircle.hxx>
#include <GProp_GProps.hxx>
#include <Geom_TrimmedCurve.hxx>
#include <ShapeFix_Shape.hxx>
#include <TopExp_Explorer.hxx>
#include <TopTools_ListOfShape.hxx>
#include <TopoDS.hxx>
#include <TopoDS_Compound.hxx>
#include <TopoDS_Edge.hxx>
#include <TopoDS_Face.hxx>
#include <TopoDS_Vertex.hxx>
#include <TopoDS_Wire.hxx>
#include <gp_Ax3.hxx>
#include <gp_Circ.hxx>
#include <gp_Pln.hxx>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace img2cad::cad {
namespace {

gp_Pnt toPnt(Vec3 p) {
    return {p.x, p.y, p.z};
}
gp_Dir toDir(Vec3 v) {
    return {v.x, v.y, v.z};
}

/// A loop built as an OCC wire, with what nesting and error messages need.
struct BuiltLoop {
    TopoDS_Wire wire;
    std::vector<TopoDS_Edge> edges; // edges[i] is curve i
    std::vector<Vec2> polygon;
    double signedArea = 0.0;
    int index = 0;
};

BuiltLoop buildLoop(const SketchPlane& plane, const Loop& loop, ProgramLocation where) {
    BuiltLoop built;
    built.index = where.loop;
    built.polygon = loopPolygon(loop);
    built.signedArea = signedArea(built.polygon);

    BRepBuilderAPI_MakeWire wire;
    if (const auto* circle = std::get_if<Circle>(&loop.curves.front())) {
        const gp_Ax2 axis(toPnt(plane.toModel(circle->center)), toDir(plane.normal),
                          toDir(plane.xAxis));
        built.edges.push_back(BRepBuilderAPI_MakeEdge(gp_Circ(axis, circle->radius)).Edge());
        wire.Add(built.edges.back());
    } else {
        // One vertex per joint, shared by the two curves that meet there: the wire is closed
        // by construction and small gaps (within the closure tolerance) are welded.
        const std::size_t n = loop.curves.size();
        std::vector<TopoDS_Vertex> joints(n);
        for (std::size_t i = 0; i < n; ++i)
            joints[i] = BRepBuilderAPI_MakeVertex(toPnt(plane.toModel(curveStart(loop.curves[i]))));
        for (std::size_t i = 0; i < n; ++i) {
            where.curve = int(i);
            const TopoDS_Vertex& from = joints[i];
            const TopoDS_Vertex& to = joints[(i + 1) % n];
            BRepBuilderAPI_MakeEdge edge;
            if (const auto* arc = std::get_if<Arc>(&loop.curves[i])) {
                const Vec2 end = curveStart(loop.curves[(i + 1) % n]);
                GC_MakeArcOfCircle make(toPnt(plane.toModel(arc->start)),
                                        toPnt(plane.toModel(arc->mid)), toPnt(plane.toModel(end)));
                if (!make.IsDone()) throw Error("arc could not be built (degenerate)", where);
                edge = BRepBuilderAPI_MakeEdge(make.Value(), from, to);
            } else {
                edge = BRepBuilderAPI_MakeEdge(from, to);
            }
            if (!edge.IsDone())
                throw Error("curve could not be built (error " + std::to_string(edge.Error()) + ")",
                            where);
            built.edges.push_back(edge.Edge());
            wire.Add(edge.Edge());
            if (!wire.IsDone())
                throw Error("curve does not connect to the previous one (wire error " +
                                std::to_string(wire.Error()) + ")",
                            where);
        }
    }
    built.wire = wire.Wire();
    return built;
}

int curveIndexOf(const BuiltLoop& loop, const TopoDS_Edge& edge) {
    for (std::size_t i = 0; i < loop.edges.size(); ++i)
        if (loop.edges[i].IsSame(edge)) return int(i);
    return -1;
}

/// Explains why a freshly built sketch face is not valid, naming the loop and curves.
void checkFace(const TopoDS_Face& face, const std::vector<const BuiltLoop*>& loops,
               ProgramLocation where) {
    for (const BuiltLoop* loop : loops) {
        where.loop = loop->index;
        BRepCheck_Wire wireCheck(loop->wire);
        TopoDS_Edge first;
        TopoDS_Edge second;
        if (wireCheck.SelfIntersect(face, first, second) == BRepCheck_SelfIntersectingWire) {
            const int a = curveIndexOf(*loop, first);
            const int b = curveIndexOf(*loop, second);
            where.curve = a;
            throw Error("loop intersects itself: curve " + std::to_string(a) + " crosses curve " +
                            std::to_string(b),
                        where);
        }
    }
    where.loop = -1;
    where.curve = -1;
    BRepCheck_Face faceCheck(face);
    if (faceCheck.IntersectWires() != BRepCheck_NoError)
        throw Error("loops of the profile cross each other", where);
    if (faceCheck.ClassifyWires() != BRepCheck_NoError)
        throw Error("a hole lies outside its boundary loop", where);
    if (!BRepCheck_Analyzer(face).IsValid())
        throw Error("the sketch region is not a valid face", where);
}

/// Faces of one profile. Nesting decides roles: a loop inside an even number of others is a
/// boundary, inside an odd number a hole of the smallest loop around it.
std::vector<TopoDS_Face> buildProfileFaces(const SketchPlane& plane, const Profile& profile,
                                           ProgramLocation where) {
    std::vector<BuiltLoop> loops;
    for (std::size_t l = 0; l < profile.loops.size(); ++l) {
        where.loop = int(l);
        loops.push_back(buildLoop(plane, profile.loops[l], where));
    }
    where.loop = -1;

    const std::size_t n = loops.size();
    // Loops of one profile must not cross: nesting would be meaningless. The check runs on
    // the polygons (arcs subdivided); giant hostile profiles are left to the face check.
    std::size_t segments = 0;
    for (const BuiltLoop& loop : loops)
        segments += loop.polygon.size();
    if (n > 1 && segments * segments < 50'000'000) {
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j)
                if (boundariesMeet(loops[i].polygon, loops[j].polygon)) {
                    where.loop = int(j);
                    throw Error("loops " + std::to_string(i) + " and " + std::to_string(j) +
                                    " of the profile cross or touch each other",
                                where);
                }
    }
    std::vector<int> depth(n, 0);
    std::vector<int> parent(n, -1);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j || std::fabs(loops[j].signedArea) <= std::fabs(loops[i].signedArea))
                continue;
            if (!containsPoint(loops[j].polygon, loops[i].polygon.front())) continue;
            ++depth[i];
            if (parent[i] < 0 ||
                std::fabs(loops[j].signedArea) < std::fabs(loops[parent[i]].signedArea))
                parent[i] = int(j);
        }
    }

    const gp_Pln sketchPlane(gp_Ax3(toPnt(plane.origin), toDir(plane.normal), toDir(plane.xAxis)));
    std::vector<TopoDS_Face> faces;
    for (std::size_t i = 0; i < n; ++i) {
        if (depth[i] % 2 != 0) continue;
        // Material lies left of a boundary traversed counter-clockwise about the normal.
        TopoDS_Wire outer = loops[i].wire;
        if (loops[i].signedArea < 0) outer.Reverse();
        BRepBuilderAPI_MakeFace make(sketchPlane, outer, Standard_True);
        std::vector<const BuiltLoop*> members{&loops[i]};
        for (std::size_t h = 0; h < n; ++h) {
            if (parent[h] != int(i) || depth[h] % 2 == 0) continue;
            TopoDS_Wire hole = loops[h].wire;
            if (loops[h].signedArea > 0) hole.Reverse();
            make.Add(hole);
            members.push_back(&loops[h]);
        }
        if (!make.IsDone()) {
            where.loop = int(i);
            throw Error("the loop does not bound a planar region (face error " +
                            std::to_string(make.Error()) + ")",
                        where);
        }
        checkFace(make.Face(), members, where);
        faces.push_back(make.Face());
    }
    return faces;
}

/// The prism of a face for an extent: one sweep from the extent's start to its end, so a
/// symmetric or two-sided extrude has no seam face in the middle.
TopoDS_Shape prismOf(const TopoDS_Face& face, const SketchPlane& plane, const Extent& extent) {
    double from = 0.0;
    double to = extent.distance;
    if (extent.type == ExtentType::Symmetric) from = -extent.distance;
    if (extent.type == ExtentType::TwoSided) from = -extent.distance2;
    const gp_Vec normal(toDir(plane.normal));
    TopoDS_Shape start = face;
    if (from != 0.0) {
        gp_Trsf shift;
        shift.SetTranslation(normal * from);
        start = face.Moved(TopLoc_Location(shift));
    }
    BRepPrimAPI_MakePrism prism(start, normal * (to - from), Standard_True);
    if (!prism.IsDone()) throw Error("the extrusion could not be built");
    return prism.Shape();
}

int solidCount(const TopoDS_Shape& shape) {
    int count = 0;
    for (TopExp_Explorer it(shape, TopAbs_SOLID); it.More(); it.Next())
        ++count;
    return count;
}

TopoDS_Shape runBoolean(BRepAlgoAPI_BooleanOperation&& operation, const TopoDS_Shape& argument,
                        const TopTools_ListOfShape& tools, const char* name,
                        ProgramLocation where) {
    TopTools_ListOfShape arguments;
    arguments.Append(argument);
    operation.SetArguments(arguments);
    operation.SetTools(tools);
    operation.SetRunParallel(Standard_False); // callers compile candidates in parallel instead
    // Fuzzy booleans: faces that should coincide but sit a few float epsilons apart (programs
    // decoded from single-precision features, imported files) fuse as if they touched, instead
    // of leaving slivers or splitting the part. One millionth of the part's size is far below
    // any feature and above float noise.
    Bnd_Box box;
    BRepBndLib::Add(argument, box);
    for (const TopoDS_Shape& tool : tools)
        BRepBndLib::Add(tool, box);
    if (!box.IsVoid()) operation.SetFuzzyValue(1e-6 * std::sqrt(box.SquareExtent()));
    operation.Build();
    if (operation.HasErrors() || !operation.IsDone()) {
        std::ostringstream report;
        operation.DumpErrors(report);
        std::string text = report.str();
        text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
        throw Error(std::string(name) + " failed in the kernel" + (text.empty() ? "" : ": " + text),
                    where);
    }
    return operation.Shape();
}

TopoDS_Shape fuseAll(const std::vector<TopoDS_Shape>& shapes, ProgramLocation where) {
    if (shapes.size() == 1) return shapes.front();
    TopTools_ListOfShape tools;
    for (std::size_t i = 1; i < shapes.size(); ++i)
        tools.Append(shapes[i]);
    return runBoolean(BRepAlgoAPI_Fuse(), shapes.front(), tools, "joining the profiles", where);
}

/// The extrude's solid (all its profiles' prisms, united).
TopoDS_Shape buildTool(const Extrude& extrude, ProgramLocation where) {
    std::vector<TopoDS_Shape> prisms;
    for (std::size_t p = 0; p < extrude.profiles.size(); ++p) {
        where.profile = int(p);
        for (const TopoDS_Face& face : buildProfileFaces(extrude.plane, extrude.profiles[p], where))
            prisms.push_back(prismOf(face, extrude.plane, extrude.extent));
    }
    where.profile = -1;
    if (prisms.empty()) throw Error("the extrude has no region to extrude", where);
    return fuseAll(prisms, where);
}

TopoDS_Shape applyOperation(const TopoDS_Shape& body, const TopoDS_Shape& tool, BooleanOp op,
                            ProgramLocation where) {
    if (body.IsNull()) {
        if (op == BooleanOp::Cut || op == BooleanOp::Intersect)
            throw Error(std::string("a ") + booleanOpName(op) +
                            " needs a body before it, but this is the first solid",
                        where);
        return tool;
    }
    TopTools_ListOfShape tools;
    tools.Append(tool);
    switch (op) {
    case BooleanOp::NewBody:
    case BooleanOp::Join:
        return runBoolean(BRepAlgoAPI_Fuse(), body, tools, "the join", where);
    case BooleanOp::Cut: {
        TopoDS_Shape result = runBoolean(BRepAlgoAPI_Cut(), body, tools, "the cut", where);
        if (solidCount(result) == 0) throw Error("the cut removes the whole part", where);
        return result;
    }
    case BooleanOp::Intersect: {
        TopoDS_Shape result =
            runBoolean(BRepAlgoAPI_Common(), body, tools, "the intersection", where);
        if (solidCount(result) == 0)
            throw Error("the intersection is empty: the extrusion does not overlap the part",
                        where);
        return result;
    }
    }
    return body;
}

/// Keeps only the solids (booleans may return compounds holding stray faces or edges).
TopoDS_Shape solidsOf(const TopoDS_Shape& shape) {
    std::vector<TopoDS_Shape> solids;
    for (TopExp_Explorer it(shape, TopAbs_SOLID); it.More(); it.Next())
        solids.push_back(it.Current());
    if (solids.empty()) throw Error("the program produced no solid");
    if (solids.size() == 1) return solids.front();
    TopoDS_Compound compound;
    BRep_Builder builder;
    builder.MakeCompound(compound);
    for (const TopoDS_Shape& solid : solids)
        builder.Add(compound, solid);
    return compound;
}

TopoDS_Shape finish(const TopoDS_Shape& body, const CompileOptions& options) {
    TopoDS_Shape result = solidsOf(body);
    // Merges the pieces booleans leave of one face (what CAD systems show), in a helper process
    // that is stopped when OCC 7.6's merge loops (cad/internal/face_unification.h).
    if (options.unifyFaces) result = unifiedFaces(result);
    if (options.checkValidity && !BRepCheck_Analyzer(result).IsValid()) {
        // Safe healing only: ShapeFix fixes tolerances and orientation, never the design.
        ShapeFix_Shape fix(result);
        fix.Perform();
        result = fix.Shape();
        if (!BRepCheck_Analyzer(result).IsValid())
            throw Error("the result is not a valid solid: " +
                        analyse(wrapOcc(result)).invalidReason);
    }
    GProp_GProps properties;
    BRepGProp::VolumeProperties(result, properties);
    if (!(properties.Mass() > 0.0))
        throw Error("the result has no volume (inside-out or flat solid)");
    return solidsOf(result);
}

} // namespace

Shape compile(const Program& program, const CompileOptions& options) {
    validate(program, options.closureTolerance);
    TopoDS_Shape body;
    for (std::size_t e = 0; e < program.extrudes.size(); ++e) {
        const Extrude& extrude = program.extrudes[e];
        const ProgramLocation where{int(e)};
        const std::string what =
            "operation " + std::to_string(e) + " (" + booleanOpName(extrude.op) + ")";
        body = guardOcc(
            what,
            [&] { return applyOperation(body, buildTool(extrude, where), extrude.op, where); },
            where);
    }
    return wrapOcc(guardOcc("checking the result", [&] { return finish(body, options); }));
}

} // namespace img2cad::cad
