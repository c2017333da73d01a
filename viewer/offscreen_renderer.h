// SPDX-License-Identifier: MIT
#pragma once
// Photo-like offscreen renders of a part for the training data (issue 3): a perspective camera,
// several coloured lights, materials like PLA, resin, nylon and aluminium, plain / gradient /
// textured / cluttered backgrounds, slight blur and sensor noise; with the part's mask and
// depth from the same camera. VTK offscreen (needs an X display: run under xvfb-run). GUI
// thread or a dedicated thread only; one renderer per thread.

#include "cad/geometry/image.h"
#include "cad/geometry/triangle_mesh.h"
#include "cad/geometry/vec.h"

#include <cstdint>
#include <memory>
#include <string>

namespace img2cad::viewer {

/// A perspective pinhole camera looking at `focalPoint`.
struct Camera {
    cad::Vec3 position;
    cad::Vec3 focalPoint;
    cad::Vec3 viewUp{0, 0, 1};
    double viewAngleDeg = 30.0; ///< vertical field of view
};

enum class Material { Pla, Resin, Nylon, AnodisedAluminium, BareAluminium };
enum class Background { Plain, Gradient, Textured, Cluttered };

/// Everything random about one view; `sampleScene` draws it from a seed, tests set it by hand.
struct Scene {
    Camera camera;
    Material material = Material::Pla;
    cad::Vec3 baseColor{0.8, 0.8, 0.8}; ///< linear RGB in [0, 1]
    Background background = Background::Plain;
    std::uint64_t backgroundSeed = 0;
    int lightCount = 3;
    std::uint64_t lightSeed = 0;
    double blurSigmaPx = 0.0; ///< Gaussian blur of the final image
    double noiseSigma = 0.0;  ///< sensor noise, in 8-bit levels
};

struct RenderedView {
    Scene scene;
    cad::Image color; ///< RGB
    cad::Image mask;  ///< 1 channel, 255 where the part is seen
    cad::DepthImage depth;
};

const char* materialName(Material material);
const char* backgroundName(Background background);

/// A random view of the mesh for `seed`: camera at random azimuth and elevation (elevation
/// 10..60 degrees above the part), framing the part's bounding sphere; random material,
/// background, lights, blur and noise. Deterministic for (mesh bounds, seed).
Scene sampleScene(const cad::TriangleMesh& mesh, std::uint64_t seed);

class OffscreenRenderer {
public:
    /// Throws std::runtime_error when no OpenGL context can be created (no X display).
    OffscreenRenderer(int width = 224, int height = 224);
    ~OffscreenRenderer();
    OffscreenRenderer(const OffscreenRenderer&) = delete;
    OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

    /// Renders the mesh; same mesh and scene give the same pixels.
    RenderedView render(const cad::TriangleMesh& mesh, const Scene& scene);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace img2cad::viewer
