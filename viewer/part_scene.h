// SPDX-License-Identifier: MIT
#pragma once
// What a view shows: a part's solid (shaded faces with its BRep feature edges, optionally
// coloured by primitive type) or a point cloud (optionally coloured by a per-point scalar with a
// colour bar, e.g. the importance heatmap). Scenes are built on the GUI thread from cad/ value
// types; VTK never sees OCC.

#include "cad/geometry/point_cloud.h"
#include "cad/geometry/triangle_mesh.h"

#include <array>
#include <string>
#include <vector>

namespace img2cad::viewer {

class VtkWidget;

struct SolidStyle {
    bool featureEdges = true;
    bool colourByPrimitive = false; ///< plane, cylinder, cone, ... each its own colour
};

struct CloudStyle {
    float pointSize = 3.0f;
    std::string scalarName = "importance"; ///< the colour bar's title
    double scalarMin = 0.0, scalarMax = 1.0;
};

/// Replaces the widget's scene with the mesh and frames it.
void showSolid(VtkWidget& view, const cad::TriangleMesh& mesh, const SolidStyle& style = {});

/// Replaces the widget's scene with the cloud and frames it; with `scalars` (one per point) the
/// points are coloured by them (blue low, red high) and a colour bar is shown.
void showPointCloud(VtkWidget& view, const cad::PointCloud& cloud,
                    const std::vector<float>& scalars = {}, const CloudStyle& style = {});

/// Removes everything (an empty view).
void clearScene(VtkWidget& view);

/// The colour each primitive type is drawn in (RGB 0..1), also used by legends.
std::array<double, 3> primitiveColour(cad::PrimitiveType type);

} // namespace img2cad::viewer
