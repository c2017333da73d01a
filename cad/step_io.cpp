// SPDX-License-Identifier: MIT
#include "cad/step_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/internal/occ_guard.h"
#include "cad/internal/occ_shape.h"

#include <BRepTools.hxx>
#include <BRep_Builder.hxx>
#include <IFSelect_ReturnStatus.hxx>
#include <Interface_Static.hxx>
#include <STEPControl_Reader.hxx>
#include <STEPControl_Writer.hxx>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace img2cad::cad {
namespace fs = std::filesystem;
namespace {

// The STEP translators keep their settings in process-wide statics (Interface_Static) and
// are not safe to run concurrently in OCC 7.6: one translation at a time.
std::mutex& stepMutex() {
    static std::mutex mutex;
    return mutex;
}

std::string lowerExtension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

void requireShape(const Shape& shape, const fs::path& path) {
    if (shape.isNull())
        throw Error("cannot write '" + path.string() + "': there is no shape to write");
}

} // namespace

void writeStep(const Shape& shape, const fs::path& path, const StepWriteOptions& options) {
    requireShape(shape, path);
    writeAtomically(path, [&](const fs::path& temporary) {
        return guardOcc("writing STEP", [&] {
            const std::lock_guard<std::mutex> lock(stepMutex());
            STEPControl_Writer writer; // its constructor registers the STEP statics
            Interface_Static::SetCVal("write.step.schema", "AP214IS");
            Interface_Static::SetCVal("write.step.unit", "MM");
            Interface_Static::SetCVal("write.step.product.name", options.productName.c_str());
            if (writer.Transfer(unwrapOcc(shape), STEPControl_AsIs) != IFSelect_RetDone)
                throw Error("cannot write '" + path.string() +
                            "': the shape could not be translated to STEP");
            return writer.Write(temporary.c_str()) == IFSelect_RetDone;
        });
    });
}

Shape readStep(const fs::path& path) {
    requireReadableFile(path);
    return guardOcc("reading STEP '" + path.string() + "'", [&] {
        const std::lock_guard<std::mutex> lock(stepMutex());
        STEPControl_Reader reader;
        Interface_Static::SetCVal("xstep.cascade.unit", "MM");
        if (reader.ReadFile(path.c_str()) != IFSelect_RetDone)
            throw Error("'" + path.string() + "' is not a readable STEP file");
        if (reader.TransferRoots() == 0)
            throw Error("'" + path.string() + "' holds no geometry that can be transferred");
        const TopoDS_Shape shape = reader.OneShape();
        if (shape.IsNull())
            throw Error("'" + path.string() + "' holds no geometry that can be transferred");
        return wrapOcc(shape);
    });
}

void writeBrep(const Shape& shape, const fs::path& path) {
    requireShape(shape, path);
    writeAtomically(path, [&](const fs::path& temporary) {
        return guardOcc("writing BREP",
                        [&] { return bool(BRepTools::Write(unwrapOcc(shape), temporary.c_str())); });
    });
}

Shape readBrep(const fs::path& path) {
    requireReadableFile(path);
    return guardOcc("reading BREP '" + path.string() + "'", [&] {
        TopoDS_Shape shape;
        BRep_Builder builder;
        if (!BRepTools::Read(shape, path.c_str(), builder) || shape.IsNull())
            throw Error("'" + path.string() + "' is not a readable BREP file");
        return wrapOcc(shape);
    });
}

bool isShapeFile(const fs::path& path) {
    const std::string ext = lowerExtension(path);
    return ext == ".step" || ext == ".stp" || ext == ".brep" || ext == ".brp";
}

Shape readShapeFile(const fs::path& path) {
    const std::string ext = lowerExtension(path);
    if (ext == ".brep" || ext == ".brp") return readBrep(path);
    if (ext == ".step" || ext == ".stp") return readStep(path);
    throw Error("'" + path.string() + "' is not a STEP or BREP file");
}

} // namespace img2cad::cad
