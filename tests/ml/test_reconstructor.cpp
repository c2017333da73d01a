// SPDX-License-Identifier: MIT
// The Reconstructor end to end on a tiny model trained here by the real trainers: a point cloud
// and a photo become ranked, compiled candidates whose STEP files read back valid; the same
// seed gives the same candidates; cancelling stops it; broken and mismatched models and bad
// input get clear errors.
#include "test_registry.h"
#include "tiny_datasets.h"
#include "tiny_models.h"

#include "cad/compiler.h"
#include "cad/generator/part_generator.h"
#include "cad/metrics/chamfer.h"
#include "cad/sampling.h"
#include "cad/step_io.h"
#include "cad/tessellation.h"
#include "cad/topology.h"
#include "ml/error.h"
#include "ml/reconstruct/reconstructor.h"
#include "ml/retrieval/part_library.h"
#include "ml/training/model_folder.h"
#include "ml/vision/photo_io.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace img2cad::ml;
namespace fs = std::filesystem;
namespace test = img2cad::test;
namespace cad = img2cad::cad;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

template <typename F> std::string errorOf(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

/// A washer's surface points in millimetres, off the origin: the frame the candidates return to.
cad::PointCloud washerCloud() {
    const cad::Program program = cad::generatePart(cad::PartFamily::Spacer, 5).program;
    cad::PointCloud cloud = cad::samplePoints(cad::tessellate(cad::compile(program)), 1000, 3);
    for (cad::Vec3f& p : cloud.positions)
        p = {p.x + 40.0f, p.y - 15.0f, p.z + 7.0f};
    return cloud;
}

ReconstructionOptions fastOptions(std::uint64_t seed = 1) {
    ReconstructionOptions o;
    o.candidates = 8;
    o.sampling = {20, 1.0, 1.0, seed, {}};
    o.rankingPoints = 500;
    o.compileThreads = 2;
    o.fitCompiles = 0;         // on by default for clouds; its own test turns it on
    o.samplesPerCandidate = 1; // 4 by default for clouds; keepsTheBestOfMoreSamples tests it
    return o;
}

} // namespace

class TestReconstructor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void reconstructsAPointCloudIntoRankedCandidates();
    void theSameSeedGivesTheSameCandidates();
    void fitsTheBestCandidatesToTheCloud();
    void keepsTheBestOfMoreSamples();
    void addsTheLibrarysNearestParts();
    void readsAPhotoWithItsLifter();
    void ablationModel3ReadsImageFeaturesDirectly();
    void generatesUnconditionally();
    void passesAProgramThroughTheCodebook();
    void cancels();
    void refusesBadModelsAndInput();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_model;
};

void TestReconstructor::initTestCase() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_model = test::trainTinyWasherModel(m_dir->path().toStdString());
}

void TestReconstructor::reconstructsAPointCloudIntoRankedCandidates() {
    Reconstructor reconstructor(m_model);
    QVERIFY(reconstructor.readsPhotos());
    const cad::PointCloud cloud = washerCloud();
    std::vector<ReconstructionStage> reported;
    const Reconstruction result =
        reconstructor.fromPointCloud(cloud, fastOptions(), [&](ReconstructionStage stage, double) {
            if (reported.empty() || reported.back() != stage) reported.push_back(stage);
        });

    QCOMPARE(result.raw.size(), std::size_t(1000));
    QCOMPARE(result.importance.size(), result.raw.size());
    QCOMPARE(result.refined.size(), std::size_t(64)); // the aligner's training cloud size
    QVERIFY(result.raw.bounds().center().x > 30.0);   // back in the cloud's frame
    for (ReconstructionStage stage :
         {ReconstructionStage::Preprocess, ReconstructionStage::Refine, ReconstructionStage::Encode,
          ReconstructionStage::Diffuse, ReconstructionStage::Decode, ReconstructionStage::Compile,
          ReconstructionStage::Turn})
        QVERIFY2(result.seconds.count(stage), stageName(stage));
    QVERIFY(reported.back() == ReconstructionStage::Turn);

    QCOMPARE(result.candidates.size(), std::size_t(8));
    std::size_t valid = 0;
    double previous = 0.0;
    for (std::size_t i = 0; i < result.candidates.size(); ++i) {
        const Candidate& c = result.candidates[i];
        QVERIFY(c.valid() != !c.error.empty());
        if (!c.valid()) {
            qInfo("candidate %zu: %s", i + 1, c.error.c_str());
            continue;
        }
        QCOMPARE(valid, i); // the valid ones first, by rising CD
        ++valid;
        QVERIFY(c.chamfer >= previous);
        previous = c.chamfer;
        QVERIFY(c.report.valid && c.report.volume > 0.0);
        // Fitted to the cloud: the same centre and longest side (a turned candidate matched by
        // its surface points' box, which lies a little inside the solid's).
        const cad::BoundingBox box = cloud.bounds();
        const double tolerance = (c.turned ? 0.03 : 1e-3) * box.largestSide();
        QVERIFY(std::abs(c.report.bbox.largestSide() - box.largestSide()) < tolerance);
        QVERIFY((c.report.bbox.center() - box.center()).norm() < tolerance);
        const fs::path step = fs::path(m_dir->path().toStdString()) / "candidate.step";
        cad::writeStep(c.shape, step, {"candidate"});
        const cad::ShapeReport read = cad::analyse(cad::readStep(step));
        QVERIFY(read.valid);
        QVERIFY(std::abs(read.volume - c.report.volume) < 1e-4 * c.report.volume);
    }
    qInfo("%zu of 8 candidates valid", valid);
    QVERIFY2(valid > 0, "the tiny model made no valid candidate");
}

// For every way of splitting the K samples into reverse processes (one at a time, the CPU's
// default; three at a time; all at once).
void TestReconstructor::theSameSeedGivesTheSameCandidates() {
    Reconstructor reconstructor(m_model);
    const cad::PointCloud cloud = washerCloud();
    for (std::int64_t chunk : {0, 3, 8}) {
        ReconstructionOptions options = fastOptions(7);
        options.samplingChunk = chunk;
        const Reconstruction a = reconstructor.fromPointCloud(cloud, options);
        const Reconstruction b = Reconstructor(m_model).fromPointCloud(cloud, options);
        QCOMPARE(a.candidates.size(), std::size_t(8));
        QCOMPARE(a.candidates.size(), b.candidates.size());
        for (std::size_t i = 0; i < a.candidates.size(); ++i) {
            QVERIFY(a.candidates[i].tokens == b.candidates[i].tokens);
            QCOMPARE(a.candidates[i].chamfer, b.candidates[i].chamfer);
        }
    }
}

// The same samples with and without the fit: only the best two move (the default), each only
// nearer P_raw, with the same operations, and the list is ranked again.
void TestReconstructor::fitsTheBestCandidatesToTheCloud() {
    Reconstructor reconstructor(m_model);
    const cad::PointCloud cloud = washerCloud();
    const Reconstruction plain = reconstructor.fromPointCloud(cloud, fastOptions(3));
    ReconstructionOptions options = fastOptions(3);
    options.fitCompiles = 30;
    QCOMPARE(options.fitCandidates, std::int64_t(2));
    std::vector<ReconstructionStage> reported;
    const Reconstruction fitted =
        reconstructor.fromPointCloud(cloud, options, [&](ReconstructionStage stage, double) {
            if (reported.empty() || reported.back() != stage) reported.push_back(stage);
        });
    QVERIFY(fitted.seconds.count(ReconstructionStage::Turn));
    QVERIFY(fitted.seconds.count(ReconstructionStage::Fit));
    QVERIFY(std::find(reported.begin(), reported.end(), ReconstructionStage::Turn) !=
            reported.end());
    QVERIFY(reported.back() == ReconstructionStage::Fit);
    QVERIFY(!plain.seconds.count(ReconstructionStage::Fit));
    ReconstructionOptions unturned = fastOptions(3);
    unturned.turnCandidates = false;
    QVERIFY(
        !reconstructor.fromPointCloud(cloud, unturned).seconds.count(ReconstructionStage::Turn));

    int moved = 0;
    double previous = 0.0;
    for (const Candidate& c : fitted.candidates) {
        QVERIFY(!c.fitted || c.valid());
        if (c.valid()) {
            QVERIFY(c.chamfer >= previous);
            previous = c.chamfer;
        }
        const auto twin = std::find_if(plain.candidates.begin(), plain.candidates.end(),
                                       [&](const Candidate& p) { return p.tokens == c.tokens; });
        QVERIFY(twin != plain.candidates.end());
        if (!c.fitted) continue;
        ++moved;
        const auto toRaw = [&](const Candidate& candidate) {
            return cad::chamferDistance(
                cad::samplePoints(cad::tessellate(candidate.shape), 2000, 11).positions,
                fitted.raw.positions);
        };
        qInfo("fitted: CD to P_raw %.3f -> %.3f mm", toRaw(*twin), toRaw(c));
        QVERIFY(toRaw(c) < toRaw(*twin));
        QVERIFY(c.report.valid && c.report.volume > 0.0);
        QCOMPARE(c.program.extrudes.size(), twin->program.extrudes.size());
    }
    QVERIFY(moved <= 2);
    QVERIFY2(moved > 0, "the fit moved no candidate of the tiny model");
}

// K x 2 sequences sampled, the K nearest P_ref kept: the first K of the plain run with 2K
// candidates (the same seeds, the same ranking), turned or not; 4 per candidate from a cloud
// by default.
void TestReconstructor::keepsTheBestOfMoreSamples() {
    Reconstructor reconstructor(m_model);
    const cad::PointCloud cloud = washerCloud();
    for (bool turn : {false, true}) {
        ReconstructionOptions options = fastOptions(5);
        options.turnCandidates = turn;
        const Reconstruction all = reconstructor.fromPointCloud(cloud, options);
        options.candidates = 4;
        options.samplesPerCandidate = 2;
        const Reconstruction kept = reconstructor.fromPointCloud(cloud, options);
        QCOMPARE(kept.candidates.size(), std::size_t(4));
        for (std::size_t i = 0; i < kept.candidates.size(); ++i) {
            QVERIFY(kept.candidates[i].tokens == all.candidates[i].tokens);
            QCOMPARE(kept.candidates[i].chamfer, all.candidates[i].chamfer);
            QCOMPARE(kept.candidates[i].turned, all.candidates[i].turned);
        }
    }
    // Automatic (0): 4 per candidate from a cloud.
    ReconstructionOptions options = fastOptions();
    options.candidates = 2;
    options.samplesPerCandidate = 0;
    const Reconstruction automatic = reconstructor.fromPointCloud(cloud, options);
    options.samplesPerCandidate = 4;
    const Reconstruction four = reconstructor.fromPointCloud(cloud, options);
    QCOMPARE(automatic.candidates.size(), std::size_t(2));
    for (std::size_t i = 0; i < 2; ++i)
        QVERIFY(automatic.candidates[i].tokens == four.candidates[i].tokens);
    options.samplesPerCandidate = -1;
    const std::string message = errorOf([&] { reconstructor.fromPointCloud(cloud, options); });
    QVERIFY2(contains(message, "between 1 and 64"), message.c_str());
}

void TestReconstructor::addsTheLibrarysNearestParts() {
    const fs::path root = m_dir->path().toStdString();
    const fs::path model = root / "with-library";
    fs::copy(m_model, model, fs::copy_options::recursive);
    const PartLibraryResult built = buildPartLibrary(
        {root / "washers", m_model / "codebook", m_model / "align", model / "library"}, {},
        nullptr);
    QCOMPARE(built.skipped, std::int64_t(0));
    QVERIFY(built.parts > 0);
    const PartLibrary library =
        loadPartLibrary(model / "library", model / "codebook", model / "align");
    QCOMPARE(library.size(), built.parts);
    // The rows of the library as the reconstructor's candidates hold them (up to END).
    std::vector<std::vector<std::int64_t>> rows;
    const std::int64_t end = library.tokens.max().item<std::int64_t>();
    for (std::int64_t r = 0; r < library.size(); ++r) {
        std::vector<std::int64_t> row;
        for (std::int64_t i = 0; i < library.tokens.size(1); ++i) {
            row.push_back(library.tokens[r][i].item<std::int64_t>());
            if (row.back() == end) break;
        }
        rows.push_back(row);
    }
    const auto inLibrary = [&](const std::vector<std::int64_t>& tokens) {
        return std::find(rows.begin(), rows.end(), tokens) != rows.end();
    };

    const cad::PointCloud cloud = washerCloud();
    ReconstructionOptions options = fastOptions();
    options.turnCandidates = false;
    options.retrievedParts = 0;
    const Reconstruction plain = Reconstructor(m_model).fromPointCloud(cloud, options);
    Reconstructor reconstructor(model);
    const Reconstruction none = reconstructor.fromPointCloud(cloud, options);
    for (std::size_t i = 0; i < plain.candidates.size(); ++i)
        QVERIFY(none.candidates[i].tokens == plain.candidates[i].tokens);
    // As they are: 8 samples and 3 parts, the 8 nearest P_ref kept; the samples are the same
    // draws as without them.
    options.retrievedParts = 3;
    const Reconstruction added = reconstructor.fromPointCloud(cloud, options);
    QCOMPARE(added.candidates.size(), std::size_t(8));
    const auto sampled = [&](const Candidate& c) {
        return std::any_of(plain.candidates.begin(), plain.candidates.end(),
                           [&](const Candidate& p) { return p.tokens == c.tokens; });
    };
    for (const Candidate& c : added.candidates)
        QVERIFY(c.retrieved ? inLibrary(c.tokens) : sampled(c));
    // Automatic: 4.
    options.candidates = 1;
    options.retrievedParts = -1;
    const Reconstruction automatic = reconstructor.fromPointCloud(cloud, options);
    options.retrievedParts = 4;
    QVERIFY(automatic.candidates.front().tokens ==
            reconstructor.fromPointCloud(cloud, options).candidates.front().tokens);
    // Edited under the condition: repeatable for a seed.
    options.candidates = 8;
    options.retrievedStep = 30;
    options.samplesPerRetrieved = 2;
    const Reconstruction edited = reconstructor.fromPointCloud(cloud, options);
    const Reconstruction again = reconstructor.fromPointCloud(cloud, options);
    for (std::size_t i = 0; i < edited.candidates.size(); ++i)
        QVERIFY(edited.candidates[i].tokens == again.candidates[i].tokens);
    options.retrievedStep = 101;
    std::string message = errorOf([&] { reconstructor.fromPointCloud(cloud, options); });
    QVERIFY2(contains(message, "between 0 and 100"), message.c_str());
    options.retrievedStep = 0;
    options.retrievedParts = 65;
    message = errorOf([&] { reconstructor.fromPointCloud(cloud, options); });
    QVERIFY2(contains(message, "retrieved parts must be between"), message.c_str());

    // A library built with another codebook or aligner is refused by name.
    nlohmann::json manifest = readModelManifest(model / "library", "library");
    manifest["training"]["codebook_fingerprint"] = "0000000000000000";
    writeModelManifest(model / "library", manifest);
    message = errorOf([&] { Reconstructor{model}; });
    QVERIFY2(contains(message, "library") && contains(message, "another codebook"),
             message.c_str());
}

void TestReconstructor::readsAPhotoWithItsLifter() {
    const fs::path photo = fs::path(m_dir->path().toStdString()) / "washer.png";
    writeImage(test::syntheticView(3).color, photo);
    ReconstructionOptions options = fastOptions();
    options.photoHints.rect = PixelRect{4, 4, 24, 24};
    options.fitCompiles = 30; // a photo's candidates are fitted only when asked (fitPhotos)
    const Reconstruction result = Reconstructor(m_model).fromPhoto(photo, options);
    QCOMPARE(result.raw.size(), std::size_t(64)); // the tiny lifter's 8 x 8 points
    QVERIFY(result.seconds.count(ReconstructionStage::Lift));
    QVERIFY(result.seconds.count(ReconstructionStage::Turn)); // turned, not fitted
    QVERIFY(!result.seconds.count(ReconstructionStage::Fit));
    for (const Candidate& c : result.candidates)
        QVERIFY(!c.fitted);
    QCOMPARE(result.candidates.size(), std::size_t(8));
    // The photo and its mask come back for the window to overlay.
    QCOMPARE(result.photo.width, test::kTinyViewSize);
    QCOMPARE(result.photoMask.width, result.photo.width);
    QCOMPARE(result.photoMask.channels, 1);

    const std::string message = errorOf(
        [&] { Reconstructor(m_model).fromPhoto(photo.parent_path() / "missing.png", options); });
    QVERIFY2(contains(message, "missing.png"), message.c_str());
}

void TestReconstructor::ablationModel3ReadsImageFeaturesDirectly() {
    // The denoiser trained on the lifter's image features of each view instead of z_P.
    const fs::path root = m_dir->path().toStdString();
    const fs::path model3 = root / "model3";
    fs::create_directories(model3);
    for (const char* stage : {"codebook", "align", "refine", "lift"})
        fs::copy(m_model / stage, model3 / stage, fs::copy_options::recursive);
    DiffusionTrainingSettings settings = test::tinyDiffusionSettings(
        root / "washers", m_model / "codebook", {}, model3 / "diffusion", 400);
    settings.model.maxTokens = 48;
    std::string message = errorOf([&] { trainDiffusion(settings, {}); });
    QVERIFY2(contains(message, "--align") && contains(message, "--lift"), message.c_str());
    settings.lift = m_model / "lift";
    QVERIFY(trainDiffusion(settings, {}).finished);
    QCOMPARE(diffusionCondition(model3 / "diffusion"), DiffusionCondition::Image);
    QCOMPARE(diffusionCondition(m_model / "diffusion"), DiffusionCondition::Points);
    QCOMPARE(loadDenoiser(model3 / "diffusion")->options().conditionDim,
             test::tinyLiftSettings({}, {}).model.vit.width);

    Reconstructor reconstructor(model3);
    const fs::path photo = root / "washer3.png";
    writeImage(test::syntheticView(3).color, photo);
    ReconstructionOptions options = fastOptions();
    options.photoHints.rect = PixelRect{4, 4, 24, 24};
    const Reconstruction result = reconstructor.fromPhoto(photo, options);
    QCOMPARE(result.candidates.size(), std::size_t(8));
    // Trained as long as the washer model's own denoiser, it has learnt the washers from the
    // image features alone.
    QVERIFY2(result.candidates.front().valid(), result.candidates.front().error.c_str());
    // It has no point bridge to condition on a cloud with.
    message = errorOf([&] { reconstructor.fromPointCloud(washerCloud()); });
    QVERIFY2(contains(message, "photos only"), message.c_str());
    // Without the lifter its condition cannot be computed.
    fs::remove_all(model3 / "lift");
    message = errorOf([&] { Reconstructor{model3}; });
    QVERIFY2(contains(message, "image features"), message.c_str());
}

void TestReconstructor::generatesUnconditionally() {
    const std::vector<Candidate> samples = Reconstructor(m_model).generate(5, fastOptions());
    QCOMPARE(samples.size(), std::size_t(5));
    for (const Candidate& c : samples) {
        QVERIFY(c.valid() != !c.error.empty());
        QVERIFY(c.chamfer < 0.0);                                    // nothing to compare with
        if (c.valid()) QVERIFY(c.report.bbox.largestSide() < 200.0); // about --part-size
    }
}

// The evaluation's "perfect denoiser": a known program encoded and decoded by the codebook,
// then fitted and compiled as sampled candidates are.
void TestReconstructor::passesAProgramThroughTheCodebook() {
    Reconstructor reconstructor(m_model);
    const cad::PointCloud cloud = washerCloud();
    const Candidate own = reconstructor.throughCodebook(
        cad::generatePart(cad::PartFamily::Spacer, 5).program, cloud, fastOptions());
    QVERIFY(own.decoded);
    QVERIFY(!own.tokens.empty());
    QVERIFY2(own.valid(), own.error.c_str()); // a washer, through a codebook trained on washers
    const cad::BoundingBox box = cloud.bounds();
    const double tolerance = (own.turned ? 0.03 : 1e-3) * box.largestSide(); // as candidates'
    QVERIFY(std::abs(own.report.bbox.largestSide() - box.largestSide()) < tolerance);
    QVERIFY((own.report.bbox.center() - box.center()).norm() < tolerance);

    const std::string message =
        errorOf([&] { reconstructor.throughCodebook(cad::Program{}, cloud, fastOptions()); });
    QVERIFY2(contains(message, "cannot encode"), message.c_str());
}

void TestReconstructor::cancels() {
    std::atomic<bool> cancel{false};
    Reconstructor reconstructor(m_model);
    QVERIFY_THROWS_EXCEPTION(Cancelled, reconstructor.fromPointCloud(
                                            washerCloud(), fastOptions(),
                                            [&](ReconstructionStage stage, double) {
                                                if (stage == ReconstructionStage::Encode)
                                                    cancel = true;
                                            },
                                            &cancel));
}

void TestReconstructor::refusesBadModelsAndInput() {
    const fs::path root = m_dir->path().toStdString();
    std::string message = errorOf([&] { Reconstructor(root / "nowhere"); });
    QVERIFY2(contains(message, "not a model folder"), message.c_str());

    // A model without a diffusion stage, and one whose diffusion speaks another codebook.
    const fs::path broken = root / "broken";
    fs::create_directories(broken);
    for (const char* stage : {"codebook", "align", "refine"})
        fs::copy(m_model / stage, broken / stage, fs::copy_options::recursive);
    message = errorOf([&] { Reconstructor{broken}; });
    QVERIFY2(contains(message, "no diffusion stage"), message.c_str());
    fs::copy(m_model / "diffusion", broken / "diffusion", fs::copy_options::recursive);
    fs::remove_all(broken / "codebook");
    CodebookTrainingSettings other =
        test::tinyCodebookSettings(root / "washers", broken / "codebook");
    other.model.codes = 16; // another vocabulary
    QVERIFY(trainCodebook(other, {}).finished);
    message = errorOf([&] { Reconstructor{broken}; });
    QVERIFY2(contains(message, "not trained together"), message.c_str());
    fs::remove(broken / "diffusion" / "denoiser.pt");
    message = errorOf([&] { Reconstructor{broken}; });
    QVERIFY2(contains(message, "diffusion stage cannot be loaded"), message.c_str());

    // A model without a lifter reads point clouds only.
    fs::remove_all(broken);
    fs::create_directories(broken);
    for (const char* stage : {"codebook", "align", "refine", "diffusion"})
        fs::copy(m_model / stage, broken / stage, fs::copy_options::recursive);
    Reconstructor cloudsOnly(broken);
    QVERIFY(!cloudsOnly.readsPhotos());
    message = errorOf([&] { cloudsOnly.fromPhoto(root / "washer.png"); });
    QVERIFY2(contains(message, "no lifting stage"), message.c_str());

    cad::PointCloud few;
    few.positions.assign(5, {1.0f, 2.0f, 3.0f});
    message = errorOf([&] { cloudsOnly.fromPointCloud(few); });
    QVERIFY2(contains(message, "at least 16 points"), message.c_str());
    few.positions.assign(20, {1.0f, 2.0f, 3.0f});
    message = errorOf([&] { cloudsOnly.fromPointCloud(few); });
    QVERIFY2(contains(message, "spans no volume"), message.c_str());
    few.positions[3].y = std::numeric_limits<float>::quiet_NaN();
    message = errorOf([&] { cloudsOnly.fromPointCloud(few); });
    QVERIFY2(contains(message, "not finite"), message.c_str());
    ReconstructionOptions none = fastOptions();
    none.candidates = 0;
    message = errorOf([&] { cloudsOnly.fromPointCloud(washerCloud(), none); });
    QVERIFY2(contains(message, "between 1 and 256"), message.c_str());
}

IMG2CAD_REGISTER_TEST(TestReconstructor)
#include "test_reconstructor.moc"
