// SPDX-License-Identifier: MIT
// DeepCAD / Fusion 360 Gallery import on hand-written sequences: units, chaining of curves
// listed out of order, arcs, offsets, and clear rejections.

#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/deepcad_import.h"
#include "cad/error.h"
#include "cad/topology.h"

#include <QTest>

#include <cmath>

using namespace img2cad::cad;

namespace {

std::string point(double x, double y) {
    return R"({"type":"Point3D","x":)" + std::to_string(x) + R"(,"y":)" + std::to_string(y) +
           R"(,"z":0})";
}

std::string line(double x0, double y0, double x1, double y1) {
    return R"({"type":"Line3D","start_point":)" + point(x0, y0) + R"(,"end_point":)" +
           point(x1, y1) + "}";
}

/// A one-sketch, one-extrude sequence; `curves` form the single loop of the profile.
std::string sequence(const std::string& curves, bool fusion, const std::string& extrudeExtras = "",
                     const std::string& extent = R"("OneSideFeatureExtentType")") {
    const std::string order = fusion ? "timeline" : "sequence";
    return R"({"entities":{"S":{"type":"Sketch","transform":{"origin":{"x":0,"y":0,"z":0},"x_axis":{"x":1,"y":0,"z":0},"y_axis":{"x":0,"y":1,"z":0},"z_axis":{"x":0,"y":0,"z":1}},"profiles":{"P":{"loops":[{"is_outer":true,"profile_curves":[)" +
           curves +
           R"(]}]}}},"E":{"type":"ExtrudeFeature","profiles":[{"sketch":"S","profile":"P"}],"operation":"NewBodyFeatureOperation","extent_type":)" +
           extent +
           R"(,"extent_one":{"type":"DistanceExtentDefinition","distance":{"value":2.0},"taper_angle":{"value":0.0}},"extent_two":{"type":"DistanceExtentDefinition","distance":{"value":1.0}},"start_extent":{"type":"ProfilePlaneStartDefinition"})" +
           extrudeExtras + R"(}},")" + order +
           R"(":[{"index":0,"entity":"S"},{"index":1,"entity":"E"}],"properties":{"volume":8.0}})";
}

const std::string kShuffledSquare =
    line(0, 0, 2, 0) + "," + line(0, 2, 2, 2) + "," + line(0, 0, 0, 2) + "," + line(2, 2, 2, 0);

std::string importError(const std::string& json) {
    try {
        importSequence(json);
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

} // namespace

class TestDeepCadImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void convertsUnitsAndChainsShuffledCurves();
    void readsArcsThroughTheirMeanAngle();
    void readsSymmetricTwoSidedAndOffsetExtents();
    void rejectsWhatItCannotBuildFaithfully();
};

void TestDeepCadImport::convertsUnitsAndChainsShuffledCurves() {
    ImportedSequence deepcad = importSequence(sequence(kShuffledSquare, false));
    QVERIFY(deepcad.format == SequenceFormat::DeepCad);
    QCOMPARE(deepcad.program.extrudes.size(), std::size_t(1));
    // Metres: a 2 m square extruded 2 m is 8e9 mm^3.
    QCOMPARE(analyse(compile(deepcad.program)).volume, 8e9);

    ImportedSequence fusion = importSequence(sequence(kShuffledSquare, true));
    QVERIFY(fusion.format == SequenceFormat::Fusion360);
    QCOMPARE(analyse(compile(fusion.program)).volume, 8000.0); // centimetres
    QCOMPARE(*fusion.recordedVolume, 8000.0);
}

void TestDeepCadImport::readsArcsThroughTheirMeanAngle() {
    // Half disc: diameter on the x axis, arc above it (reference +x, angles 0..pi about +z).
    const std::string arc =
        R"({"type":"Arc3D","start_point":)" + point(1, 0) + R"(,"end_point":)" + point(-1, 0) +
        R"(,"center_point":)" + point(0, 0) +
        R"(,"radius":1,"normal":{"x":0,"y":0,"z":1},"start_angle":0,"end_angle":3.141592653589793,"reference_vector":{"x":1,"y":0,"z":0}})";
    const ImportedSequence imported = importSequence(sequence(arc + "," + line(-1, 0, 1, 0), true));
    const ShapeReport report = analyse(compile(imported.program));
    QVERIFY(report.valid);
    QVERIFY(std::fabs(report.volume - 0.5 * M_PI * 100 * 20) < 1e-6);
    QVERIFY(report.bbox.max.y > 9.99); // the arc bulges to +y, not -y
}

void TestDeepCadImport::readsSymmetricTwoSidedAndOffsetExtents() {
    ShapeReport report = analyse(compile(
        importSequence(sequence(kShuffledSquare, true, "", R"("SymmetricFeatureExtentType")"))
            .program));
    QCOMPARE(report.bbox.min.z, -20.0);
    QCOMPARE(report.bbox.max.z, 20.0);
    report = analyse(compile(
        importSequence(sequence(kShuffledSquare, true, "", R"("TwoSidesFeatureExtentType")"))
            .program));
    QCOMPARE(report.bbox.min.z, -10.0);
    QCOMPARE(report.bbox.max.z, 20.0);
    std::string offset = sequence(kShuffledSquare, true);
    offset.replace(offset.find(R"({"type":"ProfilePlaneStartDefinition"})"), 38,
                   R"({"type":"OffsetStartDefinition","offset":{"value":0.5}})");
    report = analyse(compile(importSequence(offset).program));
    QCOMPARE(report.bbox.min.z, 5.0);
    QCOMPARE(report.bbox.max.z, 25.0);
}

void TestDeepCadImport::rejectsWhatItCannotBuildFaithfully() {
    std::string tapered = sequence(kShuffledSquare, true);
    tapered.replace(tapered.find(R"("taper_angle":{"value":0.0})"), 27,
                    R"("taper_angle":{"value":0.1})");
    QVERIFY(importError(tapered).find("tapered") != std::string::npos);

    const std::string open = line(0, 0, 2, 0) + "," + line(2, 0, 2, 2) + "," + line(2, 2, 0, 1.5);
    QVERIFY(importError(sequence(open, true)).find("open") != std::string::npos);

    const std::string spline = R"({"type":"NurbsCurve3D"})";
    QVERIFY(importError(sequence(spline, true)).find("unsupported curve type 'NurbsCurve3D'") !=
            std::string::npos);

    QVERIFY(importError(sequence(kShuffledSquare, true, "", R"("ToObjectExtentType")"))
                .find("unsupported extent type") != std::string::npos);
    QVERIFY(importError("{\"entities\":").find("not valid JSON") != std::string::npos);
    QVERIFY(importError("{}").find("no 'entities'") != std::string::npos);
    std::string missing = sequence(kShuffledSquare, true);
    missing.replace(missing.find(R"("sketch":"S")"), 12, R"("sketch":"X")");
    QVERIFY(importError(missing).find("missing sketch 'X'") != std::string::npos);
}

IMG2CAD_REGISTER_TEST(TestDeepCadImport)
#include "test_deepcad_import.moc"
