// SPDX-License-Identifier: MIT
#include "sample_builder.h"

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/error.h"
#include "cad/generator/part_generator.h"
#include "cad/geometry/random.h"
#include "cad/normalization.h"
#include "cad/program_json.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "viewer/offscreen_renderer.h"

namespace img2cad::app {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
    return cad::mix64(x + cad::kGoldenGamma);
}

// Purposes of the mixed seeds, so that the part, the points and each view draw independently.
constexpr std::uint64_t kPartPurpose = 1;
constexpr std::uint64_t kPointsPurpose = 2;
constexpr std::uint64_t kViewPurpose = 100; // + view number

ml::CameraParameters cameraParameters(const viewer::Camera& camera) {
    return {camera.position.x,   camera.position.y,   camera.position.z, camera.focalPoint.x,
            camera.focalPoint.y, camera.focalPoint.z, camera.viewUp.x,   camera.viewUp.y,
            camera.viewUp.z,     camera.viewAngleDeg};
}

} // namespace

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t slot, std::uint64_t attempt,
                      std::uint64_t purpose) {
    return splitmix(splitmix(splitmix(splitmix(seed) ^ slot) ^ attempt) ^ purpose);
}

SampleBuilder::SampleBuilder(const ml::DatasetSettings& settings) : m_settings(settings) {
    // Point-cloud-only datasets (--views 0) need no renderer and so no X display.
    if (settings.views > 0)
        m_renderer =
            std::make_unique<viewer::OffscreenRenderer>(settings.imageSize, settings.imageSize);
}

SampleBuilder::~SampleBuilder() = default;

SampleBuilder::Outcome SampleBuilder::build(std::int64_t slot,
                                            std::unordered_set<std::string>& takenKeys) {
    Outcome outcome;
    ml::Sample sample;
    sample.index = slot;
    cad::Shape shape;
    try {
        if (m_settings.kind == ml::DatasetKind::Generated) {
            // Redraw until the part is not a near-duplicate of one already taken.
            for (std::uint64_t attempt = 0;; ++attempt) {
                const std::uint64_t seed =
                    mixSeed(m_settings.seed, std::uint64_t(slot), attempt, kPartPurpose);
                const cad::GeneratedPart part = cad::generatePart(seed);
                outcome.rejectedPrograms += part.rejected;
                const std::string key = cad::nearDuplicateKey(part.program);
                if (takenKeys.count(key)) {
                    ++outcome.nearDuplicatesSkipped;
                    continue;
                }
                takenKeys.insert(key);
                sample.seed = seed;
                sample.source = cad::partFamilyName(part.family);
                sample.programJson = cad::programToJson(part.program);
                sample.nearDuplicateKey = key;
                shape = cad::compile(part.program);
                break;
            }
        } else {
            const std::string input = m_settings.inputs.at(std::size_t(slot));
            sample.seed = std::uint64_t(slot);
            sample.source = std::filesystem::path(input).filename().string();
            if (m_settings.kind == ml::DatasetKind::DeepCad) {
                const cad::Program program = cad::importSequenceFile(input).program;
                sample.programJson = cad::programToJson(program);
                sample.nearDuplicateKey = cad::nearDuplicateKey(program);
                shape = cad::compile(program);
            } else {
                shape = cad::readShapeFile(input);
                sample.nearDuplicateKey = sample.source; // no program: files are their own key
            }
        }
        sample.split = ml::splitFor(sample.nearDuplicateKey);

        const cad::TriangleMesh mesh = cad::tessellate(shape);
        const cad::PointCloud points =
            cad::samplePoints(mesh, std::size_t(m_settings.points),
                              mixSeed(m_settings.seed, std::uint64_t(slot), 0, kPointsPurpose));
        const cad::Normalization normalization = cad::Normalization::toUnitCube(mesh.bounds());
        sample.points = normalization.apply(points);
        sample.normalization = {normalization.center.x, normalization.center.y,
                                normalization.center.z, normalization.scale};

        for (int v = 0; v < m_settings.views; ++v) {
            const viewer::Scene scene =
                viewer::sampleScene(mesh, mixSeed(m_settings.seed, std::uint64_t(slot), 0,
                                                  kViewPurpose + std::uint64_t(v)));
            viewer::RenderedView rendered = m_renderer->render(mesh, scene);
            ml::View view;
            view.color = std::move(rendered.color);
            view.mask = std::move(rendered.mask);
            view.depth = std::move(rendered.depth);
            view.camera = cameraParameters(rendered.scene.camera);
            sample.views.push_back(std::move(view));
        }
        outcome.sample = std::move(sample);
    } catch (const cad::Error& error) {
        // Generated parts always compile (the generator checks), so only imports land here.
        if (m_settings.kind == ml::DatasetKind::Generated) throw;
        outcome.failure = error.what();
    }
    return outcome;
}

} // namespace img2cad::app
