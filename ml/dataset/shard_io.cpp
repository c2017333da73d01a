// SPDX-License-Identifier: MIT
#include "ml/dataset/shard_io.h"

#include "ml/dataset/manifest.h"

#include "cad/atomic_file.h"
#include "cad/error.h"
#include "ml/error.h"

#include <hdf5.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>

namespace img2cad::ml {
namespace fs = std::filesystem;
namespace {

/// Owns an HDF5 identifier and closes it with the matching function.
class H5Handle {
public:
    H5Handle(hid_t id, herr_t (*close)(hid_t)) : m_id(id), m_close(close) {}
    ~H5Handle() {
        if (m_id >= 0) m_close(m_id);
    }
    H5Handle(H5Handle&& other) noexcept : m_id(other.m_id), m_close(other.m_close) {
        other.m_id = -1;
    }
    H5Handle(const H5Handle&) = delete;
    H5Handle& operator=(const H5Handle&) = delete;
    hid_t id() const { return m_id; }
    bool ok() const { return m_id >= 0; }

private:
    hid_t m_id;
    herr_t (*m_close)(hid_t);
};

// HDF5 prints its error stack to stderr by default; errors reach callers as ml::Error instead.
// The library is not built thread-safe on Debian: one shard operation at a time per process.
std::mutex& hdf5Mutex() {
    static std::mutex mutex;
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
    return mutex;
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
    std::string message = "shard '" + path.string() + "': " + what;
    if (errno != 0) message += " (" + std::string(std::strerror(errno)) + ")";
    throw Error(message);
}

void check(herr_t status, const fs::path& path, const std::string& what) {
    if (status < 0) fail(path, what);
}

H5Handle stringType() {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return H5Handle(type, H5Tclose);
}

/// Writes one dataset of `dims` (first dimension = samples), chunked one sample per chunk and
/// deflated.
void writeDataset(hid_t file, const fs::path& path, const char* name, hid_t type,
                  const std::vector<hsize_t>& dims, const void* data) {
    errno = 0;
    const H5Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
    const H5Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    std::vector<hsize_t> chunk = dims;
    chunk[0] = 1;
    bool chunkable = true;
    for (hsize_t d : chunk)
        chunkable = chunkable && d > 0;
    if (chunkable && dims[0] > 0) {
        H5Pset_chunk(properties.id(), int(chunk.size()), chunk.data());
        if (H5Tget_class(type) != H5T_STRING) H5Pset_deflate(properties.id(), 4);
    }
    const H5Handle dataset(
        H5Dcreate2(file, name, type, space.id(), H5P_DEFAULT, properties.id(), H5P_DEFAULT),
        H5Dclose);
    if (!dataset.ok()) fail(path, std::string("cannot create /") + name);
    if (dims[0] > 0)
        check(H5Dwrite(dataset.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path,
              std::string("cannot write /") + name);
}

void writeStrings(hid_t file, const fs::path& path, const char* name,
                  const std::vector<std::string>& values) {
    std::vector<const char*> pointers;
    for (const std::string& value : values)
        pointers.push_back(value.c_str());
    const H5Handle type = stringType();
    writeDataset(file, path, name, type.id(), {hsize_t(values.size())}, pointers.data());
}

void writeAttributes(hid_t file) {
    const H5Handle scalar(H5Screate(H5S_SCALAR), H5Sclose);
    const H5Handle type = stringType();
    const char* format = kShardFormat;
    const H5Handle formatAttribute(
        H5Acreate2(file, "format", type.id(), scalar.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5Awrite(formatAttribute.id(), type.id(), &format);
    const int version = kShardFormatVersion;
    const H5Handle versionAttribute(
        H5Acreate2(file, "version", H5T_NATIVE_INT, scalar.id(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    H5Awrite(versionAttribute.id(), H5T_NATIVE_INT, &version);
}

/// The common shape of the samples; throws when one differs.
struct Shape {
    hsize_t points = 0, views = 0, height = 0, width = 0;
};

Shape commonShape(const std::vector<Sample>& samples, const fs::path& path) {
    Shape shape;
    if (samples.empty()) return shape;
    const Sample& first = samples.front();
    shape.points = first.points.size();
    shape.views = first.views.size();
    if (shape.views > 0) {
        shape.height = hsize_t(first.views.front().color.height);
        shape.width = hsize_t(first.views.front().color.width);
    }
    for (const Sample& sample : samples) {
        const std::string which = "sample " + std::to_string(sample.index);
        const cad::PointCloud& p = sample.points;
        if (p.size() != shape.points || p.normals.size() != shape.points ||
            p.faceIndices.size() != shape.points || p.primitives.size() != shape.points)
            fail(path, which + " has a different point count or misses normals or labels");
        if (sample.views.size() != shape.views) fail(path, which + " has a different view count");
        for (const View& view : sample.views) {
            const bool sized =
                hsize_t(view.color.width) == shape.width &&
                hsize_t(view.color.height) == shape.height && view.color.channels == 3 &&
                view.mask.channels == 1 && view.mask.width == view.color.width &&
                view.mask.height == view.color.height && view.depth.width == view.color.width &&
                view.depth.height == view.color.height;
            if (!sized) fail(path, which + " has an image of another size or kind");
        }
    }
    return shape;
}

/// The shard as the bytes of an HDF5 file, built in memory (HDF5's core driver). The disk is
/// written by our own atomic writer: a full disk then fails there, cleanly, instead of inside
/// HDF5, whose exit handler would retry the failed flush and crash.
std::string shardImage(const std::vector<Sample>& samples, const fs::path& target) {
    const Shape shape = commonShape(samples, target);
    const hsize_t n = samples.size();
    errno = 0;
    const H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fapl_core(access.id(), 16 << 20, false); // grow by 16 MiB; no backing file
    const H5Handle file(
        H5Fcreate(target.filename().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.id()), H5Fclose);
    if (!file.ok()) fail(target, "cannot create the file in memory");
    writeAttributes(file.id());

    std::vector<std::int64_t> index;
    std::vector<std::uint64_t> seed;
    std::vector<std::uint8_t> split;
    std::vector<std::string> source, program, key;
    std::vector<float> points, normals;
    std::vector<std::int32_t> faces;
    std::vector<std::uint8_t> primitives, images, masks;
    std::vector<double> normalization, cameras;
    std::vector<float> depths;
    for (const Sample& sample : samples) {
        index.push_back(sample.index);
        seed.push_back(sample.seed);
        split.push_back(std::uint8_t(sample.split));
        source.push_back(sample.source);
        program.push_back(sample.programJson);
        key.push_back(sample.nearDuplicateKey);
        for (std::size_t i = 0; i < sample.points.size(); ++i) {
            const cad::Vec3f& p = sample.points.positions[i];
            const cad::Vec3f& q = sample.points.normals[i];
            points.insert(points.end(), {p.x, p.y, p.z});
            normals.insert(normals.end(), {q.x, q.y, q.z});
            faces.push_back(sample.points.faceIndices[i]);
            primitives.push_back(std::uint8_t(sample.points.primitives[i]));
        }
        normalization.insert(normalization.end(), sample.normalization.begin(),
                             sample.normalization.end());
        for (const View& view : sample.views) {
            images.insert(images.end(), view.color.pixels.begin(), view.color.pixels.end());
            masks.insert(masks.end(), view.mask.pixels.begin(), view.mask.pixels.end());
            depths.insert(depths.end(), view.depth.depth.begin(), view.depth.depth.end());
            cameras.insert(cameras.end(), view.camera.begin(), view.camera.end());
        }
    }
    const hid_t f = file.id();
    writeDataset(f, target, "index", H5T_NATIVE_INT64, {n}, index.data());
    writeDataset(f, target, "seed", H5T_NATIVE_UINT64, {n}, seed.data());
    writeDataset(f, target, "split", H5T_NATIVE_UINT8, {n}, split.data());
    writeStrings(f, target, "source", source);
    writeStrings(f, target, "program", program);
    writeStrings(f, target, "key", key);
    writeDataset(f, target, "points", H5T_NATIVE_FLOAT, {n, shape.points, 3}, points.data());
    writeDataset(f, target, "normals", H5T_NATIVE_FLOAT, {n, shape.points, 3}, normals.data());
    writeDataset(f, target, "faces", H5T_NATIVE_INT32, {n, shape.points}, faces.data());
    writeDataset(f, target, "primitives", H5T_NATIVE_UINT8, {n, shape.points}, primitives.data());
    writeDataset(f, target, "normalization", H5T_NATIVE_DOUBLE, {n, 4}, normalization.data());
    const hsize_t v = shape.views, h = shape.height, w = shape.width;
    writeDataset(f, target, "images", H5T_NATIVE_UINT8, {n, v, h, w, 3}, images.data());
    writeDataset(f, target, "masks", H5T_NATIVE_UINT8, {n, v, h, w}, masks.data());
    writeDataset(f, target, "depths", H5T_NATIVE_FLOAT, {n, v, h, w}, depths.data());
    writeDataset(f, target, "cameras", H5T_NATIVE_DOUBLE, {n, v, 10}, cameras.data());
    errno = 0;
    check(H5Fflush(f, H5F_SCOPE_GLOBAL), target, "cannot flush the file");
    const ssize_t size = H5Fget_file_image(f, nullptr, 0);
    if (size <= 0) fail(target, "cannot take the file image");
    std::string bytes(std::size_t(size), '\0');
    if (H5Fget_file_image(f, bytes.data(), std::size_t(size)) != size)
        fail(target, "cannot take the file image");
    return bytes;
}

/// Opens a shard for reading, checking it is one of ours.
H5Handle openShard(const fs::path& path) {
    try {
        cad::requireReadableFile(path);
    } catch (const cad::Error& error) {
        throw Error(error.what());
    }
    errno = 0;
    H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) fail(path, "not a readable HDF5 file (truncated or of another kind)");
    errno = 0;
    const H5Handle attribute(H5Aopen(file.id(), "format", H5P_DEFAULT), H5Aclose);
    if (!attribute.ok()) fail(path, "not an Img2CADSeq shard (no format attribute)");
    const H5Handle type = stringType();
    char* format = nullptr;
    if (H5Aread(attribute.id(), type.id(), &format) < 0 || !format)
        fail(path, "unreadable format attribute");
    const bool ours = std::strcmp(format, kShardFormat) == 0;
    H5free_memory(format);
    if (!ours) fail(path, "not an Img2CADSeq shard");
    return file;
}

std::vector<hsize_t> dimsOf(hid_t dataset) {
    const H5Handle space(H5Dget_space(dataset), H5Sclose);
    std::vector<hsize_t> dims(std::size_t(H5Sget_simple_extent_ndims(space.id())));
    H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
    return dims;
}

/// Reads rows [first, first + count) of a dataset into `out` (resized to fit).
template <typename T>
std::vector<hsize_t> readRows(hid_t file, const fs::path& path, const char* name, hid_t type,
                              hsize_t first, hsize_t count, std::vector<T>& out) {
    errno = 0;
    const H5Handle dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
    if (!dataset.ok()) fail(path, std::string("has no /") + name);
    std::vector<hsize_t> dims = dimsOf(dataset.id());
    if (dims.empty() || first + count > dims[0])
        fail(path, std::string("/") + name + " is too short");
    std::vector<hsize_t> start(dims.size(), 0), extent = dims;
    start[0] = first;
    extent[0] = count;
    std::size_t elements = 1;
    for (hsize_t d : extent)
        elements *= std::size_t(d);
    out.resize(elements);
    if (elements == 0) return dims;
    const H5Handle fileSpace(H5Dget_space(dataset.id()), H5Sclose);
    H5Sselect_hyperslab(fileSpace.id(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                        nullptr);
    const H5Handle memorySpace(H5Screate_simple(int(extent.size()), extent.data(), nullptr),
                               H5Sclose);
    check(H5Dread(dataset.id(), type, memorySpace.id(), fileSpace.id(), H5P_DEFAULT, out.data()),
          path, std::string("cannot read /") + name + " (truncated file?)");
    return dims;
}

std::vector<std::string> readStrings(hid_t file, const fs::path& path, const char* name,
                                     hsize_t first, hsize_t count) {
    const H5Handle type = stringType();
    std::vector<char*> raw;
    readRows(file, path, name, type.id(), first, count, raw);
    std::vector<std::string> values;
    for (char* value : raw) {
        values.emplace_back(value ? value : "");
        H5free_memory(value);
    }
    return values;
}

std::vector<Sample> readHeaders(hid_t file, const fs::path& path, hsize_t first, hsize_t count) {
    std::vector<std::int64_t> index;
    std::vector<std::uint64_t> seed;
    std::vector<std::uint8_t> split;
    readRows(file, path, "index", H5T_NATIVE_INT64, first, count, index);
    readRows(file, path, "seed", H5T_NATIVE_UINT64, first, count, seed);
    readRows(file, path, "split", H5T_NATIVE_UINT8, first, count, split);
    const auto source = readStrings(file, path, "source", first, count);
    const auto program = readStrings(file, path, "program", first, count);
    const auto key = readStrings(file, path, "key", first, count);
    std::vector<Sample> samples(count);
    for (hsize_t i = 0; i < count; ++i) {
        samples[i].index = index[i];
        samples[i].seed = seed[i];
        samples[i].split = Split(split[i] <= 2 ? split[i] : 0);
        samples[i].source = source[i];
        samples[i].programJson = program[i];
        samples[i].nearDuplicateKey = key[i];
    }
    return samples;
}

hsize_t sampleCount(hid_t file, const fs::path& path) {
    const H5Handle dataset(H5Dopen2(file, "index", H5P_DEFAULT), H5Dclose);
    if (!dataset.ok()) fail(path, "has no /index");
    return dimsOf(dataset.id()).at(0);
}

} // namespace

void writeShard(const std::vector<Sample>& samples, const fs::path& path) {
    std::string bytes;
    {
        const std::lock_guard<std::mutex> lock(hdf5Mutex());
        bytes = shardImage(samples, path);
    }
    try {
        cad::writeFileAtomically(path, bytes);
    } catch (const cad::Error& error) {
        throw Error(error.what());
    }
}

void forEachSample(const fs::path& folder, const std::function<bool(Sample&)>& visit,
                   SampleFields fields) {
    const DatasetManifest manifest = readManifest(folder);
    for (std::int64_t s = 0; s < manifest.shardCount(); ++s) {
        const fs::path shard = folder / manifest.shardFileName(s);
        if (!fs::exists(shard)) continue;
        const std::size_t count = shardSampleCount(shard);
        for (std::size_t p = 0; p < count; ++p) {
            Sample sample = readShardSample(shard, p, fields);
            if (!visit(sample)) return;
        }
    }
}

std::size_t shardSampleCount(const fs::path& path) {
    const std::lock_guard<std::mutex> lock(hdf5Mutex());
    const H5Handle file = openShard(path);
    return std::size_t(sampleCount(file.id(), path));
}

std::vector<Sample> readShardHeaders(const fs::path& path) {
    const std::lock_guard<std::mutex> lock(hdf5Mutex());
    const H5Handle file = openShard(path);
    return readHeaders(file.id(), path, 0, sampleCount(file.id(), path));
}

Sample readShardSample(const fs::path& path, std::size_t position, SampleFields fields) {
    const std::lock_guard<std::mutex> lock(hdf5Mutex());
    const H5Handle file = openShard(path);
    const hid_t f = file.id();
    if (position >= sampleCount(f, path))
        fail(path, "has no sample at position " + std::to_string(position));
    Sample sample = readHeaders(f, path, position, 1).front();

    std::vector<float> points, normals, depths;
    std::vector<std::int32_t> faces;
    std::vector<std::uint8_t> primitives, images, masks;
    std::vector<double> normalization, cameras;
    const auto pointDims = readRows(f, path, "points", H5T_NATIVE_FLOAT, position, 1, points);
    readRows(f, path, "normals", H5T_NATIVE_FLOAT, position, 1, normals);
    readRows(f, path, "faces", H5T_NATIVE_INT32, position, 1, faces);
    readRows(f, path, "primitives", H5T_NATIVE_UINT8, position, 1, primitives);
    readRows(f, path, "normalization", H5T_NATIVE_DOUBLE, position, 1, normalization);
    const std::size_t pointCount = std::size_t(pointDims.at(1));
    for (std::size_t i = 0; i < pointCount; ++i) {
        sample.points.positions.push_back({points[3 * i], points[3 * i + 1], points[3 * i + 2]});
        sample.points.normals.push_back({normals[3 * i], normals[3 * i + 1], normals[3 * i + 2]});
        sample.points.faceIndices.push_back(faces[i]);
        sample.points.primitives.push_back(cad::PrimitiveType(
            primitives[i] < cad::kPrimitiveTypeCount ? primitives[i]
                                                     : cad::kPrimitiveTypeCount - 1));
    }
    std::copy(normalization.begin(), normalization.end(), sample.normalization.begin());
    if (fields == SampleFields::WithoutViews) return sample;

    const auto imageDims = readRows(f, path, "images", H5T_NATIVE_UINT8, position, 1, images);
    readRows(f, path, "masks", H5T_NATIVE_UINT8, position, 1, masks);
    readRows(f, path, "depths", H5T_NATIVE_FLOAT, position, 1, depths);
    readRows(f, path, "cameras", H5T_NATIVE_DOUBLE, position, 1, cameras);
    const int views = int(imageDims.at(1)), height = int(imageDims.at(2)),
              width = int(imageDims.at(3));
    const std::size_t pixels = std::size_t(width) * height;
    for (int v = 0; v < views; ++v) {
        View view;
        view.color = {width,
                      height,
                      3,
                      {images.begin() + v * pixels * 3, images.begin() + (v + 1) * pixels * 3}};
        view.mask = {
            width, height, 1, {masks.begin() + v * pixels, masks.begin() + (v + 1) * pixels}};
        view.depth = {
            width, height, {depths.begin() + v * pixels, depths.begin() + (v + 1) * pixels}};
        std::copy(cameras.begin() + v * 10, cameras.begin() + (v + 1) * 10, view.camera.begin());
        sample.views.push_back(std::move(view));
    }
    return sample;
}

} // namespace img2cad::ml
