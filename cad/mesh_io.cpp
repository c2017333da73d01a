// SPDX-License-Identifier: MIT
#include "cad/mesh_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "cad/internal/file_names.h"
#include "cad/internal/ply_reader.h"
#include "cad/text_file.h"

#include <assimp/Exporter.hpp>
#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace img2cad::cad {

namespace fs = std::filesystem;

namespace {

/// What readMesh accepts; Assimp then picks the importer by extension and content.
constexpr std::array<std::string_view, 6> kReadableMeshExtensions = {".stl", ".obj",  ".ply",
                                                                     ".off", ".gltf", ".glb"};

// ---------------------------------------------------------------------------------------------
// Mesh export through Assimp

struct ExportFormat {
    std::string_view extension;
    const char* assimpId;
};

constexpr std::array<ExportFormat, 4> kExportFormats = {{
    {".stl", "stlb"},
    {".obj", "objnomtl"},
    {".ply", "plyb"},
    {".glb", "glb2"},
}};

void validateMesh(const TriangleMesh& mesh, const fs::path& path) {
    const std::string prefix = "cannot write " + quoted(path) + ": ";
    if (mesh.triangles.empty() || mesh.positions.empty()) throw Error(prefix + "the mesh is empty");
    if (!mesh.normals.empty() && mesh.normals.size() != mesh.positions.size())
        throw Error(prefix + "the mesh has " + std::to_string(mesh.normals.size()) +
                    " normals for " + std::to_string(mesh.positions.size()) + " vertices");
    for (std::size_t i = 0; i < mesh.positions.size(); ++i)
        if (!mesh.positions[i].isFinite())
            throw Error(prefix + "vertex " + std::to_string(i) + " is not a finite point");
    for (std::size_t t = 0; t < mesh.triangles.size(); ++t)
        for (std::uint32_t index : mesh.triangles[t])
            if (index >= mesh.positions.size())
                throw Error(prefix + "triangle " + std::to_string(t) + " refers to vertex " +
                            std::to_string(index) + " of " + std::to_string(mesh.positions.size()));
}

/// An aiScene holding one mesh, one default material and a root node: the minimum every
/// Assimp exporter accepts (the glTF exporter needs the material).
std::unique_ptr<aiScene> makeScene(const TriangleMesh& mesh) {
    auto scene = std::make_unique<aiScene>();
    scene->mRootNode = new aiNode("Img2CADSeq");
    scene->mRootNode->mNumMeshes = 1;
    scene->mRootNode->mMeshes = new unsigned int[1]{0};

    scene->mNumMaterials = 1;
    scene->mMaterials = new aiMaterial* [1] { new aiMaterial() };
    const aiString materialName("default");
    scene->mMaterials[0]->AddProperty(&materialName, AI_MATKEY_NAME);

    auto* out = new aiMesh();
    scene->mNumMeshes = 1;
    scene->mMeshes = new aiMesh* [1] { out };
    out->mMaterialIndex = 0;
    out->mPrimitiveTypes = aiPrimitiveType_TRIANGLE;
    out->mNumVertices = static_cast<unsigned int>(mesh.positions.size());
    out->mVertices = new aiVector3D[out->mNumVertices];
    for (unsigned int i = 0; i < out->mNumVertices; ++i) {
        const Vec3f& p = mesh.positions[i];
        out->mVertices[i] = aiVector3D(p.x, p.y, p.z);
    }
    if (!mesh.normals.empty()) {
        out->mNormals = new aiVector3D[out->mNumVertices];
        for (unsigned int i = 0; i < out->mNumVertices; ++i) {
            const Vec3f& n = mesh.normals[i];
            out->mNormals[i] = aiVector3D(n.x, n.y, n.z);
        }
    }
    out->mNumFaces = static_cast<unsigned int>(mesh.triangles.size());
    out->mFaces = new aiFace[out->mNumFaces];
    for (unsigned int f = 0; f < out->mNumFaces; ++f) {
        aiFace& face = out->mFaces[f];
        face.mNumIndices = 3;
        face.mIndices = new unsigned int[3];
        std::copy(mesh.triangles[f].begin(), mesh.triangles[f].end(), face.mIndices);
    }
    return scene;
}

// ---------------------------------------------------------------------------------------------
// Mesh import through Assimp

/// Accumulates the meshes of a scene into one TriangleMesh.
class SceneMerger {
public:
    explicit SceneMerger(const aiScene& scene) : m_scene(scene), m_used(scene.mNumMeshes) {}

    TriangleMesh merge() {
        if (m_scene.mRootNode) addNode(*m_scene.mRootNode, aiMatrix4x4());
        // Meshes no node refers to still hold geometry; they sit at the origin.
        for (unsigned int m = 0; m < m_scene.mNumMeshes; ++m)
            if (!m_used[m]) addMesh(*m_scene.mMeshes[m], aiMatrix4x4());
        // Normals are all-or-nothing: a mix would misalign them with the positions.
        if (!m_allHaveNormals) m_mesh.normals.clear();
        return std::move(m_mesh);
    }

private:
    void addNode(const aiNode& node, const aiMatrix4x4& parent) {
        const aiMatrix4x4 transform = parent * node.mTransformation;
        for (unsigned int m = 0; m < node.mNumMeshes; ++m) {
            const unsigned int index = node.mMeshes[m];
            if (index >= m_scene.mNumMeshes) continue;
            m_used[index] = true;
            addMesh(*m_scene.mMeshes[index], transform);
        }
        for (unsigned int c = 0; c < node.mNumChildren; ++c)
            addNode(*node.mChildren[c], transform);
    }

    void addMesh(const aiMesh& in, const aiMatrix4x4& transform) {
        // Normals transform with the inverse transpose, which also covers non-uniform scaling.
        aiMatrix3x3 normalTransform(transform);
        normalTransform.Inverse().Transpose();
        const auto base = static_cast<std::uint32_t>(m_mesh.positions.size());
        m_allHaveNormals = m_allHaveNormals && in.HasNormals();
        for (unsigned int i = 0; i < in.mNumVertices; ++i) {
            const aiVector3D p = transform * in.mVertices[i];
            m_mesh.positions.push_back({p.x, p.y, p.z});
            if (in.HasNormals()) {
                aiVector3D n = normalTransform * in.mNormals[i];
                n.NormalizeSafe();
                m_mesh.normals.push_back({n.x, n.y, n.z});
            }
        }
        // Polygons become fans (we triangulate, not Assimp: see readMesh); points and lines
        // (point clouds, wire edges) keep their vertices but add no triangle.
        for (unsigned int f = 0; f < in.mNumFaces; ++f) {
            const aiFace& face = in.mFaces[f];
            if (face.mNumIndices < 3) continue;
            const unsigned int* index = face.mIndices; // checked by readMesh
            for (unsigned int k = 2; k < face.mNumIndices; ++k)
                m_mesh.triangles.push_back({base + index[0], base + index[k - 1], base + index[k]});
        }
    }

    const aiScene& m_scene;
    std::vector<bool> m_used;
    bool m_allHaveNormals = true;
    TriangleMesh m_mesh;
};

} // namespace

void writeMesh(const TriangleMesh& mesh, const fs::path& path) {
    const std::string ext = lowerExtension(path);
    const auto format = std::find_if(kExportFormats.begin(), kExportFormats.end(),
                                     [&ext](const ExportFormat& f) { return f.extension == ext; });
    if (format == kExportFormats.end())
        throw Error("cannot write " + quoted(path) +
                    ": unknown mesh file type (expected .stl, .obj, .ply or .glb)");
    // Checked before anything touches the disk: Assimp would write a broken file, or crash,
    // on an out-of-range index.
    validateMesh(mesh, path);
    const std::unique_ptr<aiScene> scene = makeScene(mesh);
    // The format comes from our table, not from the temporary file's name, which ends in a
    // random suffix.
    writeAtomically(path, [&](const fs::path& temp) {
        Assimp::Exporter exporter;
        if (exporter.Export(scene.get(), format->assimpId, temp.string()) != aiReturn_SUCCESS)
            throw Error(std::string("the mesh exporter failed: ") + exporter.GetErrorString());
        return true;
    });
}

bool isMeshExtension(const fs::path& path) {
    const std::string ext = lowerExtension(path);
    return std::find(kReadableMeshExtensions.begin(), kReadableMeshExtensions.end(), ext) !=
           kReadableMeshExtensions.end();
}

namespace {

/// PLY meshes through our own reader: Assimp 5.2's PLY importer dereferences out of bounds on
/// malformed binary files (found by fuzz/fuzz_part_file).
TriangleMesh readPlyMesh(const fs::path& path) {
    PlyContents ply = readPly(path, true);
    TriangleMesh mesh;
    mesh.positions = std::move(ply.cloud.positions);
    mesh.normals = std::move(ply.cloud.normals);
    mesh.triangles.assign(ply.triangles.begin(), ply.triangles.end());
    if (mesh.positions.empty())
        throw Error("cannot read " + quoted(path) + ": the file holds no vertices");
    return mesh;
}

/// OFF meshes ("OFF", counts, vertices, polygons; '#' comments) by our own reader: Assimp 5.2's
/// OFF importer reads out of bounds on malformed files (found by fuzz/fuzz_part_file).
TriangleMesh readOffMesh(const fs::path& path) {
    const std::string prefix = "cannot read " + quoted(path) + ": ";
    std::string text = readTextFile(path);
    for (std::size_t hash = text.find('#'); hash != std::string::npos;
         hash = text.find('#', hash)) {
        const std::size_t end = text.find('\n', hash);
        text.replace(hash, (end == std::string::npos ? text.size() : end) - hash, " ");
    }
    std::istringstream in(text);
    std::string header;
    in >> header;
    if (header != "OFF") throw Error(prefix + "not an OFF file (it must start with OFF)");
    long long vertices = -1, faces = -1, edges = -1;
    in >> vertices >> faces >> edges;
    // Each vertex takes at least 6 characters ("0 0 0\n"), which bounds a hostile count.
    if (!in || vertices < 0 || faces < 0 || std::uintmax_t(vertices) > text.size() / 6 ||
        std::uintmax_t(faces) > text.size() / 4)
        throw Error(prefix + "the OFF header's counts are malformed");
    TriangleMesh mesh;
    mesh.positions.reserve(std::size_t(vertices));
    for (long long v = 0; v < vertices; ++v) {
        double x = 0, y = 0, z = 0;
        if (!(in >> x >> y >> z))
            throw Error(prefix + "vertex " + std::to_string(v) + " is missing or malformed");
        const Vec3f p{float(x), float(y), float(z)};
        if (!p.isFinite())
            throw Error(prefix + "vertex " + std::to_string(v) + " is not a finite point");
        mesh.positions.push_back(p);
    }
    for (long long f = 0; f < faces; ++f) {
        long long count = 0;
        if (!(in >> count) || count < 0 || count > vertices)
            throw Error(prefix + "face " + std::to_string(f) + " is missing or malformed");
        std::vector<std::uint32_t> polygon;
        for (long long k = 0; k < count; ++k) {
            long long index = -1;
            if (!(in >> index) || index < 0 || index >= vertices)
                throw Error(prefix + "face " + std::to_string(f) +
                            " refers to a vertex the file does not have");
            polygon.push_back(std::uint32_t(index));
        }
        std::string rest; // an optional colour after the indices
        std::getline(in, rest);
        for (std::size_t k = 2; k < polygon.size(); ++k)
            mesh.triangles.push_back({polygon[0], polygon[k - 1], polygon[k]});
    }
    if (mesh.positions.empty()) throw Error(prefix + "the file holds no vertices");
    return mesh;
}

/// glTF files must carry their own signature before Assimp sees them: two Assimp importers
/// (glTF 1 and 2) claim the extensions, and when both refuse the content Assimp 5.2 falls back to
/// guessing the format from it and can hand, say, PLY bytes named .glb to its PLY importer,
/// which reads out of bounds (found by fuzz/fuzz_part_file). Formats one importer claims (.stl,
/// .obj) are never guessed.
void requireGltfSignature(const fs::path& path, const std::string& extension) {
    std::ifstream in(path, std::ios::binary);
    char head[64] = {};
    in.read(head, sizeof head);
    const std::string_view start(head, std::size_t(in.gcount()));
    if (extension == ".glb" && start.substr(0, 4) != "glTF")
        throw Error("cannot read " + quoted(path) +
                    ": not a binary glTF file (it must start with \"glTF\")");
    if (extension == ".gltf") {
        std::size_t first = start.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0; // a UTF-8 mark
        while (first < start.size() && std::isspace(static_cast<unsigned char>(start[first])))
            ++first;
        if (first >= start.size() || start[first] != '{')
            throw Error("cannot read " + quoted(path) +
                        ": not a glTF file (it must be a JSON object)");
    }
}

} // namespace

TriangleMesh readMesh(const fs::path& path) {
    requireReadableFile(path);
    if (!isMeshExtension(path))
        throw Error("cannot read " + quoted(path) +
                    ": unknown mesh file type (expected .stl, .obj, .ply, .off, .gltf or .glb)");
    if (fs::file_size(path) == 0)
        throw Error("cannot read " + quoted(path) + ": the file is empty");
    if (lowerExtension(path) == ".ply") return readPlyMesh(path);
    if (lowerExtension(path) == ".off") return readOffMesh(path);
    requireGltfSignature(path, lowerExtension(path));
    Assimp::Importer importer;
    // Assimp's own checks are not enough for hostile files: on a malformed face list (found by
    // fuzzing a binary PLY) aiProcess_Triangulate's assertion aborts the whole process in
    // Debian's build. So the file is read without post-processing, its faces are checked here,
    // and only then are identical vertices joined; SceneMerger makes the triangle fans. (Vertex
    // joining leaves point-only meshes, face-less PLY/OBJ, untouched in Assimp 5.2.)
    const aiScene* scene = importer.ReadFile(path.string(), 0);
    if (!scene)
        throw Error("cannot read " + quoted(path) + " as a mesh: " + importer.GetErrorString());
    for (unsigned int m = 0; m < scene->mNumMeshes; ++m) {
        const aiMesh* in = scene->mMeshes[m];
        for (unsigned int f = 0; in && f < in->mNumFaces; ++f) {
            const aiFace& face = in->mFaces[f];
            for (unsigned int k = 0; k < face.mNumIndices; ++k)
                if (!face.mIndices || face.mIndices[k] >= in->mNumVertices)
                    throw Error("cannot read " + quoted(path) + ": face " + std::to_string(f) +
                                " refers to a vertex the mesh does not have");
        }
    }
    scene = importer.ApplyPostProcessing(aiProcess_JoinIdenticalVertices);
    if (!scene)
        throw Error("cannot read " + quoted(path) + " as a mesh: " + importer.GetErrorString());
    TriangleMesh mesh = SceneMerger(*scene).merge();
    if (mesh.positions.empty())
        throw Error("cannot read " + quoted(path) + ": the file holds no vertices");
    for (std::size_t i = 0; i < mesh.positions.size(); ++i)
        if (!mesh.positions[i].isFinite())
            throw Error("cannot read " + quoted(path) + ": vertex " + std::to_string(i) +
                        " is not a finite point");
    return mesh;
}

} // namespace img2cad::cad
