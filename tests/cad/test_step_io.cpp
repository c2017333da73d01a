// SPDX-License-Identifier: MIT
#include "file_test_helpers.h"
#include "freecad_check.h"
#include "test_paths.h"
#include "test_registry.h"

#include "cad/error.h"
#include "cad/internal/occ_shape.h"
#include "cad/step_io.h"

#include <BRepAlgoAPI_Cut.hxx>
#include <BRepBndLib.hxx>
#include <BRepGProp.hxx>
#include <BRepPrimAPI_MakeBox.hxx>
#include <BRepPrimAPI_MakeCylinder.hxx>
#include <BRep_Builder.hxx>
#include <Bnd_Box.hxx>
#include <GProp_GProps.hxx>
#include <TopExp.hxx>
#include <TopTools_IndexedMapOfShape.hxx>
#include <TopoDS_Compound.hxx>
#include <gp_Ax2.hxx>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using img2cad::cad::Error;
using img2cad::cad::Shape;

using namespace img2cad::test;

namespace {

TopoDS_Shape boxWithHole() {
    const TopoDS_Shape box = BRepPrimAPI_MakeBox(40.0, 30.0, 10.0).Shape();
    const TopoDS_Shape pin =
        BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(20.0, 15.0, -1.0), gp::DZ()), 6.0, 12.0).Shape();
    return BRepAlgoAPI_Cut(box, pin).Shape();
}

TopoDS_Shape cylinder() {
    return BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(0.0, 0.0, 0.0), gp::DZ()), 7.5, 20.0).Shape();
}

TopoDS_Shape twoDisjointSolids() {
    TopoDS_Compound compound;
    BRep_Builder builder;
    builder.MakeCompound(compound);
    builder.Add(compound, BRepPrimAPI_MakeBox(10.0, 10.0, 10.0).Shape());
    builder.Add(
        compound,
        BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(50.0, 0.0, 0.0), gp::DZ()), 4.0, 9.0).Shape());
    return compound;
}

double volumeOf(const TopoDS_Shape& shape) {
    GProp_GProps props;
    BRepGProp::VolumeProperties(shape, props);
    return props.Mass();
}

int countOf(const TopoDS_Shape& shape, TopAbs_ShapeEnum type) {
    TopTools_IndexedMapOfShape map;
    TopExp::MapShapes(shape, type, map);
    return map.Extent();
}

bool closeRelative(double a, double b, double tolerance) {
    return std::abs(a - b) <= tolerance * std::max(std::abs(a), std::abs(b));
}

} // namespace

class TestStepIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void roundTripsShapes_data();
    void roundTripsShapes();
    void writesAp214InMillimetresWithTheProductName();
    void keepsTenMillimetresTenMillimetres();
    void freecadReadsOurFiles();
    void roundTripsBrep_data();
    void roundTripsBrep();
    void readShapeFileDispatchesByExtension();
    void rejectsBadInput();
    void rejectsTruncatedStep();
    void survivesMalformedStep();
    void rejectsUnwritableOutput();
    void rejectsNullShape();
    void failedWriteKeepsThePreviousFile();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_folder;
};

void TestStepIo::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_folder = fs::path(m_dir->path().toStdString());
}

void TestStepIo::roundTripsShapes_data() {
    QTest::addColumn<int>("which");
    QTest::newRow("box with a cylindrical hole") << 0;
    QTest::newRow("cylinder") << 1;
    QTest::newRow("compound of two disjoint solids") << 2;
}

void TestStepIo::roundTripsShapes() {
    QFETCH(int, which);
    const TopoDS_Shape original = which == 0   ? boxWithHole()
                                  : which == 1 ? cylinder()
                                               : twoDisjointSolids();
    const fs::path path = m_folder / "part.step";
    img2cad::cad::writeStep(img2cad::cad::wrapOcc(original), path);
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"part.step"});

    const TopoDS_Shape read = img2cad::cad::unwrapOcc(img2cad::cad::readStep(path));
    QVERIFY(!read.IsNull());
    QVERIFY2(closeRelative(volumeOf(read), volumeOf(original), 1e-6),
             qPrintable(QString("volume %1 read back as %2")
                            .arg(volumeOf(original), 0, 'g', 12)
                            .arg(volumeOf(read), 0, 'g', 12)));
    QCOMPARE(countOf(read, TopAbs_FACE), countOf(original, TopAbs_FACE));
    QCOMPARE(countOf(read, TopAbs_SOLID), countOf(original, TopAbs_SOLID));
}

void TestStepIo::writesAp214InMillimetresWithTheProductName() {
    const fs::path path = m_folder / "named.stp";
    img2cad::cad::StepWriteOptions options;
    options.productName = "Bracket 42";
    img2cad::cad::writeStep(img2cad::cad::wrapOcc(boxWithHole()), path, options);
    const std::string text = readText(path);
    // AP214's schema is named AUTOMOTIVE_DESIGN in the file header.
    QVERIFY(contains(text, "FILE_SCHEMA(('AUTOMOTIVE_DESIGN"));
    QVERIFY(contains(text, "automotive_design"));
    QVERIFY2(contains(text, "PRODUCT('Bracket 42','Bracket 42'"), text.substr(0, 2000).c_str());
    // The header names the target, never the temporary file the writer wrote first.
    QVERIFY2(contains(text, "FILE_NAME('named.stp'"), text.substr(0, 2000).c_str());
    QVERIFY(!contains(text, ".tmp-"));
    QVERIFY(contains(text, "SI_UNIT(.MILLI.,.METRE.)"));
}

void TestStepIo::keepsTenMillimetresTenMillimetres() {
    const fs::path path = m_folder / "cube.step";
    img2cad::cad::writeStep(img2cad::cad::wrapOcc(BRepPrimAPI_MakeBox(10.0, 10.0, 10.0).Shape()),
                            path);
    const TopoDS_Shape read = img2cad::cad::unwrapOcc(img2cad::cad::readStep(path));
    Bnd_Box box;
    BRepBndLib::AddOptimal(read, box, false, false);
    double xMin, yMin, zMin, xMax, yMax, zMax;
    box.Get(xMin, yMin, zMin, xMax, yMax, zMax);
    QVERIFY(std::abs((xMax - xMin) - 10.0) < 1e-6);
    QVERIFY(std::abs((yMax - yMin) - 10.0) < 1e-6);
    QVERIFY(std::abs((zMax - zMin) - 10.0) < 1e-6);
    QVERIFY(std::abs(volumeOf(read) - 1000.0) < 1e-6);
}

void TestStepIo::freecadReadsOurFiles() {
    const std::map<std::string, TopoDS_Shape> shapes = {{"box_with_hole.step", boxWithHole()},
                                                        {"cylinder.step", cylinder()},
                                                        {"compound.step", twoDisjointSolids()}};
    std::map<std::string, double> ourVolumes;
    QStringList paths;
    for (const auto& [name, shape] : shapes) {
        const fs::path path = m_folder / name;
        img2cad::cad::writeStep(img2cad::cad::wrapOcc(shape), path);
        ourVolumes[path.string()] = volumeOf(shape);
        paths << QString::fromStdString(path.string());
    }
    const img2cad::test::FreecadRun run = img2cad::test::runFreecadCheck(paths);
    QVERIFY2(run.ran, qPrintable("freecadcmd reported a problem:\n" + run.output));
    QCOMPARE(run.verdicts.size(), shapes.size());
    for (const auto& [path, verdict] : run.verdicts) {
        QVERIFY2(ourVolumes.count(path), qPrintable("unexpected path in: " + run.output));
        QCOMPARE(verdict.status, QString("valid"));
        QVERIFY2(closeRelative(verdict.volume, ourVolumes[path], 1e-6),
                 qPrintable(QString("%1: FreeCAD volume %2, ours %3")
                                .arg(QString::fromStdString(path))
                                .arg(verdict.volume, 0, 'g', 12)
                                .arg(ourVolumes[path], 0, 'g', 12)));
    }
}

void TestStepIo::roundTripsBrep_data() {
    roundTripsShapes_data();
}

void TestStepIo::roundTripsBrep() {
    QFETCH(int, which);
    const TopoDS_Shape original = which == 0   ? boxWithHole()
                                  : which == 1 ? cylinder()
                                               : twoDisjointSolids();
    const fs::path path = m_folder / "part.brep";
    img2cad::cad::writeBrep(img2cad::cad::wrapOcc(original), path);
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"part.brep"});
    const TopoDS_Shape read = img2cad::cad::unwrapOcc(img2cad::cad::readBrep(path));
    QVERIFY(closeRelative(volumeOf(read), volumeOf(original), 1e-9));
    QCOMPARE(countOf(read, TopAbs_FACE), countOf(original, TopAbs_FACE));
    QCOMPARE(countOf(read, TopAbs_SOLID), countOf(original, TopAbs_SOLID));
}

void TestStepIo::readShapeFileDispatchesByExtension() {
    const Shape shape = img2cad::cad::wrapOcc(boxWithHole());
    const double volume = volumeOf(boxWithHole());
    for (const char* name : {"a.STEP", "b.stp", "c.BREP", "d.brp"}) {
        const fs::path path = m_folder / name;
        QVERIFY(img2cad::cad::isShapeFile(path));
        if (path.extension() == ".STEP" || path.extension() == ".stp")
            img2cad::cad::writeStep(shape, path);
        else
            img2cad::cad::writeBrep(shape, path);
        const Shape read = img2cad::cad::readShapeFile(path);
        QVERIFY(closeRelative(volumeOf(img2cad::cad::unwrapOcc(read)), volume, 1e-6));
    }
    QVERIFY(!img2cad::cad::isShapeFile(m_folder / "e.stl"));
    writeText(m_folder / "e.stl", "solid x\nendsolid x\n");
    const std::string message = errorOf([&] { img2cad::cad::readShapeFile(m_folder / "e.stl"); });
    QVERIFY2(contains(message, "unknown shape file type"), message.c_str());
}

void TestStepIo::rejectsBadInput() {
    using img2cad::cad::readBrep;
    using img2cad::cad::readStep;
    const fs::path missing = m_folder / "missing.step";
    std::string message = errorOf([&] { readStep(missing); });
    QVERIFY2(contains(message, "no such file") && contains(message, missing.string()),
             message.c_str());

    fs::create_directory(m_folder / "folder.step");
    message = errorOf([&] { readStep(m_folder / "folder.step"); });
    QVERIFY2(contains(message, "is a folder"), message.c_str());

    writeText(m_folder / "hello.step", "hello");
    message = errorOf([&] { readStep(m_folder / "hello.step"); });
    QVERIFY2(contains(message, "hello.step") && contains(message, "not valid STEP"),
             message.c_str());

    writeText(m_folder / "empty.step", "");
    message = errorOf([&] { readStep(m_folder / "empty.step"); });
    QVERIFY2(contains(message, "empty"), message.c_str());

    writeText(m_folder / "hello.brep", "hello");
    message = errorOf([&] { readBrep(m_folder / "hello.brep"); });
    QVERIFY2(contains(message, "not a valid BREP"), message.c_str());

    writeText(m_folder / "empty.brep", "");
    message = errorOf([&] { readBrep(m_folder / "empty.brep"); });
    QVERIFY2(contains(message, "empty"), message.c_str());
}

void TestStepIo::rejectsTruncatedStep() {
    const fs::path whole = m_folder / "whole.step";
    img2cad::cad::writeStep(img2cad::cad::wrapOcc(boxWithHole()), whole);
    const std::string text = readText(whole);
    const fs::path half = m_folder / "half.step";
    writeText(half, text.substr(0, text.size() / 2));
    const std::string message = errorOf([&] { img2cad::cad::readStep(half); });
    QVERIFY2(contains(message, "half.step") && contains(message, "not valid STEP"),
             message.c_str());
}

// A fuzzed STEP file on which OCC's reader dereferences null (StepGeom_Direction of a line's
// vector); OCC's signal handling must turn that into an error, never a crash (see
// fuzz/fuzz_part_file.cpp).
void TestStepIo::survivesMalformedStep() {
    const fs::path input =
        fs::path(IMG2CAD_SOURCE_DIR) / "fuzz/regressions/occ_step/segv-null-direction.step";
    const std::string message = errorOf([&] { img2cad::cad::readStep(input); });
    QVERIFY2(contains(message, "segv-null-direction.step"), message.c_str());
}

void TestStepIo::rejectsUnwritableOutput() {
    const Shape shape = img2cad::cad::wrapOcc(boxWithHole());
    std::string message =
        errorOf([&] { img2cad::cad::writeStep(shape, m_folder / "no" / "such" / "dir.step"); });
    QVERIFY2(contains(message, "does not exist"), message.c_str());

    // Tests may run as root, which a chmod-ed folder does not stop: use a file as the folder.
    writeText(m_folder / "plain.txt", "x");
    message = errorOf([&] { img2cad::cad::writeStep(shape, m_folder / "plain.txt" / "a.step"); });
    QVERIFY2(contains(message, "is not a folder"), message.c_str());
    message = errorOf([&] { img2cad::cad::writeBrep(shape, m_folder / "plain.txt" / "a.brep"); });
    QVERIFY2(contains(message, "is not a folder"), message.c_str());

    message = errorOf([&] { img2cad::cad::writeStep(shape, "/proc/img2cad-test.step"); });
    QVERIFY2(contains(message, "cannot write"), message.c_str());
    QVERIFY(!fs::exists("/proc/img2cad-test.step"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"plain.txt"});
}

void TestStepIo::rejectsNullShape() {
    std::string message = errorOf([&] { img2cad::cad::writeStep(Shape(), m_folder / "n.step"); });
    QVERIFY2(contains(message, "no shape"), message.c_str());
    message = errorOf([&] {
        img2cad::cad::writeStep(img2cad::cad::wrapOcc(TopoDS_Shape()), m_folder / "n.step");
    });
    QVERIFY2(contains(message, "no shape"), message.c_str());
    message = errorOf([&] { img2cad::cad::writeBrep(Shape(), m_folder / "n.brep"); });
    QVERIFY2(contains(message, "no shape"), message.c_str());
    QVERIFY(folderEntries(m_folder).empty());
}

void TestStepIo::failedWriteKeepsThePreviousFile() {
    const fs::path path = m_folder / "keep.step";
    img2cad::cad::writeStep(img2cad::cad::wrapOcc(cylinder()), path);
    const std::string before = readText(path);
    QVERIFY_THROWS_EXCEPTION(Error, img2cad::cad::writeStep(Shape(), path));
    QCOMPARE(readText(path), before);
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"keep.step"});
}

IMG2CAD_REGISTER_TEST(TestStepIo)
#include "test_step_io.moc"
