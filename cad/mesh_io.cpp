// SPDX-License-Identifier: MIT
#include "cad/mesh_io.h"

#include "cad/atomic_file.h"
#include "cad/error.h"

#include <assimp/Exporter.hpp>
#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace img2cad::cad {
namespace fs = std::filesystem;
namespace {

std::string lowerExtension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

/// Assimp's exporter ids for our output extensions: binary where the format has a binary
/// form, OBJ without a material file (one output file per export keeps writes atomic).
const std::map<std::string, const char*>& exportFormats() {
    static const std::map<std::string, const char*> formats = {
        {".stl", "stlb"}, {".obj", "objnomtl"}, {".ply", "plyb"}, {".glb", "glb2"}};
    return formats;
}

/// An aiScene holding one mesh (the scene's destructor frees everything it owns).
std::unique_ptr<aiScene> sceneOf(const TriangleMesh& mesh) {
    auto scene = std::make_unique<aiScene>();
    scene->mRootNode = new aiNode();
    scene->mRootNode->mNumMeshes = 1;
    scene->mRootNode->mMeshes = new unsigned[1]{0};
    scene->mNumMaterials = 1;
    scene->mMaterials = new aiMaterial*[1]{new aiMaterial()};
    scene->mNumMeshes = 1;
    scene->mMeshes = new aiMesh*[1]{new aiMesh()};

    aiMesh& out = *scene->mMeshes[0];
    out.mMaterialIndex = 0;
    out.mPrimitiveTypes = aiPrimitiveType_TRIANGLE;
    out.mNumVertices = unsigned(mesh.positions.size());
    out.mVertices = new aiVector3D[out.mNumVertices];
    for (std::size_t i = 0; i < mesh.positions.size(); ++i)
        out.mVertices[i] = {mesh.positions[i].x, mesh.positions[i].y, mesh.positions[i].z};
    if (mesh.normals.size() == mesh.positions.size()) {
        out.mNormals = new aiVector3D[out.mNumVertices];
        for (std::size_t i = 0; i < mesh.normals.size(); ++i)
            out.mNormals[i] = {mesh.normals[i].x, mesh.normals[i].y, mesh.normals[i].z};
    }
    out.mNumFaces = unsigned(mesh.triangles.size());
    out.mFaces = new aiFace[out.mNumFaces];
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        out.mFaces[i].mNumIndices = 3;
        out.mFaces[i].mIndices = new unsigned[3]{mesh.triangles[i][0], mesh.triangles[i][1],
                                                 mesh.triangles[i][2]};
    }
    return scene;
}

void appendNode(const aiScene& scene, const aiNode& node, const aiMatrix4x4& parent,
                TriangleMesh& mesh, bool& allHaveNormals) {
    const aiMatrix4x4 transform = parent * node.mTransformation;
    aiMatrix3x3 normalTransform(transform);
    normalTransform.Inverse().Transpose();
    for (unsigned m = 0; m < node.mNumMeshes; ++m) {
        const aiMesh& in = *scene.mMeshes[node.mMeshes[m]];
        const auto first = std::uint32_t(mesh.positions.size());
        allHaveNormals = allHaveNormals && in.HasNormals();
        for (unsigned v = 0; v < in.mNumVertices; ++v) {
            const aiVector3D p = transform * in.mVertices[v];
            mesh.positions.push_back({p.x, p.y, p.z});
            aiVector3D n = in.HasNormals() ? (normalTransform * in.mNormals[v]).NormalizeSafe()
                                           : aiVector3D(0, 0, 0);
            mesh.normals.push_back({n.x, n.y, n.z});
        }
        for (unsigned f = 0; f < in.mNumFaces; ++f) {
            const aiFace& face = in.mFaces[f];
            if (face.mNumIndices != 3) continue; // points and lines carry no surface
            mesh.triangles.push_back({first + face.mIndices[0], first + face.mIndices[1],
                                      first + face.mIndices[2]});
        }
    }
    for (unsigned c = 0; c < node.mNumChildren; ++c)
        appendNode(scene, *node.mChildren[c], transform, mesh, allHaveNormals);
}

} // namespace

bool isMeshExtension(const fs::path& path) { return exportFormats().count(lowerExtension(path)) > 0; }

void writeMesh(const TriangleMesh& mesh, const fs::path& path) {
    const auto format = exportFormats().find(lowerExtension(path));
    if (format == exportFormats().end())
        throw Error("cannot write '" + path.string() +
                    "': unknown mesh type (expected .stl, .obj, .ply or .glb)");
    if (mesh.triangles.empty())
        throw Error("cannot write '" + path.string() + "': the mesh has no triangles");
    const std::unique_ptr<aiScene> scene = sceneOf(mesh);
    writeAtomically(path, [&](const fs::path& temporary) {
        Assimp::Exporter exporter;
        if (exporter.Export(scene.get(), format->second, temporary.string()) != aiReturn_SUCCESS)
            throw Error("cannot write '" + path.string() + "': " + exporter.GetErrorString());
        return true;
    });
}

TriangleMesh readMesh(const fs::path& path) {
    requireReadableFile(path);
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(
        path.string(), aiProcess_Triangulate | aiProcess_JoinIdenticalVertices);
    if (!scene || !scene->mRootNode)
        throw Error("'" + path.string() + "' is not a readable mesh: " + importer.GetErrorString());
    TriangleMesh mesh;
    bool allHaveNormals = true;
    appendNode(*scene, *scene->mRootNode, aiMatrix4x4(), mesh, allHaveNormals);
    if (!allHaveNormals) mesh.normals.clear();
    if (mesh.positions.empty()) throw Error("'" + path.string() + "' holds no vertices");
    return mesh;
}

} // namespace img2cad::cad
