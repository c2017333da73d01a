// SPDX-License-Identifier: MIT
// The hierarchical EB / SP / CC encoding: decoding gives back the same solid for every real
// sequence, generated part and the shipped sample; the encoding is a fixed point, sorted by
// S_m and closed; the float matrices round-trip; unencodable programs fail clearly. The flat
// absolute encoding (ablation Model 1) gives back the same solids too.

#include "test_paths.h"
#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/generator/part_generator.h"
#include "cad/program_json.h"
#include "cad/topology.h"
#include "ml/codebook/cad_encoding.h"
#include "ml/error.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

namespace {

constexpr int kPartsPerFamily = 20;

fs::path samplePath() {
    return fs::path(IMG2CAD_SOURCE_DIR) / "assets/samples/flanged_bracket.json";
}

/// Largest absolute difference between two encodings' rows; infinity when shapes differ.
double rowDistance(const EncodedProgram& a, const EncodedProgram& b) {
    if (a.extrudes.size() != b.extrudes.size()) return INFINITY;
    double worst = 0.0;
    // Angles are compared on the circle: pi and -pi are the same direction, and which one
    // atan2 returns flips with the last bit of a coordinate.
    const auto compare = [&](const auto& x, const auto& y, std::size_t angleColumn) {
        if (x.size() != y.size()) return false;
        for (std::size_t r = 0; r < x.size(); ++r)
            for (std::size_t c = 0; c < x[r].size(); ++c) {
                double d = x[r][c] - y[r][c];
                if (c == angleColumn) d = std::remainder(d, 2.0 * M_PI);
                worst = std::max(worst, std::fabs(d));
            }
        return true;
    };
    for (std::size_t e = 0; e < a.extrudes.size(); ++e) {
        const EncodedExtrude& x = a.extrudes[e];
        const EncodedExtrude& y = b.extrudes[e];
        if (!compare(std::vector{x.eb}, std::vector{y.eb}, kEbXAxisAngle) ||
            !compare(x.loops, y.loops, kSpStartAngle) || !compare(x.curves, y.curves, kCcTurn))
            return INFINITY;
    }
    return worst;
}

struct RoundTrip {
    double volumeError = 0.0; ///< relative
    double boxError = 0.0;    ///< relative to the largest side
    double fixedPointError = 0.0;
    double closure = 0.0;
    double flatVolumeError = 0.0; ///< relative, through the flat absolute encoding
};

/// Encodes, decodes and compiles both; QVERIFY-style failures are reported by the caller.
RoundTrip roundTrip(const cad::Program& program) {
    const EncodedProgram encoded = encodeProgram(program);
    const cad::Program decoded = decodeProgram(encoded);
    const cad::ShapeReport before = cad::analyse(cad::compile(program));
    const cad::ShapeReport after = cad::analyse(cad::compile(decoded));
    RoundTrip result;
    result.volumeError = std::fabs(after.volume - before.volume) / before.volume;
    const cad::Vec3 lo = after.bbox.min - before.bbox.min;
    const cad::Vec3 hi = after.bbox.max - before.bbox.max;
    result.boxError = std::max({std::fabs(lo.x), std::fabs(lo.y), std::fabs(lo.z), std::fabs(hi.x),
                                std::fabs(hi.y), std::fabs(hi.z)}) /
                      before.bbox.largestSide();
    result.fixedPointError = rowDistance(encoded, encodeProgram(decoded));
    result.closure = closureResidual(encoded);
    const FlatProgram flat = encodeFlat(program);
    if (flatMatrix(flat).cols != kFlatDim) result.flatVolumeError = INFINITY;
    const double flatVolume = cad::analyse(cad::compile(decodeFlat(flat))).volume;
    result.flatVolumeError =
        std::max(result.flatVolumeError, std::fabs(flatVolume - before.volume) / before.volume);
    return result;
}

/// Worst case over every round trip of the run, reported at the end (docs quote it).
struct Worst {
    int programs = 0;
    RoundTrip worst;
} g_worst;

void verifyRoundTrip(const cad::Program& program, const QString& label) {
    const RoundTrip r = roundTrip(program);
    ++g_worst.programs;
    g_worst.worst.volumeError = std::max(g_worst.worst.volumeError, r.volumeError);
    g_worst.worst.boxError = std::max(g_worst.worst.boxError, r.boxError);
    g_worst.worst.fixedPointError = std::max(g_worst.worst.fixedPointError, r.fixedPointError);
    g_worst.worst.closure = std::max(g_worst.worst.closure, r.closure);
    g_worst.worst.flatVolumeError = std::max(g_worst.worst.flatVolumeError, r.flatVolumeError);
    const QString detail = QString("%1: volume error %2, box error %3, fixed-point error %4, "
                                   "closure %5, flat volume error %6")
                               .arg(label)
                               .arg(r.volumeError)
                               .arg(r.boxError)
                               .arg(r.fixedPointError)
                               .arg(r.closure)
                               .arg(r.flatVolumeError);
    QVERIFY2(r.volumeError < 1e-4, qPrintable(detail));
    QVERIFY2(r.boxError < 1e-4, qPrintable(detail));
    QVERIFY2(r.fixedPointError < 1e-9, qPrintable(detail));
    QVERIFY2(r.closure < 1e-6, qPrintable(detail));
    QVERIFY2(r.flatVolumeError < 1e-4, qPrintable(detail));
}

/// A 4 x 2 rectangle at (x, y) and a circle of radius r at c, in one profile each.
cad::Program twoProfileProgram() {
    cad::Program program;
    program.name = "two profiles";
    cad::Extrude extrude;
    const auto line = [](double ax, double ay, double bx, double by) {
        return cad::Curve{cad::Line{{ax, ay}, {bx, by}}};
    };
    cad::Loop small{{cad::Circle{{20, 20}, 1.0}}};
    cad::Loop big{{line(0, 0, 10, 0), line(10, 0, 10, 6), line(10, 6, 0, 6), line(0, 6, 0, 0)}};
    cad::Loop hole{{cad::Circle{{5, 3}, 2.0}}};
    extrude.profiles = {cad::Profile{{small}}, cad::Profile{{hole, big}}};
    extrude.extent = {cad::ExtentType::OneSided, 5.0, 0.0};
    program.extrudes.push_back(extrude);
    return program;
}

} // namespace

class TestCadEncoding : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realSequencesRoundTrip_data();
    void realSequencesRoundTrip();
    void generatedPartsRoundTrip_data();
    void generatedPartsRoundTrip();
    void sampleRoundTrips();
    void loopsAreSortedByScore();
    void closureResidualDetectsCorruption();
    void matricesRoundTrip();
    void unencodableProgramsFail();
    void repairDecodesWhatStrictRejects();
    void cleanupTestCase() {
        qInfo("%d programs round-tripped; worst relative volume error %.3g, box error %.3g, "
              "fixed-point row difference %.3g, closure residual %.3g, flat volume error %.3g",
              g_worst.programs, g_worst.worst.volumeError, g_worst.worst.boxError,
              g_worst.worst.fixedPointError, g_worst.worst.closure, g_worst.worst.flatVolumeError);
    }
};

void TestCadEncoding::realSequencesRoundTrip_data() {
    IMG2CAD_REQUIRE_SHARED_DATA();
    QTest::addColumn<QString>("path");
    for (const fs::path& path :
         test::filesWithExtensions(test::sharedDataDir() / "sequences", {".json"}))
        QTest::newRow(path.filename().string().c_str()) << QString::fromStdString(path.string());
}

void TestCadEncoding::realSequencesRoundTrip() {
    QFETCH(QString, path);
    const cad::Program program = cad::importSequenceFile(path.toStdString()).program;
    verifyRoundTrip(program, path.section('/', -1));
}

void TestCadEncoding::generatedPartsRoundTrip_data() {
    QTest::addColumn<int>("family");
    for (const cad::PartFamily family : cad::allPartFamilies())
        QTest::newRow(cad::partFamilyName(family)) << int(family);
}

void TestCadEncoding::generatedPartsRoundTrip() {
    QFETCH(int, family);
    for (int seed = 0; seed < kPartsPerFamily; ++seed) {
        const cad::GeneratedPart part = cad::generatePart(cad::PartFamily(family), seed);
        verifyRoundTrip(part.program,
                        QString("%1 seed %2").arg(cad::partFamilyName(part.family)).arg(seed));
    }
}

void TestCadEncoding::sampleRoundTrips() {
    verifyRoundTrip(cad::readProgram(samplePath()), "flanged_bracket.json");
}

void TestCadEncoding::loopsAreSortedByScore() {
    const EncodedProgram encoded = encodeProgram(twoProfileProgram());
    QCOMPARE(encoded.extrudes.size(), std::size_t(1));
    const EncodedExtrude& extrude = encoded.extrudes[0];
    QCOMPARE(extrude.loops.size(), std::size_t(3));
    for (std::size_t i = 1; i < extrude.loops.size(); ++i)
        QVERIFY(extrude.loops[i - 1][kSpScore] >= extrude.loops[i][kSpScore]);
    // The rectangle dominates: first row, profile 0, starting bottom-left heading +x.
    const double scale = encoded.normalisation.scale;
    QCOMPARE(extrude.loops[0][kSpProfile], 0.0);
    QVERIFY(std::fabs(extrude.loops[0][kSpStartX]) < 1e-12);
    QVERIFY(std::fabs(extrude.loops[0][kSpStartY]) < 1e-12);
    QVERIFY(std::fabs(extrude.loops[0][kSpStartAngle]) < 1e-12);
    // Then the hole (same profile as the rectangle), then the small circle (profile 1).
    QCOMPARE(extrude.loops[1][kSpProfile], 0.0);
    QVERIFY(std::fabs(extrude.loops[1][kSpStartX] * scale - 7.0) < 1e-9);
    QCOMPARE(extrude.loops[2][kSpProfile], 1.0);
    // Four lines + EOS, circle + EOS, circle + EOS.
    QCOMPARE(extrude.curves.size(), std::size_t(9));
    QCOMPARE(extrude.curves[4][kCcTypeEos], 1.0);
    QCOMPARE(extrude.curves[5][kCcTypeArcCircle], 1.0);
    QVERIFY(std::fabs(extrude.curves[5][kCcLength] * scale - 4.0) < 1e-9);
    // Corners of a counter-clockwise rectangle turn left by pi/2.
    for (int i = 1; i < 4; ++i)
        QVERIFY(std::fabs(extrude.curves[std::size_t(i)][kCcTurn] - M_PI / 2) < 1e-12);
    verifyRoundTrip(twoProfileProgram(), "two profiles");
}

void TestCadEncoding::closureResidualDetectsCorruption() {
    EncodedProgram encoded = encodeProgram(cad::readProgram(samplePath()));
    QVERIFY(closureResidual(encoded) < 1e-12);
    // Lengthen the first curve of a multi-curve loop by a tenth of the part.
    bool corrupted = false;
    for (EncodedExtrude& extrude : encoded.extrudes) {
        if (extrude.curves.size() > 2 && extrude.curves[1][kCcTypeEos] == 0.0) {
            extrude.curves[0][kCcLength] += 0.1;
            corrupted = true;
            break;
        }
    }
    QVERIFY(corrupted);
    QVERIFY(closureResidual(encoded) > 1e-3);
}

void TestCadEncoding::matricesRoundTrip() {
    const cad::Program program = cad::readProgram(samplePath());
    const EncodedProgram encoded = encodeProgram(program);
    const ProgramMatrices matrices = toMatrices(encoded);
    QCOMPARE(matrices.eb.rows, encoded.extrudes.size());
    QCOMPARE(matrices.eb.cols, std::size_t(kEbDim));
    QCOMPARE(matrices.cc[0].cols, std::size_t(kCcDim));
    QCOMPARE(matrices.sp[0].rows, encoded.extrudes[0].loops.size());
    const EncodedProgram back = fromMatrices(matrices);
    QVERIFY(rowDistance(encoded, back) < 1e-6);
    const ProgramMatrices again = toMatrices(back);
    QVERIFY(again.eb == matrices.eb);
    QVERIFY(again.sp == matrices.sp);
    QVERIFY(again.cc == matrices.cc);
    // Single precision still gives the same solid to well within a thousandth.
    const double before = cad::analyse(cad::compile(program)).volume;
    const double after = cad::analyse(cad::compile(decodeProgram(back))).volume;
    QVERIFY2(std::fabs(after - before) < 1e-3 * before, qPrintable(QString::number(after)));

    ProgramMatrices broken = matrices;
    broken.cc[0].cols = 7;
    QVERIFY_THROWS_EXCEPTION(Error, fromMatrices(broken));
}

void TestCadEncoding::unencodableProgramsFail() {
    QVERIFY_THROWS_EXCEPTION(Error, encodeProgram(cad::Program{}));
    cad::Program collinear = twoProfileProgram();
    collinear.extrudes[0].profiles[0].loops[0].curves = {cad::Arc{{0, 0}, {1, 0}, {2, 0}},
                                                         cad::Line{{2, 0}, {0, 0}}};
    try {
        encodeProgram(collinear);
        QFAIL("a collinear arc was encoded");
    } catch (const Error& error) {
        QVERIFY2(QString(error.what()).contains("collinear"), error.what());
    }
    cad::Program mixed = twoProfileProgram();
    mixed.extrudes[0].profiles[1].loops[0].curves.push_back(cad::Line{{0, 0}, {1, 1}});
    QVERIFY_THROWS_EXCEPTION(Error, encodeProgram(mixed));
    cad::Program noLoops = twoProfileProgram();
    noLoops.extrudes[0].profiles.clear();
    QVERIFY_THROWS_EXCEPTION(Error, encodeProgram(noLoops));
    // A decoder fed rows with a missing EOS says so instead of guessing.
    EncodedProgram encoded = encodeProgram(twoProfileProgram());
    encoded.extrudes[0].curves.pop_back();
    QVERIFY_THROWS_EXCEPTION(Error, decodeProgram(encoded));
}

void TestCadEncoding::repairDecodesWhatStrictRejects() {
    const cad::Program program = cad::readProgram(samplePath());
    const double volume = cad::analyse(cad::compile(program)).volume;
    const auto repairedVolume = [](const EncodedProgram& e) {
        return cad::analyse(cad::compile(decodeProgram(e, DecodeMode::Repair))).volume;
    };
    // A stray CC row after the last EOS: strict throws, repair drops it (the same solid).
    EncodedProgram trailing = encodeProgram(program);
    trailing.extrudes[0].curves.push_back(trailing.extrudes[0].curves.front());
    QVERIFY_THROWS_EXCEPTION(Error, decodeProgram(trailing));
    QVERIFY(std::fabs(repairedVolume(trailing) - volume) < 1e-6 * volume);
    // A repair that changes nothing when nothing is wrong.
    QVERIFY(std::fabs(repairedVolume(encodeProgram(program)) - volume) < 1e-6 * volume);
    // An extrude whose only loop cannot be decoded (no curves left) is dropped, the rest stays.
    EncodedProgram broken = encodeProgram(twoProfileProgram());
    broken.extrudes.push_back(broken.extrudes[0]);
    broken.extrudes[1].curves.clear();
    QVERIFY_THROWS_EXCEPTION(Error, decodeProgram(broken));
    QCOMPARE(decodeProgram(broken, DecodeMode::Repair).extrudes.size(), std::size_t(1));
    // Nothing left to repair: still an error.
    broken.extrudes[0].curves.clear();
    QVERIFY_THROWS_EXCEPTION(Error, decodeProgram(broken, DecodeMode::Repair));

    // A one-curve loop typed as a line: strict throws, repair reads the circle it must be.
    const cad::Program circles = twoProfileProgram();
    EncodedProgram lineTyped = encodeProgram(circles);
    std::vector<CcRow>& rows = lineTyped.extrudes[0].curves;
    const auto isEos = [&](std::size_t r) { return rows[r][kCcTypeEos] > 0.5; };
    std::size_t circleRow = 0;
    while (!(rows[circleRow][kCcTypeArcCircle] > 0.5 && isEos(circleRow + 1) &&
             (circleRow == 0 || isEos(circleRow - 1))))
        ++circleRow;
    rows[circleRow][kCcTypeArcCircle] = 0.0;
    rows[circleRow][kCcTypeLine] = 1.0;
    QVERIFY_THROWS_EXCEPTION(Error, decodeProgram(lineTyped));
    const double circlesVolume = cad::analyse(cad::compile(circles)).volume;
    QVERIFY(std::fabs(repairedVolume(lineTyped) - circlesVolume) < 1e-6 * circlesVolume);
}

IMG2CAD_REGISTER_TEST(TestCadEncoding)
#include "test_cad_encoding.moc"
