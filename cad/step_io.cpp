// SPDX-License-Identifier: MIT
#include "cad/step_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/internal/file_names.h"
#include "cad/internal/occ_guard.h"
#include "cad/internal/occ_shape.h"

#include <APIHeaderSection_MakeHeader.hxx>
#include <BRepTools.hxx>
#include <BRep_Builder.hxx>
#include <IFSelect_ReturnStatus.hxx>
#include <Interface_Static.hxx>
#include <STEPControl_Controller.hxx>
#include <STEPControl_Reader.hxx>
#include <STEPControl_Writer.hxx>
#include <StepBasic_Product.hxx>
#include <StepData_StepModel.hxx>
#include <TCollection_HAsciiString.hxx>
#include <TopExp_Explorer.hxx>
#include <TopoDS_Shape.hxx>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <string>

namespace img2cad::cad {

namespace fs = std::filesystem;

namespace {

// NOTE: the STEP translator keeps its settings (schema, units, product name) in process-wide
// statics; one lock held from setting them to the end of the transfer keeps concurrent
// reads and writes from seeing each other's settings.
std::mutex& stepMutex() {
    static std::mutex mutex;
    return mutex;
}

/// Sets a translator setting, failing loudly: a misspelt or not yet registered name would
/// otherwise be ignored silently.
void setStatic(const char* name, const std::string& value) {
    if (!Interface_Static::SetCVal(name, value.c_str()))
        throw Error(std::string("the STEP translator rejected the setting ") + name + " = '" +
                    value + "'");
}

/// Prepares the STEP translator; call with stepMutex() held.
void prepareStepTranslator() {
    // NOTE: the translator registers its settings (with their defaults) on first use, so
    // values set before this are lost or rejected.
    STEPControl_Controller::Init();
}

/// Gives the products of a transferred model exactly `name` (the translator appends a level
/// number, "Part 1") and names the file in the header after the target, not the temporary.
void nameModel(const Handle(StepData_StepModel) & model, const std::string& name,
               const fs::path& target) {
    const Handle(TCollection_HAsciiString) productName = new TCollection_HAsciiString(name.c_str());
    for (Standard_Integer i = 1; i <= model->NbEntities(); ++i) {
        const Handle(StepBasic_Product) product =
            Handle(StepBasic_Product)::DownCast(model->Value(i));
        if (product.IsNull()) continue;
        product->SetId(productName);
        product->SetName(productName);
    }
    APIHeaderSection_MakeHeader header(model);
    header.SetName(new TCollection_HAsciiString(target.filename().string().c_str()));
    header.SetOriginatingSystem(new TCollection_HAsciiString("Img2CADSeq Studio"));
}

const char* statusName(IFSelect_ReturnStatus status) {
    switch (status) {
    case IFSelect_RetVoid:
        return "nothing was read";
    case IFSelect_RetDone:
        return "done";
    case IFSelect_RetError:
    case IFSelect_RetFail:
        return "it is not valid STEP (not a STEP file, or a damaged one)";
    case IFSelect_RetStop:
        return "reading was stopped";
    }
    return "unknown status";
}

bool hasGeometry(const TopoDS_Shape& shape) {
    // An empty compound (a product without geometry) is reported rather than returned. Bare
    // edges or vertices are geometry: `info` describes them, and tessellation yields nothing.
    return !shape.IsNull() && (TopExp_Explorer(shape, TopAbs_EDGE).More() ||
                               TopExp_Explorer(shape, TopAbs_VERTEX).More());
}

void requireShape(const Shape& shape, const fs::path& path) {
    if (unwrapOcc(shape).IsNull())
        throw Error("cannot write " + quoted(path) + ": there is no shape to export");
}

} // namespace

void writeStep(const Shape& shape, const fs::path& path, const StepWriteOptions& options) {
    requireShape(shape, path);
    const TopoDS_Shape& occShape = unwrapOcc(shape);
    writeAtomically(path, [&](const fs::path& temp) {
        return guardOcc("STEP export of " + quoted(path), [&] {
            std::lock_guard<std::mutex> lock(stepMutex());
            prepareStepTranslator();
            setStatic("write.step.schema", "AP214IS");
            setStatic("write.step.unit", "MM");
            setStatic("write.step.product.name", options.productName);
            STEPControl_Writer writer;
            if (writer.Transfer(occShape, STEPControl_AsIs) != IFSelect_RetDone)
                throw Error("the shape could not be translated to STEP");
            nameModel(writer.Model(), options.productName, path);
            if (writer.Write(temp.c_str()) != IFSelect_RetDone)
                throw Error("the STEP file could not be written");
            return true;
        });
    });
}

Shape readStep(const fs::path& path) {
    requireReadableFile(path);
    // The STEP parser reports an empty file as a generic syntax error; say what it is.
    if (fs::file_size(path) == 0)
        throw Error("cannot read " + quoted(path) + ": the file is empty");
    return guardOcc("STEP import of " + quoted(path), [&] {
        std::lock_guard<std::mutex> lock(stepMutex());
        prepareStepTranslator();
        setStatic("xstep.cascade.unit", "MM");
        STEPControl_Reader reader;
        const IFSelect_ReturnStatus status = reader.ReadFile(path.c_str());
        if (status != IFSelect_RetDone)
            throw Error("cannot read " + quoted(path) + " as STEP: " + statusName(status));
        if (reader.NbRootsForTransfer() <= 0)
            throw Error("cannot read " + quoted(path) + ": the STEP file holds no shape to import");
        reader.TransferRoots();
        const TopoDS_Shape result = reader.NbShapes() > 0 ? reader.OneShape() : TopoDS_Shape();
        if (!hasGeometry(result))
            throw Error("cannot read " + quoted(path) + ": the STEP file holds no geometry");
        return wrapOcc(result);
    });
}

void writeBrep(const Shape& shape, const fs::path& path) {
    requireShape(shape, path);
    const TopoDS_Shape& occShape = unwrapOcc(shape);
    writeAtomically(path, [&](const fs::path& temp) {
        return guardOcc("BREP export of " + quoted(path), [&] {
            if (!BRepTools::Write(occShape, temp.c_str()))
                throw Error("the BREP file could not be written");
            return true;
        });
    });
}

Shape readBrep(const fs::path& path) {
    requireReadableFile(path);
    if (fs::file_size(path) == 0)
        throw Error("cannot read " + quoted(path) + ": the file is empty");
    return guardOcc("BREP import of " + quoted(path), [&] {
        TopoDS_Shape result;
        BRep_Builder builder;
        // NOTE: OCC's BREP parser does not check its reads: past the end of a truncated file it
        // can go on with garbage counts for minutes. A stream that throws on the first failed
        // read stops it there.
        std::ifstream in(path, std::ios::binary);
        try {
            in.exceptions(std::ios::failbit | std::ios::badbit);
            BRepTools::Read(result, in, builder);
        } catch (const std::ios_base::failure&) {
            throw Error("cannot read " + quoted(path) +
                        ": not a valid BREP file (it is truncated or of another kind)");
        }
        if (result.IsNull()) throw Error("cannot read " + quoted(path) + ": not a valid BREP file");
        if (!hasGeometry(result))
            throw Error("cannot read " + quoted(path) + ": the BREP file holds no geometry");
        return wrapOcc(result);
    });
}

Shape readShapeFile(const fs::path& path) {
    const std::string ext = lowerExtension(path);
    if (ext == ".step" || ext == ".stp") return readStep(path);
    if (ext == ".brep" || ext == ".brp") return readBrep(path);
    throw Error("cannot read " + quoted(path) +
                ": unknown shape file type (expected .step, .stp, .brep or .brp)");
}

bool isShapeFile(const fs::path& path) {
    const std::string ext = lowerExtension(path);
    return ext == ".step" || ext == ".stp" || ext == ".brep" || ext == ".brp";
}

} // namespace img2cad::cad
