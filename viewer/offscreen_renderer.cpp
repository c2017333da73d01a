// SPDX-License-Identifier: MIT
// The VTK half of the offscreen renderer: one hidden render window per renderer, reused for
// every view. The part is drawn alone at 2x the output size (over black), then read back with
// its z-buffer; the supersamples give anti-aliased edges and the part's coverage, which
// composites it over a synthetic background (internal/raster.h) and yields mask and depth.

#include "viewer/offscreen_renderer.h"

#include "viewer/internal/lighting.h"
#include "viewer/internal/random.h"
#include "viewer/internal/raster.h"

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCommand.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkLight.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <X11/Xlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace img2cad::viewer {

using internal::FloatImage;

namespace {

/// Supersampling factor of the part pass (per axis).
constexpr int kSupersample = 2;

/// Content hash of a mesh, so that the cached vtkPolyData is rebuilt exactly when the
/// geometry changes (a pointer alone would miss a mesh edited in place or a reused address).
std::uint64_t meshHash(const cad::TriangleMesh& mesh) {
    std::uint64_t h = internal::mix64(mesh.positions.size() * 31 + mesh.triangles.size());
    const auto add = [&h](const void* data, std::size_t bytes) {
        const auto* p = static_cast<const unsigned char*>(data);
        std::size_t i = 0;
        for (; i + 8 <= bytes; i += 8) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            h = internal::mix64(h ^ word);
        }
        for (; i < bytes; ++i)
            h = internal::mix64(h ^ p[i]);
    };
    add(mesh.positions.data(), mesh.positions.size() * sizeof(cad::Vec3f));
    add(mesh.normals.data(), mesh.normals.size() * sizeof(cad::Vec3f));
    add(mesh.triangles.data(), mesh.triangles.size() * sizeof(mesh.triangles[0]));
    return h;
}

vtkSmartPointer<vtkPolyData> toPolyData(const cad::TriangleMesh& mesh) {
    static_assert(sizeof(cad::Vec3f) == 3 * sizeof(float), "Vec3f must be 3 packed floats");
    auto polyData = vtkSmartPointer<vtkPolyData>::New();
    vtkNew<vtkFloatArray> coords;
    coords->SetNumberOfComponents(3);
    coords->SetNumberOfTuples(vtkIdType(mesh.positions.size()));
    std::memcpy(coords->GetPointer(0), mesh.positions.data(),
                mesh.positions.size() * sizeof(cad::Vec3f));
    vtkNew<vtkPoints> points;
    points->SetData(coords);
    polyData->SetPoints(points);

    vtkNew<vtkIdTypeArray> offsets, connectivity;
    offsets->SetNumberOfValues(vtkIdType(mesh.triangles.size() + 1));
    connectivity->SetNumberOfValues(vtkIdType(mesh.triangles.size() * 3));
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        offsets->SetValue(vtkIdType(i), vtkIdType(3 * i));
        for (int k = 0; k < 3; ++k)
            connectivity->SetValue(vtkIdType(3 * i + k), vtkIdType(mesh.triangles[i][k]));
    }
    offsets->SetValue(vtkIdType(mesh.triangles.size()), vtkIdType(3 * mesh.triangles.size()));
    vtkNew<vtkCellArray> cells;
    cells->SetData(offsets, connectivity);
    polyData->SetPolys(cells);

    if (mesh.normals.size() == mesh.positions.size()) {
        vtkNew<vtkFloatArray> normals;
        normals->SetNumberOfComponents(3);
        normals->SetNumberOfTuples(vtkIdType(mesh.normals.size()));
        std::memcpy(normals->GetPointer(0), mesh.normals.data(),
                    mesh.normals.size() * sizeof(cad::Vec3f));
        polyData->GetPointData()->SetNormals(normals);
        return polyData;
    }
    // Imported meshes come without normals: split at sharp edges like a BRep would.
    vtkNew<vtkPolyDataNormals> normals;
    normals->SetInputData(polyData);
    normals->SetFeatureAngle(30.0);
    normals->SplittingOn();
    normals->ConsistencyOff();
    normals->Update();
    auto result = vtkSmartPointer<vtkPolyData>::New();
    result->ShallowCopy(normals->GetOutput());
    return result;
}

/// linearToSrgb by table lookup: the resolve encodes every part pixel.
class SrgbTable {
public:
    SrgbTable() {
        for (int i = 0; i < kSize; ++i)
            m_table[i] = float(internal::linearToSrgb(double(i) / (kSize - 1)));
    }
    float encode(float linear) const {
        const int i = int(std::lround(std::clamp(linear, 0.0f, 1.0f) * (kSize - 1)));
        return m_table[i];
    }

private:
    static constexpr int kSize = 4096;
    float m_table[kSize];
};

/// Collects VTK error events so that a failed context creation becomes an exception.
void recordError(vtkObject*, unsigned long, void* clientData, void* callData) {
    auto* message = static_cast<std::string*>(clientData);
    if (message->empty())
        *message = callData ? static_cast<const char*>(callData) : "unknown VTK error";
}

} // namespace

struct OffscreenRenderer::Impl {
    ~Impl() {
        // The window goes first: it still talks to the X connection it was given.
        if (window) {
            window->Finalize();
            window = nullptr;
        }
        if (display) XCloseDisplay(display);
    }

    Display* display = nullptr;
    int width = 0;
    int height = 0;
    vtkSmartPointer<vtkRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkActor> actor;
    vtkNew<vtkPolyDataMapper> mapper;
    std::vector<vtkSmartPointer<vtkLight>> lights;
    vtkNew<vtkCallbackCommand> errorObserver;
    std::string error;
    std::uint64_t meshKey = 0;
    bool hasMesh = false;
    vtkNew<vtkUnsignedCharArray> rgb;
    std::vector<float> zbuffer;

    void setMesh(const cad::TriangleMesh& mesh) {
        const std::uint64_t key = meshHash(mesh);
        if (hasMesh && key == meshKey) return;
        mapper->SetInputData(toPolyData(mesh));
        meshKey = key;
        hasMesh = true;
    }

    void setMaterial(const Scene& scene) {
        const internal::MaterialLook look = internal::materialLook(scene.material);
        const double c[3] = {scene.baseColor.x, scene.baseColor.y, scene.baseColor.z};
        vtkProperty* property = actor->GetProperty();
        property->SetInterpolationToPhong();
        property->SetColor(c[0], c[1], c[2]);
        property->SetAmbientColor(c[0], c[1], c[2]);
        property->SetDiffuseColor(c[0], c[1], c[2]);
        const double t = look.specularTint;
        property->SetSpecularColor(1 - t + t * c[0], 1 - t + t * c[1], 1 - t + t * c[2]);
        property->SetAmbient(look.ambient);
        property->SetDiffuse(look.diffuse);
        property->SetSpecular(look.specular);
        property->SetSpecularPower(look.specularPower);
    }

    void setLights(const Scene& scene, const cad::Vec3& center, double radius) {
        renderer->RemoveAllLights();
        const std::vector<internal::LightSpec> specs = internal::sceneLights(scene);
        while (lights.size() < specs.size())
            lights.push_back(vtkSmartPointer<vtkLight>::New());
        for (std::size_t i = 0; i < specs.size(); ++i) {
            vtkLight* light = lights[i];
            const bool positional = specs[i].distanceInRadii > 0.0;
            const cad::Vec3 from =
                center +
                specs[i].direction * (radius * (positional ? specs[i].distanceInRadii : 4));
            light->SetLightTypeToSceneLight();
            light->SetPositional(positional);
            light->SetConeAngle(180.0); // >= 90: a point light, not a spot
            light->SetPosition(from.x, from.y, from.z);
            light->SetFocalPoint(center.x, center.y, center.z);
            light->SetColor(specs[i].color.x, specs[i].color.y, specs[i].color.z);
            light->SetIntensity(specs[i].intensity);
            renderer->AddLight(light);
        }
    }

    /// Sets the camera and a clipping range that hugs the part (depth precision); returns
    /// the range.
    std::pair<double, double> setCamera(const Camera& cam, const cad::BoundingBox& box) {
        vtkCamera* camera = renderer->GetActiveCamera();
        camera->SetPosition(cam.position.x, cam.position.y, cam.position.z);
        camera->SetFocalPoint(cam.focalPoint.x, cam.focalPoint.y, cam.focalPoint.z);
        camera->SetViewUp(cam.viewUp.x, cam.viewUp.y, cam.viewUp.z);
        camera->SetViewAngle(cam.viewAngleDeg);
        camera->OrthogonalizeViewUp();
        const cad::Vec3 forward = (cam.focalPoint - cam.position).normalized();
        double nearPlane = 0.1, farPlane = 1000.0;
        if (!box.isEmpty()) {
            const double radius = 0.5 * box.size().norm();
            const double along = (box.center() - cam.position).dot(forward);
            const double margin = 0.02 * radius + 1e-3;
            farPlane = std::max(along + radius + margin, 1e-3);
            nearPlane = std::max(along - radius - margin, farPlane * 1e-4);
        }
        camera->SetClippingRange(nearPlane, farPlane);
        return {nearPlane, farPlane};
    }
};

OffscreenRenderer::OffscreenRenderer(int width, int height) : m_impl(std::make_unique<Impl>()) {
    if (width <= 0 || height <= 0)
        throw std::runtime_error("OffscreenRenderer: image size must be positive");
    // Debian's VTK reaches OpenGL through GLX: when it cannot open the X display it aborts
    // instead of reporting, so the connection is opened here and handed to VTK. Xvfb refuses
    // about one connection in a hundred under load (measured here), hence a few tries.
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0')
        throw std::runtime_error("OffscreenRenderer: no X display (DISPLAY is not set); "
                                 "run under xvfb-run -a -s \"-screen 0 1280x1024x24\"");
    Display* connection = nullptr;
    for (int attempt = 0; attempt < 10 && connection == nullptr; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
        connection = XOpenDisplay(display);
    }
    if (connection == nullptr)
        throw std::runtime_error(std::string("OffscreenRenderer: cannot open the X display \"") +
                                 display +
                                 "\"; run under xvfb-run -a -s \"-screen 0 1280x1024x24\"");
    Impl& d = *m_impl;
    d.width = width;
    d.height = height;
    d.display = connection;
    d.window = vtkSmartPointer<vtkRenderWindow>::New();
    d.window->SetDisplayId(connection);
    d.errorObserver->SetCallback(recordError);
    d.errorObserver->SetClientData(&d.error);
    d.window->AddObserver(vtkCommand::ErrorEvent, d.errorObserver);
    d.renderer->AddObserver(vtkCommand::ErrorEvent, d.errorObserver);
    d.window->SetOffScreenRendering(1);
    d.window->SetMultiSamples(0);
    d.window->SetSize(width * kSupersample, height * kSupersample);
    d.window->AddRenderer(d.renderer);
    d.renderer->SetBackground(0, 0, 0);
    d.renderer->SetAutomaticLightCreation(false);
    d.renderer->SetTwoSidedLighting(true);
    d.mapper->ScalarVisibilityOff();
    d.actor->SetMapper(d.mapper);
    d.renderer->AddActor(d.actor);
    d.window->Render();
    if (!d.error.empty())
        throw std::runtime_error("OffscreenRenderer: cannot create an OpenGL context: " + d.error);
}

OffscreenRenderer::~OffscreenRenderer() = default;

RenderedView OffscreenRenderer::render(const cad::TriangleMesh& mesh, const Scene& scene) {
    Impl& d = *m_impl;
    const int w = d.width, h = d.height;
    const int bigW = w * kSupersample, bigH = h * kSupersample;
    const cad::BoundingBox box = mesh.bounds();

    d.actor->SetVisibility(!mesh.empty());
    if (!mesh.empty()) d.setMesh(mesh);
    d.setMaterial(scene);
    const auto [nearPlane, farPlane] = d.setCamera(scene.camera, box);
    const cad::Vec3 center = box.isEmpty() ? scene.camera.focalPoint : box.center();
    d.setLights(scene, center, box.isEmpty() ? 1.0 : std::max(0.5 * box.size().norm(), 1e-3));
    d.error.clear();
    d.window->Render();
    if (!d.error.empty())
        throw std::runtime_error("OffscreenRenderer: rendering failed: " + d.error);
    d.window->GetPixelData(0, 0, bigW - 1, bigH - 1, 0, d.rgb, 0);
    d.zbuffer.resize(std::size_t(bigW) * bigH);
    d.window->GetZbufferData(0, 0, bigW - 1, bigH - 1, d.zbuffer.data());
    const unsigned char* rgb = d.rgb->GetPointer(0);

    RenderedView view;
    view.scene = scene;
    view.mask.width = view.depth.width = w;
    view.mask.height = view.depth.height = h;
    view.mask.channels = 1;
    view.mask.pixels.assign(std::size_t(w) * h, 0);
    view.depth.depth.assign(std::size_t(w) * h, 0.0f);

    // Resolve the supersamples: coverage and premultiplied colour per output pixel, depth as
    // the mean linear depth of the covered samples. VTK's rows run bottom to top.
    FloatImage coverage(w, h, 1), part(w, h, 3);
    const float sampleWeight = 1.0f / (kSupersample * kSupersample);
    const double n = nearPlane, f = farPlane;
    static const SrgbTable srgb;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            int covered = 0;
            double depthSum = 0.0;
            float sum[3] = {0, 0, 0};
            for (int sy = 0; sy < kSupersample; ++sy)
                for (int sx = 0; sx < kSupersample; ++sx) {
                    const std::size_t i = std::size_t(bigH - 1 - (y * kSupersample + sy)) * bigW +
                                          x * kSupersample + sx;
                    const float z = d.zbuffer[i];
                    if (!(z < 1.0f)) continue;
                    ++covered;
                    // Perspective z-buffer [0, 1] back to eye-space distance along the view.
                    const double ndc = 2.0 * z - 1.0;
                    depthSum += 2.0 * n * f / ((f + n) - ndc * (f - n));
                    for (int c = 0; c < 3; ++c)
                        sum[c] += rgb[3 * i + c] * (1.0f / 255.0f);
                }
            coverage.at(x, y) = covered * sampleWeight;
            // Shaded in linear light; encoded before compositing over the (encoded) backdrop.
            for (int c = 0; c < 3; ++c)
                if (covered > 0)
                    part.at(x, y, c) = srgb.encode(sum[c] / covered) * (covered * sampleWeight);
            if (2 * covered >= kSupersample * kSupersample) {
                view.mask.at(x, y) = 255;
                view.depth.depth[std::size_t(y) * w + x] = float(depthSum / covered);
            }
        }

    const std::uint64_t photoSeed =
        internal::mix64(scene.backgroundSeed ^ internal::mix64(scene.lightSeed));
    FloatImage image = internal::makeBackground(scene.background, scene.backgroundSeed, w, h);
    // The room's light tints the desk as it tints the part (half-way: eyes and phones adapt).
    cad::Vec3 tint{0, 0, 0};
    for (const internal::LightSpec& light : internal::sceneLights(scene))
        tint = tint + light.color * light.intensity;
    const double tintTop = std::fmax(tint.x, std::fmax(tint.y, tint.z));
    if (tintTop > 0.0) {
        const float gain[3] = {float(0.5 + 0.5 * tint.x / tintTop),
                               float(0.5 + 0.5 * tint.y / tintTop),
                               float(0.5 + 0.5 * tint.z / tintTop)};
        for (std::size_t i = 0; i < image.data.size(); ++i)
            image.data[i] *= gain[i % 3];
    }
    internal::addContactShadow(image, coverage, photoSeed);
    const internal::MaterialLook look = internal::materialLook(scene.material);
    internal::addSurfaceGrain(part, look.grain, internal::deriveSeed(photoSeed, 17));
    const float opacity = float(look.opacity);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const float a = coverage.at(x, y) * opacity;
            for (int c = 0; c < 3; ++c)
                image.at(x, y, c) = image.at(x, y, c) * (1.0f - a) + part.at(x, y, c) * opacity;
        }
    view.color =
        internal::developPhoto(std::move(image), scene.blurSigmaPx, scene.noiseSigma, photoSeed);
    return view;
}

} // namespace img2cad::viewer
