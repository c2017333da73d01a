// SPDX-License-Identifier: MIT
// Photos in: every accepted format reads, EXIF orientation is applied, a 50-megapixel photo is
// reduced while decoding, a part on a cluttered background is found (IoU against the drawn
// truth), user hints override the border model, the crop is square around the part with grey
// outside it, the debug folder gets every step, and bad files give clear errors.

#include "test_registry.h"

#include "ml/error.h"
#include "ml/vision/opencv_image.h"
#include "ml/vision/photo_io.h"
#include "ml/vision/photo_preprocess.h"

#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

using namespace img2cad;
using namespace img2cad::ml;
namespace fs = std::filesystem;

namespace {

/// A "photo": a textured table-like background (gradient + noise + a few stripes) with a dark
/// grey plate carrying a bright hole, and the truth mask of the plate (hole excluded).
std::pair<cv::Mat, cv::Mat> syntheticPhoto(int width = 640, int height = 480) {
    cv::Mat photo(height, width, CV_8UC3);
    cv::RNG rng(7);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            photo.at<cv::Vec3b>(y, x) =
                cv::Vec3b(uchar(150 + 60 * x / width), uchar(170 + 40 * y / height), uchar(190));
    cv::Mat noise(photo.size(), CV_8UC3);
    rng.fill(noise, cv::RNG::NORMAL, 0, 8);
    photo += noise;
    for (int s = 0; s < 4; ++s)
        cv::line(photo, {0, 40 + 120 * s}, {width, 20 + 120 * s}, cv::Scalar(120, 140, 160), 3);
    cv::Mat truth = cv::Mat::zeros(photo.size(), CV_8UC1);
    const std::vector<cv::Point> plate{{200, 140}, {470, 160}, {450, 350}, {180, 330}};
    cv::fillConvexPoly(photo, plate, cv::Scalar(60, 62, 70));
    cv::fillConvexPoly(truth, plate, cv::Scalar(255));
    cv::circle(photo, {325, 245}, 35, cv::Scalar(200, 215, 225), cv::FILLED); // the bore
    cv::circle(truth, {325, 245}, 35, cv::Scalar(0), cv::FILLED);
    return {photo, truth};
}

double iou(const cad::Image& mask, const cv::Mat& truth) {
    const cv::Mat m = toMat(mask);
    return double(cv::countNonZero(m & truth)) / double(std::max(1, cv::countNonZero(m | truth)));
}

/// A JPEG whose EXIF says "rotate 90 degrees clockwise to view" (orientation 6).
std::string jpegWithOrientation(const cv::Mat& image, std::uint16_t orientation) {
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", image, jpeg);
    // APP1: "Exif\0\0", little-endian TIFF header, one IFD entry (0x0112 SHORT 1 = orientation).
    const std::vector<uchar> tiff{'I',
                                  'I',
                                  42,
                                  0,
                                  8,
                                  0,
                                  0,
                                  0,
                                  1,
                                  0,
                                  0x12,
                                  0x01,
                                  3,
                                  0,
                                  1,
                                  0,
                                  0,
                                  0,
                                  uchar(orientation & 0xff),
                                  uchar(orientation >> 8),
                                  0,
                                  0,
                                  0,
                                  0,
                                  0,
                                  0};
    std::vector<uchar> app1{0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), tiff.begin(), tiff.end());
    const std::size_t length = app1.size() - 2;
    app1[2] = uchar(length >> 8);
    app1[3] = uchar(length & 0xff);
    std::string bytes(jpeg.begin(), jpeg.begin() + 2); // SOI
    bytes.append(app1.begin(), app1.end());
    bytes.append(jpeg.begin() + 2, jpeg.end());
    return bytes;
}

} // namespace

class TestPhotoPreprocess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsEveryFormat();
    void appliesTheExifOrientation();
    void reducesHugePhotosWhileDecoding();
    void findsThePartOnAClutteredBackground();
    void userHintsOverrideTheBorderModel();
    void cropsSquareWithGreyOutsideAndWritesDebugSteps();
    void refusesBadFilesClearly();
    void survivesTheIssuesBadImages();

private:
    QTemporaryDir m_dir;
    fs::path path(const char* name) const { return fs::path(m_dir.path().toStdString()) / name; }
};

void TestPhotoPreprocess::readsEveryFormat() {
    const auto [photo, truth] = syntheticPhoto(120, 90);
    for (const char* name : {"a.jpg", "a.png", "a.webp", "a.tiff", "a.bmp"}) {
        QVERIFY2(cv::imwrite(path(name).string(), photo), name);
        QVERIFY(isPhotoExtension(path(name)));
        const cad::Image read = readPhoto(path(name));
        QCOMPARE(read.width, 120);
        QCOMPARE(read.height, 90);
        QCOMPARE(read.channels, 3);
    }
    QVERIFY(!isPhotoExtension("part.step"));
}

void TestPhotoPreprocess::appliesTheExifOrientation() {
    // 80 x 40: left half red. Rotated 90 degrees clockwise for viewing: 40 x 80, top half red.
    cv::Mat image(40, 80, CV_8UC3, cv::Scalar(255, 0, 0));
    image(cv::Rect(0, 0, 40, 40)).setTo(cv::Scalar(0, 0, 255));
    std::ofstream(path("portrait.jpg"), std::ios::binary) << jpegWithOrientation(image, 6);
    const cad::Image upright = readPhoto(path("portrait.jpg"));
    QCOMPARE(upright.width, 40);
    QCOMPARE(upright.height, 80);
    QVERIFY(upright.at(20, 10, 0) > 200 && upright.at(20, 10, 2) < 60); // red on top (RGB)
    QVERIFY(upright.at(20, 70, 2) > 200 && upright.at(20, 70, 0) < 60); // blue below
}

void TestPhotoPreprocess::reducesHugePhotosWhileDecoding() {
    cv::Mat huge(6250, 8000, CV_8UC3, cv::Scalar(90, 120, 150)); // 50 megapixels
    cv::circle(huge, {4000, 3125}, 2000, cv::Scalar(20, 20, 20), cv::FILLED);
    QVERIFY(cv::imwrite(path("huge.jpg").string(), huge));
    huge.release();
    const cad::Image photo = readPhoto(path("huge.jpg"));
    qInfo("50 MP photo read as %d x %d", photo.width, photo.height);
    QVERIFY(std::int64_t(photo.width) * photo.height <= kMaxPhotoPixels);
    QVERIFY(std::abs(double(photo.width) / photo.height - 1.28) < 0.01); // aspect kept
}

void TestPhotoPreprocess::findsThePartOnAClutteredBackground() {
    const auto [photo, truth] = syntheticPhoto();
    const cad::Image mask = segmentPart(fromMat(photo));
    const double score = iou(mask, truth);
    qInfo("mask IoU %.3f", score);
    QVERIFY2(score > 0.9, qPrintable(QString("IoU %1").arg(score)));
    QCOMPARE(int(toMat(mask).at<uchar>(245, 325)), 0); // the bore stays a hole
}

void TestPhotoPreprocess::userHintsOverrideTheBorderModel() {
    // A second dark object near the plate: the border model would keep both; a rectangle
    // around the plate keeps the plate alone, and a background stroke removes a region.
    auto [photo, truth] = syntheticPhoto();
    cv::rectangle(photo, {520, 200}, {600, 300}, cv::Scalar(60, 62, 70), cv::FILLED);
    MaskHints hints;
    hints.rect = PixelRect{170, 130, 310, 230};
    const double withRect = iou(segmentPart(fromMat(photo), hints), truth);
    qInfo("IoU with a rectangle %.3f", withRect);
    QVERIFY(withRect > 0.9);
    MaskHints strokes;
    strokes.strokes.push_back({{{530, 210}, {590, 290}}, 12, false});
    strokes.strokes.push_back({{{520, 250}, {600, 250}}, 12, false});
    const cad::Image stroked = segmentPart(fromMat(photo), strokes);
    QCOMPARE(int(toMat(stroked).at<uchar>(250, 560)), 0);
}

void TestPhotoPreprocess::cropsSquareWithGreyOutsideAndWritesDebugSteps() {
    const auto [photo, truth] = syntheticPhoto();
    QVERIFY(cv::imwrite(path("plate.png").string(), photo));
    PreprocessOptions options;
    options.outputSize = 128;
    options.debugFolder = path("debug");
    const PreprocessedPhoto result = preprocessPhoto(path("plate.png"), options);
    QCOMPARE(result.input.width, 128);
    QCOMPARE(result.input.height, 128);
    QCOMPARE(result.crop.width, result.crop.height);
    // The plate spans about 290 px: the square is that plus the margins.
    QVERIFY(result.crop.width > 290 && result.crop.width < 400);
    QCOMPARE(int(result.input.at(2, 2, 0)), int(kNeutralBackground)); // grey outside the part
    QVERIFY(result.input.at(40, 64, 0) < 100);                        // the dark plate
    for (const char* step :
         {"1_photo.png", "2_mask.png", "3_overlay.png", "4_crop_mask.png", "5_input.png"})
        QVERIFY2(fs::file_size(options.debugFolder / step) > 100, step);
}

void TestPhotoPreprocess::refusesBadFilesClearly() {
    std::ofstream(path("fake.jpg")) << "this is text, not a JPEG";
    std::ofstream(path("empty.png"));
    for (const fs::path& bad : {path("fake.jpg"), path("empty.png"), path("missing.jpg"),
                                fs::path(m_dir.path().toStdString())}) {
        try {
            readPhoto(bad);
            QFAIL(qPrintable(QString("no error for ") + bad.c_str()));
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(bad.filename().string())) ||
                         QString(e.what()).contains(QString::fromStdString(bad.string())),
                     e.what());
        }
    }
    // A blank photo has no part.
    const cad::Image blank{64, 64, 3, std::vector<std::uint8_t>(64 * 64 * 3, 200)};
    QVERIFY_THROWS_EXCEPTION(Error, segmentPart(blank));
}

namespace {

std::string fileBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
}

std::uint32_t crc32(const std::string& bytes) { // PNG's CRC (ISO 3309), bit by bit
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : bytes) {
        crc ^= byte;
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string bigEndian(std::uint32_t value) {
    return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

} // namespace

// Issue 5's set of bad images: a truncated JPEG, a 0 x 0 PNG, a JPEG whose header claims
// 20000 x 20000, an all-white photo (and a text file named .jpg, above). Each gives a clear
// ml::Error or a sensible, bounded result; none crashes or allocates gigabytes.
void TestPhotoPreprocess::survivesTheIssuesBadImages() {
    cv::imwrite(path("whole.jpg").string(), syntheticPhoto().first);
    const std::string jpeg = fileBytes(path("whole.jpg"));

    writeBytes(path("truncated.jpg"), jpeg.substr(0, jpeg.size() / 2));
    try { // libjpeg fills the missing rows; either outcome is fine, a crash is not
        const cad::Image half = readPhoto(path("truncated.jpg"));
        QCOMPARE(half.width, 640);
        qInfo("truncated JPEG: read, missing rows filled");
    } catch (const Error& e) {
        qInfo("truncated JPEG: %s", e.what());
        QVERIFY2(QString(e.what()).contains("truncated.jpg"), e.what());
    }

    // The frame header (SOF0: FF C0, length, precision, height, width) claims 20000 x 20000.
    std::string huge = jpeg;
    const std::size_t sof = huge.find("\xFF\xC0");
    QVERIFY(sof != std::string::npos);
    huge[sof + 5] = huge[sof + 7] = char(0x4E);
    huge[sof + 6] = huge[sof + 8] = char(0x20);
    writeBytes(path("huge.jpg"), huge);
    try {
        const cad::Image big = readPhoto(path("huge.jpg"));
        QVERIFY(std::int64_t(big.width) * big.height <= kMaxPhotoPixels);
        qInfo("20000 x 20000 JPEG header: read as %d x %d", big.width, big.height);
    } catch (const Error& e) {
        qInfo("20000 x 20000 JPEG header: %s", e.what());
        QVERIFY2(QString(e.what()).contains("huge.jpg"), e.what());
    }

    // A PNG signature and an IHDR chunk of width 0 and height 0 with a valid CRC.
    const std::string ihdr =
        std::string("IHDR") + bigEndian(0) + bigEndian(0) + std::string("\x08\x02\x00\x00\x00", 5);
    writeBytes(path("empty.png"),
               std::string("\x89PNG\r\n\x1A\n", 8) + bigEndian(13) + ihdr + bigEndian(crc32(ihdr)));
    QVERIFY_THROWS_EXCEPTION(Error, readPhoto(path("empty.png")));

    const cad::Image white{320, 240, 3, std::vector<std::uint8_t>(320 * 240 * 3, 255)};
    writeImage(white, path("white.png"));
    try {
        preprocessPhoto(path("white.png"));
        QFAIL("an all-white photo has no part to crop");
    } catch (const Error& e) {
        qInfo("all-white photo: %s", e.what());
        QVERIFY2(QString(e.what()).contains("rectangle"), e.what()); // says what to do
    }
}

IMG2CAD_REGISTER_TEST(TestPhotoPreprocess)
#include "test_photo_preprocess.moc"
