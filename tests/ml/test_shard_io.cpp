// SPDX-License-Identifier: MIT
// Dataset shards: lossless HDF5 round trips, the stable split, and clear errors for
// inconsistent samples, foreign or truncated files and a full disk.

#include "test_registry.h"

#include "ml/dataset/manifest.h"
#include "ml/dataset/shard_io.h"
#include "ml/error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <filesystem>
#include <functional>
#include <hdf5.h>
#include <sys/resource.h>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

namespace {

/// A sample with recognisable values everywhere: `points` points, `views` views of w x h.
Sample makeSample(std::int64_t index, std::size_t points = 16, int views = 2, int width = 8,
                  int height = 6) {
    Sample sample;
    sample.index = index;
    sample.seed = 1000 + std::uint64_t(index);
    sample.source = "round_flange";
    sample.programJson = "{\"name\": \"part " + std::to_string(index) + "\"}";
    sample.nearDuplicateKey = "key-" + std::to_string(index);
    sample.split = splitFor(sample.nearDuplicateKey);
    for (std::size_t i = 0; i < points; ++i) {
        const float t = float(index * 100 + std::int64_t(i));
        sample.points.positions.push_back({t, t + 0.25f, t + 0.5f});
        sample.points.normals.push_back({0, 0, 1});
        sample.points.faceIndices.push_back(std::int32_t(i % 5));
        sample.points.primitives.push_back(cad::PrimitiveType(i % cad::kPrimitiveTypeCount));
    }
    sample.normalization = {1.5, -2.0, 3.25, 0.01};
    for (int v = 0; v < views; ++v) {
        View view;
        view.color = {width, height, 3, std::vector<std::uint8_t>(std::size_t(width * height * 3))};
        view.mask = {width, height, 1, std::vector<std::uint8_t>(std::size_t(width * height))};
        view.depth = {width, height, std::vector<float>(std::size_t(width * height))};
        for (std::size_t p = 0; p < view.color.pixels.size(); ++p)
            view.color.pixels[p] =
                std::uint8_t((p * 7 + std::size_t(v) + std::size_t(index)) % 256);
        for (std::size_t p = 0; p < view.mask.pixels.size(); ++p)
            view.mask.pixels[p] = p % 3 ? 255 : 0;
        for (std::size_t p = 0; p < view.depth.depth.size(); ++p)
            view.depth.depth[p] = float(p) * 0.5f;
        for (int c = 0; c < 10; ++c)
            view.camera[std::size_t(c)] = index + v + c * 0.1;
        sample.views.push_back(view);
    }
    return sample;
}

bool sameSample(const Sample& a, const Sample& b) {
    if (a.index != b.index || a.seed != b.seed || a.source != b.source ||
        a.programJson != b.programJson || a.nearDuplicateKey != b.nearDuplicateKey ||
        a.split != b.split || a.normalization != b.normalization ||
        a.views.size() != b.views.size() || a.points.size() != b.points.size())
        return false;
    for (std::size_t i = 0; i < a.points.size(); ++i) {
        const auto& p = a.points.positions[i];
        const auto& q = b.points.positions[i];
        if (p.x != q.x || p.y != q.y || p.z != q.z ||
            a.points.faceIndices[i] != b.points.faceIndices[i] ||
            a.points.primitives[i] != b.points.primitives[i])
            return false;
    }
    for (std::size_t v = 0; v < a.views.size(); ++v)
        if (a.views[v].color.pixels != b.views[v].color.pixels ||
            a.views[v].mask.pixels != b.views[v].mask.pixels ||
            a.views[v].depth.depth != b.views[v].depth.depth ||
            a.views[v].camera != b.views[v].camera)
            return false;
    return true;
}

QString errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

} // namespace

class TestShardIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsEverySample();
    void readsHeadersWithoutTheHeavyFields();
    void visitsADatasetInOrderUntilToldToStop();
    void splitsEightyTenTenByAStableHash();
    void refusesSamplesOfDifferentShapes();
    void refusesForeignTruncatedAndMissingFiles();
    void reportsAFullDiskAndLeavesNoFile();
};

void TestShardIo::roundTripsEverySample() {
    QTemporaryDir dir;
    const fs::path path = dir.filePath("shard-00000.h5").toStdString();
    std::vector<Sample> samples;
    for (int i = 0; i < 5; ++i)
        samples.push_back(makeSample(i));
    writeShard(samples, path);
    QCOMPARE(shardSampleCount(path), std::size_t(5));
    for (std::size_t i = 0; i < samples.size(); ++i)
        QVERIFY2(sameSample(readShardSample(path, i), samples[i]),
                 qPrintable(QString("sample %1").arg(i)));
    QVERIFY(errorOf([&] { readShardSample(path, 5); }).contains("no sample at position 5"));
    // Without the views: the same sample but for them.
    Sample light = readShardSample(path, 3, SampleFields::WithoutViews);
    QVERIFY(light.views.empty());
    light.views = samples[3].views;
    QVERIFY(sameSample(light, samples[3]));
    // Only the shard itself is left in the folder (no temporary file).
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
}

void TestShardIo::readsHeadersWithoutTheHeavyFields() {
    QTemporaryDir dir;
    const fs::path path = dir.filePath("shard.h5").toStdString();
    writeShard({makeSample(7), makeSample(8)}, path);
    const std::vector<Sample> headers = readShardHeaders(path);
    QCOMPARE(headers.size(), std::size_t(2));
    QCOMPARE(headers[1].index, std::int64_t(8));
    QCOMPARE(headers[1].nearDuplicateKey, std::string("key-8"));
    QVERIFY(headers[1].points.empty());
}

void TestShardIo::visitsADatasetInOrderUntilToldToStop() {
    QTemporaryDir dir;
    const fs::path folder = dir.path().toStdString();
    DatasetManifest manifest;
    manifest.settings.count = 5;
    manifest.settings.shardSize = 2;
    writeManifest(manifest, folder);
    QCOMPARE(manifest.shardCount(), std::int64_t(3));
    // The middle shard is not written yet (a dataset being made): it is skipped.
    writeShard({makeSample(0, 4, 0), makeSample(1, 4, 0)}, folder / manifest.shardFileName(0));
    writeShard({makeSample(4, 4, 0)}, folder / manifest.shardFileName(2));
    std::vector<std::int64_t> seen;
    forEachSample(folder, [&](Sample& sample) {
        seen.push_back(sample.index);
        return true;
    });
    QCOMPARE(seen, (std::vector<std::int64_t>{0, 1, 4}));
    seen.clear();
    forEachSample(folder, [&](Sample& sample) {
        seen.push_back(sample.index);
        return seen.size() < 2;
    });
    QCOMPARE(seen, (std::vector<std::int64_t>{0, 1}));
    QVERIFY_THROWS_EXCEPTION(Error,
                             forEachSample(folder / "nowhere", [](Sample&) { return true; }));
}

void TestShardIo::splitsEightyTenTenByAStableHash() {
    int counts[3] = {0, 0, 0};
    for (int i = 0; i < 20000; ++i)
        ++counts[int(splitFor("part-" + std::to_string(i)))];
    QVERIFY(std::abs(counts[0] - 16000) < 300);
    QVERIFY(std::abs(counts[1] - 2000) < 200);
    QVERIFY(std::abs(counts[2] - 2000) < 200);
    QCOMPARE(splitFor("part-42"), splitFor("part-42"));
}

void TestShardIo::refusesSamplesOfDifferentShapes() {
    QTemporaryDir dir;
    const fs::path path = dir.filePath("shard.h5").toStdString();
    QVERIFY(errorOf([&] {
                writeShard({makeSample(0), makeSample(1, 17)}, path);
            }).contains("point count"));
    QVERIFY(errorOf([&] {
                writeShard({makeSample(0), makeSample(1, 16, 3)}, path);
            }).contains("view count"));
    QVERIFY(errorOf([&] {
                writeShard({makeSample(0), makeSample(1, 16, 2, 9)}, path);
            }).contains("image"));
    QVERIFY(!fs::exists(path));
}

void TestShardIo::refusesForeignTruncatedAndMissingFiles() {
    QTemporaryDir dir;
    QVERIFY(errorOf([&] {
                shardSampleCount(dir.filePath("missing.h5").toStdString());
            }).contains("no such file"));
    const fs::path text = dir.filePath("text.h5").toStdString();
    QFile file(QString::fromStdString(text.string()));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not hdf5 at all");
    file.close();
    QVERIFY(errorOf([&] { shardSampleCount(text); }).contains("not a readable HDF5 file"));

    const fs::path foreign = dir.filePath("foreign.h5").toStdString();
    const hid_t h5 = H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h5);
    QVERIFY(errorOf([&] { shardSampleCount(foreign); }).contains("not an Img2CADSeq shard"));

    const fs::path good = dir.filePath("good.h5").toStdString();
    std::vector<Sample> samples;
    for (int i = 0; i < 4; ++i)
        samples.push_back(makeSample(i, 512, 2, 64, 48));
    writeShard(samples, good);
    const fs::path truncated = dir.filePath("truncated.h5").toStdString();
    fs::copy_file(good, truncated);
    fs::resize_file(truncated, fs::file_size(good) / 2);
    const QString message = errorOf([&] {
        shardSampleCount(truncated);
        readShardSample(truncated, 3);
    });
    QVERIFY2(message.contains("truncated"), qPrintable(message));
}

void TestShardIo::reportsAFullDiskAndLeavesNoFile() {
    // A file-size limit makes writes fail with EFBIG exactly as a full disk fails them with
    // ENOSPC, without needing root to mount a small tmpfs.
    QTemporaryDir dir;
    const fs::path path = dir.filePath("shard.h5").toStdString();
    std::vector<Sample> samples;
    for (int i = 0; i < 8; ++i)
        samples.push_back(makeSample(i, 4096, 4, 64, 64));
    rlimit previous{};
    getrlimit(RLIMIT_FSIZE, &previous);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = previous;
    small.rlim_cur = 64 * 1024;
    setrlimit(RLIMIT_FSIZE, &small);
    const QString message = errorOf([&] { writeShard(samples, path); });
    setrlimit(RLIMIT_FSIZE, &previous);
    std::signal(SIGXFSZ, previousHandler);
    QVERIFY2(message.contains("shard.h5") && message.contains("File too large"),
             qPrintable(message));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
}

IMG2CAD_REGISTER_TEST(TestShardIo)
#include "test_shard_io.moc"
