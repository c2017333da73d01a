// SPDX-License-Identifier: MIT
#pragma once
// The hierarchical CAD-sequence encoding of the paper's section 3.1: a cad::Program as three
// levels of raw features, Extrude-Block (EB, one row per extrude), Sketch-Patch (SP, one row
// per loop, loops sorted by the score S_m) and Curve-Cluster (CC, one row per curve in a local
// Frenet frame, an EOS row after each loop), and the exact decoder back to a program in mm.
// Deterministic and free of neural networks: the VQ-VAEs consume the flat float matrices.
// docs/codebook-encoding.md gives every column, the frames and each deviation from the paper.

#include "cad/program.h"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace img2cad::ml {

/// Columns of an EB row. The first ten are the paper's eq. 1; the rest are what an exact
/// round trip needs beyond it (the paper's feature cannot tell the sketch x axis, the extent
/// type, a second distance or an Intersect apart).
enum EbColumn : std::size_t {
    kEbNormalX, ///< unit sketch normal (= extrusion direction), model frame
    kEbNormalY,
    kEbNormalZ,
    kEbOriginX, ///< sketch plane origin, normalised model frame
    kEbOriginY,
    kEbOriginZ,
    kEbDepth, ///< extent distance (h_ext), normalised; signed for one-sided extrudes
    kEbOpNew, ///< one-hot boolean op: New, Join, Cut (paper) ...
    kEbOpJoin,
    kEbOpCut,
    kEbOpIntersect,    ///< ... and Intersect (addition)
    kEbXAxisAngle,     ///< radians: sketch x axis about the normal from referenceXAxis(normal)
    kEbExtentOneSided, ///< one-hot extent type (addition)
    kEbExtentSymmetric,
    kEbExtentTwoSided,
    kEbDepth2, ///< second distance of a two-sided extent, normalised; 0 otherwise
    kEbDim
};

/// Columns of an SP row (eq. 2 plus the profile the loop belongs to).
enum SpColumn : std::size_t {
    kSpScore,  ///< S_m, normalised sketch units
    kSpStartX, ///< start point of the loop's first curve, normalised sketch coordinates
    kSpStartY,
    kSpStartAngle, ///< tangent angle of the first curve at the start point, radians
    kSpProfile,    ///< index of the profile holding the loop (addition), numbered in row order
    kSpDim
};

/// Columns of a CC row (eq. 3, unchanged: 8 dims). Frame: the tangent at the curve's start.
enum CcColumn : std::size_t {
    kCcLength,    ///< chord length l (a circle: its diameter), normalised
    kCcTurn,      ///< tangent deviation from the previous curve's end tangent, (-pi, pi]
    kCcCurvature, ///< signed curvature, + counter-clockwise (line 0), 1 / normalised unit
    kCcOffsetX,   ///< chord end in the start-tangent frame minus (l, 0): residual offset
    kCcOffsetY,
    kCcTypeLine, ///< one-hot: Line, Arc/Circle, EOS
    kCcTypeArcCircle,
    kCcTypeEos,
    kCcDim
};

using EbRow = std::array<double, kEbDim>;
using SpRow = std::array<double, kSpDim>;
using CcRow = std::array<double, kCcDim>;

/// Loop-sorting weights of S_m = w*h + alpha*diag - beta*(x+y) (alpha >> beta).
constexpr double kScoreAlpha = 1.0;
constexpr double kScoreBeta = 1e-3;

/// The program's frame: model point = normalised point * scale + center. The box of all
/// extruded sketches fits the cube [-0.5, 0.5]^3 (largest side 1), as in DeepCAD.
struct Normalisation {
    cad::Vec3 center;
    double scale = 1.0; ///< mm per normalised unit
    bool operator==(const Normalisation& o) const { return center == o.center && scale == o.scale; }
};

struct EncodedExtrude {
    EbRow eb{};
    std::vector<SpRow> loops;  ///< sorted by S_m, dominant first
    std::vector<CcRow> curves; ///< the loops' curves in SP order, an EOS row closing each loop
};

struct EncodedProgram {
    std::string name; ///< carried along, not a feature
    Normalisation normalisation;
    std::vector<EncodedExtrude> extrudes;
};

/// Encodes a program. Throws ml::Error for what the encoding cannot hold: no extrudes, an
/// extrude without loops, an empty or degenerate loop, a circle sharing its loop, a
/// degenerate arc, non-finite numbers, a zero-size program.
EncodedProgram encodeProgram(const cad::Program& program);

/// How decoding treats rows that do not form a program. Strict: throw (what the codebook's own
/// measures use). Repair (what generated sequences get, the Reconstructor reports which ones
/// needed it): a loop whose curves end without EOS ends at its last row, CC rows after the
/// last EOS are dropped, a one-curve loop is read as a circle whatever its curve type, a loop
/// that still cannot be decoded is dropped, an extrude left without loops (or, in token
/// sequences, without sketch rows) is dropped; only a program left with no extrude throws.
enum class DecodeMode { Strict, Repair };

/// The program back in mm: the same solid as the encoded one (arcs come back with their
/// angular midpoint as `mid`, loops counter-clockwise from their canonical start). Tolerates
/// network output: one-hots are read by argmax, the profile id is rounded, the normal is
/// renormalised. Throws ml::Error for rows that cannot form a program (see DecodeMode).
cad::Program decodeProgram(const EncodedProgram& encoded, DecodeMode mode = DecodeMode::Strict);

/// The loops of one extrude as decodeProgram builds them (closure by Bowditch's rule included),
/// in normalised sketch units: each placed by its SP row and shaped by its CC rows (loops
/// separated by EOS rows). A loop that does not decode comes back empty.
std::vector<cad::Loop> decodeExtrudeLoops(const std::vector<SpRow>& loops,
                                          const std::vector<CcRow>& curves);

/// The loop-closure term of eq. 4 for one loop's CC rows (EOS excluded or ignored):
/// || sum_i T(l_i, dtheta_i, dx_i, dy_i) ||^2, in normalised units squared. T rotates the
/// chord (l + dx, dy) by the accumulated heading; the start heading does not change the norm.
double closureResidual(const std::vector<CcRow>& loopCurves);
/// Sum of closureResidual over every loop of every extrude.
double closureResidual(const EncodedProgram& encoded);

/// The x axis angle 0 of a sketch plane with this normal: the world axis least aligned with
/// the normal (first on ties), projected onto the plane and made unit.
cad::Vec3 referenceXAxis(cad::Vec3 normal);

/// Dense row-major float matrix (rows x cols): what the VQ-VAEs consume.
struct FeatureMatrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<float> values;
    bool operator==(const FeatureMatrix& o) const {
        return rows == o.rows && cols == o.cols && values == o.values;
    }
};

/// The three levels as float matrices: EB (extrudes x kEbDim), and per extrude SP
/// (loops x kSpDim) and CC (curves + EOS rows x kCcDim). The normalisation stays double.
struct ProgramMatrices {
    std::string name;
    Normalisation normalisation;
    FeatureMatrix eb;
    std::vector<FeatureMatrix> sp;
    std::vector<FeatureMatrix> cc;
};

ProgramMatrices toMatrices(const EncodedProgram& encoded);
/// Inverse of toMatrices (up to float precision). Throws ml::Error on inconsistent shapes.
EncodedProgram fromMatrices(const ProgramMatrices& matrices);

} // namespace img2cad::ml

namespace img2cad::ml {

/// Ablation "Model 1": a flat, absolute-coordinate encoding (HNC-CAD / DeepCAD-like), one row
/// per token: curves with their absolute normalised sketch points, loop / profile ends, and an
/// extrude row carrying the EB feature. Same normalisation and canonical order as the
/// hierarchical encoding (profiles by id, loops by S_m, counter-clockwise).
enum FlatColumn : std::size_t {
    kFlatTypeLine,   ///< params: start x, y (the end is the next curve's start)
    kFlatTypeArc,    ///< params: start x, y, mid x, y
    kFlatTypeCircle, ///< params: centre x, y, radius
    kFlatTypeEndLoop,
    kFlatTypeEndProfile,
    kFlatTypeExtrude, ///< params: the extrude's EB row (closes its sketch)
    kFlatParams,      ///< first parameter column
    kFlatDim = kFlatParams + kEbDim
};
using FlatRow = std::array<double, kFlatDim>;

struct FlatProgram {
    std::string name;
    Normalisation normalisation;
    std::vector<FlatRow> rows;
};

FlatProgram encodeFlat(const cad::Program& program);
cad::Program decodeFlat(const FlatProgram& flat);
/// rows x kFlatDim, row-major.
FeatureMatrix flatMatrix(const FlatProgram& flat);

} // namespace img2cad::ml
