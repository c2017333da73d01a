// SPDX-License-Identifier: MIT
#include "file_test_helpers.h"
#include "test_paths.h"
#include "test_registry.h"

#include "cad/atomic_file.h"
#include "cad/error.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using img2cad::cad::Error;

using namespace img2cad::test;

namespace {} // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void writesANewFile();
    void replacesAnExistingFile();
    void failingCallbackKeepsThePreviousContent();
    void throwingCallbackKeepsThePreviousContent();
    void callbackThatCreatesNoFileFails();
    void missingFolderIsReported();
    void fileAsParentFolderIsReported();
    void targetThatIsAFolderIsReported();
    void unwritableFolderIsReported();
    void requireReadableFileExplainsTheProblem();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    fs::path m_folder;
};

void TestAtomicFile::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_folder = fs::path(m_dir->path().toStdString());
}

void TestAtomicFile::writesANewFile() {
    const fs::path target = m_folder / "new.txt";
    img2cad::cad::writeFileAtomically(target, "hello\n");
    QCOMPARE(readText(target), std::string("hello\n"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"new.txt"});
}

void TestAtomicFile::replacesAnExistingFile() {
    const fs::path target = m_folder / "existing.txt";
    writeText(target, "old content that is longer");
    img2cad::cad::writeFileAtomically(target, "new");
    QCOMPARE(readText(target), std::string("new"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"existing.txt"});
}

void TestAtomicFile::failingCallbackKeepsThePreviousContent() {
    const fs::path target = m_folder / "keep.txt";
    writeText(target, "good");
    fs::path seenTemp;
    const std::string message = errorOf([&] {
        img2cad::cad::writeAtomically(target, [&](const fs::path& temp) {
            seenTemp = temp;
            writeText(temp, "half a fi");
            return false;
        });
    });
    QVERIFY2(contains(message, "keep.txt"), message.c_str());
    QCOMPARE(seenTemp.parent_path(), m_folder);
    QCOMPARE(readText(target), std::string("good"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"keep.txt"});
}

void TestAtomicFile::throwingCallbackKeepsThePreviousContent() {
    const fs::path target = m_folder / "keep.txt";
    writeText(target, "good");
    const std::string message = errorOf([&] {
        img2cad::cad::writeAtomically(target, [](const fs::path& temp) -> bool {
            writeText(temp, "half");
            throw std::runtime_error("disk on fire");
        });
    });
    QVERIFY2(contains(message, "keep.txt") && contains(message, "disk on fire"), message.c_str());
    QCOMPARE(readText(target), std::string("good"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"keep.txt"});
}

void TestAtomicFile::callbackThatCreatesNoFileFails() {
    const fs::path target = m_folder / "nothing.txt";
    const std::string message = errorOf([&] {
        img2cad::cad::writeAtomically(target, [](const fs::path& temp) {
            fs::remove(temp);
            return true;
        });
    });
    QVERIFY2(contains(message, "nothing.txt"), message.c_str());
    QVERIFY(folderEntries(m_folder).empty());
}

void TestAtomicFile::missingFolderIsReported() {
    const fs::path target = m_folder / "no" / "such" / "folder.txt";
    const std::string message = errorOf([&] { img2cad::cad::writeFileAtomically(target, "x"); });
    QVERIFY2(contains(message, "does not exist") && contains(message, "folder.txt"),
             message.c_str());
    QVERIFY(folderEntries(m_folder).empty());
}

void TestAtomicFile::fileAsParentFolderIsReported() {
    writeText(m_folder / "plain.txt", "I am a file");
    const fs::path target = m_folder / "plain.txt" / "inside.txt";
    const std::string message = errorOf([&] { img2cad::cad::writeFileAtomically(target, "x"); });
    QVERIFY2(contains(message, "is not a folder"), message.c_str());
    QCOMPARE(readText(m_folder / "plain.txt"), std::string("I am a file"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"plain.txt"});
}

void TestAtomicFile::targetThatIsAFolderIsReported() {
    fs::create_directory(m_folder / "folder.step");
    const std::string message =
        errorOf([&] { img2cad::cad::writeFileAtomically(m_folder / "folder.step", "x"); });
    QVERIFY2(contains(message, "is a folder"), message.c_str());
    QVERIFY(fs::is_directory(m_folder / "folder.step"));
    QCOMPARE(folderEntries(m_folder), std::vector<std::string>{"folder.step"});
}

void TestAtomicFile::unwritableFolderIsReported() {
    // /proc refuses new files even to root, unlike a chmod-ed folder.
    const fs::path target = "/proc/img2cad-test-output.txt";
    const std::string message = errorOf([&] { img2cad::cad::writeFileAtomically(target, "x"); });
    QVERIFY2(contains(message, "cannot write") && contains(message, target.string()) &&
                 contains(message, "folder '/proc'"),
             message.c_str());
    QVERIFY(!fs::exists(target));
}

void TestAtomicFile::requireReadableFileExplainsTheProblem() {
    using img2cad::cad::requireReadableFile;
    const fs::path missing = m_folder / "missing.step";
    std::string message = errorOf([&] { requireReadableFile(missing); });
    QVERIFY2(contains(message, "no such file") && contains(message, missing.string()),
             message.c_str());

    message = errorOf([&] { requireReadableFile(m_folder); });
    QVERIFY2(contains(message, "is a folder") && contains(message, m_folder.string()),
             message.c_str());

    const fs::path present = m_folder / "present.step";
    writeText(present, "x");
    requireReadableFile(present);

    if (::geteuid() == 0) return; // root reads files whatever their permissions say
    fs::permissions(present, fs::perms::none);
    message = errorOf([&] { requireReadableFile(present); });
    fs::permissions(present, fs::perms::owner_all);
    QVERIFY2(contains(message, "Permission denied") && contains(message, present.string()),
             message.c_str());
}

IMG2CAD_REGISTER_TEST(TestAtomicFile)
#include "test_atomic_file.moc"
