// SPDX-License-Identifier: MIT
// The offscreen renderer against a box seen from straight above (mask and depth follow from
// the pinhole model), and its random views of generated parts.

#include "program_fixtures.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/program_json.h"
#include "cad/tessellation.h"
#include "viewer/offscreen_renderer.h"

#include <QTest>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

using namespace img2cad;
using namespace img2cad::test;
using viewer::Background;
using viewer::Material;
using viewer::OffscreenRenderer;
using viewer::Scene;

namespace {

constexpr int kSize = 224;
constexpr double kPi = 3.14159265358979323846;
// The box spans x 0..40, y 0..30, z 0..10; the camera looks straight down at (10, 5), off the
// box's centre, so that a flipped or mirrored image would not match.
constexpr double kCameraHeight = 150.0;
constexpr double kAimX = 10.0, kAimY = 5.0;
constexpr double kViewAngle = 30.0;

cad::TriangleMesh meshOf(const cad::Program& program) {
    return cad::tessellate(cad::compile(program));
}

const cad::TriangleMesh& boxMesh() {
    static const cad::TriangleMesh mesh =
        meshOf(programOf({extrudeOf({rectangleLoop(0, 0, 40, 30)}, 10)}, "box"));
    return mesh;
}

Scene topDownScene() {
    Scene scene;
    scene.camera.position = {kAimX, kAimY, kCameraHeight};
    scene.camera.focalPoint = {kAimX, kAimY, 0};
    scene.camera.viewUp = {0, 1, 0};
    scene.camera.viewAngleDeg = kViewAngle;
    scene.material = Material::Pla;
    scene.baseColor = {0.7, 0.05, 0.04};
    scene.background = Background::Plain;
    scene.backgroundSeed = 1;
    scene.lightSeed = 2;
    return scene;
}

/// Image position (pixel units, x right, y down, origin at the top-left corner) of a world
/// point on the plane z for the top-down camera.
std::pair<double, double> project(double x, double y, double z) {
    const double focal = 0.5 * kSize / std::tan(0.5 * kViewAngle * kPi / 180.0);
    const double distance = kCameraHeight - z;
    return {0.5 * kSize + focal * (x - kAimX) / distance,
            0.5 * kSize - focal * (y - kAimY) / distance};
}

/// The renderer, or a test failure that says why there is none (no display).
std::unique_ptr<OffscreenRenderer> makeRenderer(int width = kSize, int height = kSize) {
    try {
        return std::make_unique<OffscreenRenderer>(width, height);
    } catch (const std::exception& error) {
        QTest::qFail(qPrintable(QString("no offscreen renderer: %1").arg(error.what())), __FILE__,
                     __LINE__);
        return nullptr;
    }
}

double variance(const cad::Image& image) {
    double sum = 0.0, sum2 = 0.0;
    for (std::uint8_t v : image.pixels) {
        sum += v;
        sum2 += double(v) * v;
    }
    const double n = double(image.pixels.size());
    return sum2 / n - (sum / n) * (sum / n);
}

/// Mean colour distance between part pixels and background pixels (8-bit levels).
double partBackgroundContrast(const viewer::RenderedView& view) {
    double part[3] = {0, 0, 0}, back[3] = {0, 0, 0};
    int partCount = 0, backCount = 0;
    for (int y = 0; y < view.mask.height; ++y)
        for (int x = 0; x < view.mask.width; ++x) {
            const bool isPart = view.mask.at(x, y) == 255;
            for (int c = 0; c < 3; ++c)
                (isPart ? part : back)[c] += view.color.at(x, y, c);
            ++(isPart ? partCount : backCount);
        }
    if (partCount == 0 || backCount == 0) return 0.0;
    double d2 = 0.0;
    for (int c = 0; c < 3; ++c) {
        const double d = part[c] / partCount - back[c] / backCount;
        d2 += d * d;
    }
    return std::sqrt(d2);
}

int maskArea(const cad::Image& mask) {
    int area = 0;
    for (std::uint8_t v : mask.pixels)
        area += v == 255;
    return area;
}

bool maskTouchesBorder(const cad::Image& mask) {
    for (int i = 0; i < mask.width; ++i)
        if (mask.at(i, 0) || mask.at(i, mask.height - 1)) return true;
    for (int i = 0; i < mask.height; ++i)
        if (mask.at(0, i) || mask.at(mask.width - 1, i)) return true;
    return false;
}

bool sameView(const viewer::RenderedView& a, const viewer::RenderedView& b) {
    return a.color.pixels == b.color.pixels && a.mask.pixels == b.mask.pixels &&
           a.depth.depth == b.depth.depth;
}

} // namespace

class TestOffscreenRenderer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void failsClearlyWithoutADisplay();
    void rendersAVisiblePart();
    void maskIsTheProjectedSilhouette();
    void depthIsTheDistanceAlongTheView();
    void sameSceneGivesTheSamePixels();
    void differentSeedsGiveDifferentImages();
    void sampledViewsKeepThePartInTheFrame();
    void rendersEveryMaterialAndBackground();
};

void TestOffscreenRenderer::failsClearlyWithoutADisplay() {
    const QByteArray display = qgetenv("DISPLAY");
    // No DISPLAY at all, and a DISPLAY where no server listens (VTK alone would abort there).
    for (const char* value : {"", ":4242"}) {
        if (*value)
            qputenv("DISPLAY", value);
        else
            qunsetenv("DISPLAY");
        QString message;
        try {
            OffscreenRenderer renderer(32, 32);
        } catch (const std::runtime_error& error) {
            message = error.what();
        }
        if (display.isEmpty())
            qunsetenv("DISPLAY");
        else
            qputenv("DISPLAY", display);
        QVERIFY2(message.contains("xvfb-run"), qPrintable("unexpected: " + message));
    }
}

void TestOffscreenRenderer::rendersAVisiblePart() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    const viewer::RenderedView view = renderer->render(boxMesh(), topDownScene());
    QCOMPARE(view.color.width, kSize);
    QCOMPARE(view.color.height, kSize);
    QCOMPARE(view.color.channels, 3);
    QVERIFY2(variance(view.color) > 100.0, qPrintable(QString::number(variance(view.color))));
    QVERIFY(maskArea(view.mask) > 0);
    const double contrast = partBackgroundContrast(view);
    QVERIFY2(contrast > 40.0, qPrintable(QString("contrast %1").arg(contrast)));
}

void TestOffscreenRenderer::maskIsTheProjectedSilhouette() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    const viewer::RenderedView view = renderer->render(boxMesh(), topDownScene());
    // Seen from straight above, the silhouette is the top face (z = 10); the walls face away.
    const auto [x0, y1] = project(0, 0, 10);
    const auto [x1, y0] = project(40, 30, 10);
    int intersection = 0, unionArea = 0;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            const double px = x + 0.5, py = y + 0.5;
            const bool expected = px > x0 && px < x1 && py > y0 && py < y1;
            const bool actual = view.mask.at(x, y) == 255;
            intersection += expected && actual;
            unionArea += expected || actual;
        }
    const double iou = double(intersection) / unionArea;
    QVERIFY2(iou > 0.97, qPrintable(QString("IoU %1").arg(iou)));
}

void TestOffscreenRenderer::depthIsTheDistanceAlongTheView() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    const viewer::RenderedView view = renderer->render(boxMesh(), topDownScene());
    QCOMPARE(view.depth.width, kSize);
    QCOMPARE(view.depth.height, kSize);
    const auto [cx, cy] = project(20, 15, 10);
    const double expected = kCameraHeight - 10.0;
    const float centre = view.depth.at(int(cx), int(cy));
    QVERIFY2(std::fabs(centre - expected) < 0.5,
             qPrintable(QString("centre depth %1, expected %2").arg(centre).arg(expected)));
    double worst = 0.0;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            if (view.mask.at(x, y) == 0)
                QCOMPARE(view.depth.at(x, y), 0.0f);
            else
                worst = std::fmax(worst, std::fabs(view.depth.at(x, y) - expected));
        }
    QVERIFY2(worst < 0.5, qPrintable(QString("depth error %1 mm on the top face").arg(worst)));
}

void TestOffscreenRenderer::sameSceneGivesTheSamePixels() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    const cad::TriangleMesh part = meshOf(randomPart(3));
    Scene scene = viewer::sampleScene(part, 42);
    scene.background = Background::Cluttered;
    scene.blurSigmaPx = 0.7;
    scene.noiseSigma = 3.0;
    const viewer::RenderedView first = renderer->render(part, scene);
    renderer->render(boxMesh(), topDownScene()); // a different mesh in between
    const viewer::RenderedView second = renderer->render(part, scene);
    QVERIFY(sameView(first, second));
    auto other = makeRenderer();
    QVERIFY(other);
    QVERIFY(sameView(first, other->render(part, scene)));
}

void TestOffscreenRenderer::differentSeedsGiveDifferentImages() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    const cad::TriangleMesh part = meshOf(randomPart(5));
    const viewer::RenderedView a = renderer->render(part, viewer::sampleScene(part, 1));
    const viewer::RenderedView b = renderer->render(part, viewer::sampleScene(part, 2));
    QVERIFY(a.color.pixels != b.color.pixels);
    QVERIFY(a.mask.pixels != b.mask.pixels);
}

void TestOffscreenRenderer::sampledViewsKeepThePartInTheFrame() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    std::vector<std::pair<std::string, cad::TriangleMesh>> parts;
    parts.emplace_back("sample", meshOf(cad::readProgram(IMG2CAD_SOURCE_DIR
                                                         "/assets/samples/flanged_bracket.json")));
    parts.emplace_back("box", boxMesh());
    for (std::uint64_t seed : {11u, 12u, 13u})
        parts.emplace_back("random " + std::to_string(seed), meshOf(randomPart(seed)));
    for (const auto& [name, mesh] : parts)
        for (std::uint64_t seed = 0; seed < 20; ++seed) {
            const viewer::RenderedView view =
                renderer->render(mesh, viewer::sampleScene(mesh, seed));
            const QString where = QString("%1, seed %2").arg(name.c_str()).arg(seed);
            QVERIFY2(!maskTouchesBorder(view.mask), qPrintable(where + ": part leaves the frame"));
            // Framed, not lost in the distance: the part spans a good part of the image.
            int left = kSize, right = -1, top = kSize, bottom = -1;
            for (int y = 0; y < kSize; ++y)
                for (int x = 0; x < kSize; ++x)
                    if (view.mask.at(x, y)) {
                        left = std::min(left, x);
                        right = std::max(right, x);
                        top = std::min(top, y);
                        bottom = std::max(bottom, y);
                    }
            const int extent = std::max(right - left, bottom - top) + 1;
            QVERIFY2(extent > 0.4 * kSize,
                     qPrintable(where + QString(": part spans only %1 px").arg(extent)));
        }
}

void TestOffscreenRenderer::rendersEveryMaterialAndBackground() {
    auto renderer = makeRenderer();
    QVERIFY(renderer);
    const cad::TriangleMesh part = meshOf(randomPart(7));
    const Material materials[] = {Material::Pla, Material::Resin, Material::Nylon,
                                  Material::AnodisedAluminium, Material::BareAluminium};
    const Background backgrounds[] = {Background::Plain, Background::Gradient, Background::Textured,
                                      Background::Cluttered};
    for (Material material : materials)
        for (Background background : backgrounds) {
            Scene scene = viewer::sampleScene(part, 100 + int(material) * 4 + int(background));
            scene.material = material;
            scene.background = background;
            const viewer::RenderedView view = renderer->render(part, scene);
            const QString where =
                QString("%1 on %2")
                    .arg(viewer::materialName(material), viewer::backgroundName(background));
            QVERIFY2(variance(view.color) > 20.0, qPrintable(where + ": blank image"));
            QVERIFY2(maskArea(view.mask) > kSize * kSize / 20, qPrintable(where + ": no part"));
            QVERIFY2(partBackgroundContrast(view) > 3.0 || variance(view.color) > 200.0,
                     qPrintable(where + ": part invisible"));
        }
}

IMG2CAD_REGISTER_TEST(TestOffscreenRenderer)
#include "test_offscreen_renderer.moc"
