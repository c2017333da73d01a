// SPDX-License-Identifier: MIT
#include "viewer/part_scene.h"

#include "viewer/vtk_widget.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

namespace img2cad::viewer {
namespace {

constexpr std::array<double, 3> kSolidColour{0.72, 0.76, 0.82};

vtkSmartPointer<vtkPoints> pointsOf(const std::vector<cad::Vec3f>& positions) {
    auto points = vtkSmartPointer<vtkPoints>::New();
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(vtkIdType(positions.size()));
    for (std::size_t i = 0; i < positions.size(); ++i)
        points->SetPoint(vtkIdType(i), positions[i].x, positions[i].y, positions[i].z);
    return points;
}

vtkSmartPointer<vtkActor> facesActor(const cad::TriangleMesh& mesh, const SolidStyle& style) {
    auto data = vtkSmartPointer<vtkPolyData>::New();
    data->SetPoints(pointsOf(mesh.positions));
    vtkNew<vtkCellArray> triangles;
    for (const auto& t : mesh.triangles) {
        const vtkIdType ids[3] = {vtkIdType(t[0]), vtkIdType(t[1]), vtkIdType(t[2])};
        triangles->InsertNextCell(3, ids);
    }
    data->SetPolys(triangles);
    if (mesh.normals.size() == mesh.positions.size()) {
        vtkNew<vtkFloatArray> normals;
        normals->SetNumberOfComponents(3);
        normals->SetNumberOfTuples(vtkIdType(mesh.normals.size()));
        for (std::size_t i = 0; i < mesh.normals.size(); ++i)
            normals->SetTuple3(vtkIdType(i), mesh.normals[i].x, mesh.normals[i].y,
                               mesh.normals[i].z);
        data->GetPointData()->SetNormals(normals);
    }
    const bool byPrimitive = style.colourByPrimitive &&
                             mesh.triangleFaces.size() == mesh.triangles.size() &&
                             !mesh.facePrimitives.empty();
    if (byPrimitive) {
        vtkNew<vtkUnsignedCharArray> colours;
        colours->SetNumberOfComponents(3);
        colours->SetName("primitive");
        for (std::int32_t face : mesh.triangleFaces) {
            const auto c = face >= 0 && std::size_t(face) < mesh.facePrimitives.size()
                               ? primitiveColour(mesh.facePrimitives[std::size_t(face)])
                               : kSolidColour;
            colours->InsertNextTuple3(255 * c[0], 255 * c[1], 255 * c[2]);
        }
        data->GetCellData()->SetScalars(colours);
    }
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(data);
    mapper->SetScalarVisibility(byPrimitive);
    // Edges drawn on top of faces must not z-fight with them.
    mapper->SetResolveCoincidentTopologyToPolygonOffset();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(kSolidColour[0], kSolidColour[1], kSolidColour[2]);
    actor->GetProperty()->SetSpecular(0.25);
    actor->GetProperty()->SetSpecularPower(30);
    return actor;
}

vtkSmartPointer<vtkActor> edgesActor(const cad::TriangleMesh& mesh) {
    std::vector<cad::Vec3f> positions;
    vtkNew<vtkCellArray> lines;
    for (const auto& polyline : mesh.featureEdges) {
        if (polyline.size() < 2) continue;
        lines->InsertNextCell(vtkIdType(polyline.size()));
        for (const cad::Vec3f& p : polyline) {
            lines->InsertCellPoint(vtkIdType(positions.size()));
            positions.push_back(p);
        }
    }
    auto data = vtkSmartPointer<vtkPolyData>::New();
    data->SetPoints(pointsOf(positions));
    data->SetLines(lines);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(data);
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(0.10, 0.12, 0.16);
    actor->GetProperty()->SetLineWidth(1.5f);
    actor->GetProperty()->LightingOff();
    return actor;
}

} // namespace

std::array<double, 3> primitiveColour(cad::PrimitiveType type) {
    switch (type) {
    case cad::PrimitiveType::Plane:
        return {0.62, 0.72, 0.86};
    case cad::PrimitiveType::Cylinder:
        return {0.93, 0.66, 0.36};
    case cad::PrimitiveType::Cone:
        return {0.58, 0.82, 0.55};
    case cad::PrimitiveType::Sphere:
        return {0.84, 0.52, 0.74};
    case cad::PrimitiveType::Torus:
        return {0.90, 0.84, 0.42};
    case cad::PrimitiveType::Other:
        return {0.70, 0.70, 0.70};
    }
    return kSolidColour;
}

void clearScene(VtkWidget& view) {
    view.renderer()->RemoveAllViewProps();
    view.requestRender();
}

void showSolid(VtkWidget& view, const cad::TriangleMesh& mesh, const SolidStyle& style) {
    vtkRenderer* renderer = view.renderer();
    renderer->RemoveAllViewProps();
    renderer->AddActor(facesActor(mesh, style));
    if (style.featureEdges && !mesh.featureEdges.empty()) renderer->AddActor(edgesActor(mesh));
    view.setIsometricView();
}

void showPointCloud(VtkWidget& view, const cad::PointCloud& cloud,
                    const std::vector<float>& scalars, const CloudStyle& style) {
    vtkRenderer* renderer = view.renderer();
    renderer->RemoveAllViewProps();
    auto data = vtkSmartPointer<vtkPolyData>::New();
    data->SetPoints(pointsOf(cloud.positions));
    vtkNew<vtkCellArray> vertices;
    for (std::size_t i = 0; i < cloud.positions.size(); ++i) {
        const vtkIdType id = vtkIdType(i);
        vertices->InsertNextCell(1, &id);
    }
    data->SetVerts(vertices);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(data);
    const bool coloured = !scalars.empty() && scalars.size() == cloud.positions.size();
    vtkNew<vtkLookupTable> table;
    if (coloured) {
        vtkNew<vtkFloatArray> values;
        values->SetName(style.scalarName.c_str());
        for (float v : scalars)
            values->InsertNextValue(v);
        data->GetPointData()->SetScalars(values);
        table->SetHueRange(0.667, 0.0); // blue (low) to red (high)
        table->SetTableRange(style.scalarMin, style.scalarMax);
        table->Build();
        mapper->SetLookupTable(table);
        mapper->SetScalarRange(style.scalarMin, style.scalarMax);
        mapper->SetScalarVisibility(true);
    } else {
        mapper->SetScalarVisibility(false);
    }
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    actor->GetProperty()->SetPointSize(style.pointSize);
    actor->GetProperty()->SetColor(0.20, 0.35, 0.60);
    actor->GetProperty()->LightingOff();
    renderer->AddActor(actor);
    if (coloured) {
        vtkNew<vtkScalarBarActor> bar;
        bar->SetLookupTable(table);
        bar->SetTitle(style.scalarName.c_str());
        bar->SetNumberOfLabels(3);
        bar->SetWidth(0.08);
        bar->SetHeight(0.5);
        bar->GetTitleTextProperty()->SetColor(0.1, 0.1, 0.1);
        bar->GetLabelTextProperty()->SetColor(0.1, 0.1, 0.1);
        renderer->AddViewProp(bar);
    }
    view.setIsometricView();
}

} // namespace img2cad::viewer
