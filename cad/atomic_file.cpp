// SPDX-License-Identifier: MIT
#include "cad/atomic_file.h"

#include "cad/error.h"
#include "cad/internal/file_names.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <string>
#include <system_error>
#include <unistd.h>

namespace img2cad::cad {

namespace fs = std::filesystem;

namespace {

constexpr int kTempNameAttempts = 16;

std::string randomSuffix() {
    // Seeded once per thread from the OS: names only need to differ between concurrent writers.
    thread_local std::mt19937_64 generator{std::random_device{}()};
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
    std::string suffix(10, 'x');
    for (char& c : suffix)
        c = kAlphabet[pick(generator)];
    return suffix;
}

/// Removes the temporary file on every path out of writeAtomically unless released.
class TempFileGuard {
public:
    explicit TempFileGuard(fs::path path) : m_path(std::move(path)) {}
    TempFileGuard(const TempFileGuard&) = delete;
    TempFileGuard& operator=(const TempFileGuard&) = delete;
    ~TempFileGuard() {
        if (m_path.empty()) return;
        std::error_code ignored;
        fs::remove(m_path, ignored);
    }
    void release() { m_path.clear(); }

private:
    fs::path m_path;
};

void checkTargetFolder(const fs::path& target, const fs::path& folder) {
    std::error_code ec;
    const fs::file_status folderStatus = fs::status(folder, ec);
    if (!fs::exists(folderStatus))
        throw Error("cannot write " + quoted(target) + ": the folder " + quoted(folder) +
                    " does not exist");
    if (!fs::is_directory(folderStatus))
        throw Error("cannot write " + quoted(target) + ": " + quoted(folder) + " is not a folder");
    if (fs::is_directory(fs::status(target, ec)))
        throw Error("cannot write " + quoted(target) + ": it is a folder, not a file");
}

/// Creates an empty, uniquely named file beside the target (O_EXCL, so two writers never
/// share one) and returns its path. Creating it up front tells an unwritable folder apart
/// from a failing writer.
fs::path createTempFile(const fs::path& target, const fs::path& folder) {
    const std::string stem = "." + target.filename().string() + ".tmp-";
    int lastErrno = 0;
    for (int attempt = 0; attempt < kTempNameAttempts; ++attempt) {
        fs::path candidate = folder / (stem + randomSuffix());
        const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::close(fd);
            return candidate;
        }
        lastErrno = errno;
        if (lastErrno != EEXIST) break;
    }
    const std::string detail = std::strerror(lastErrno);
    if (lastErrno == EACCES || lastErrno == EPERM || lastErrno == EROFS)
        throw Error("cannot write " + quoted(target) + ": the folder " + quoted(folder) +
                    " is not writable (" + detail + ")");
    // Special file systems such as /proc refuse new files with odd codes (ENOENT).
    throw Error("cannot write " + quoted(target) + ": no file can be created in the folder " +
                quoted(folder) + " (" + detail + ")");
}

} // namespace

void writeAtomically(const fs::path& target, const std::function<bool(const fs::path&)>& writeTo) {
    if (target.empty() || !target.has_filename())
        throw Error("cannot write " + quoted(target) + ": no file name given");
    // The temporary file sits beside the target: rename() is atomic only within one file
    // system, and the folder of the target is the one place known to be on the same one.
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    checkTargetFolder(target, folder);

    const fs::path temp = createTempFile(target, folder);
    TempFileGuard guard(temp);

    // Writers report failure in many ways (false, cad::Error, library exceptions); all of
    // them become one cad::Error that names the target, the file the user asked for.
    bool written = false;
    try {
        written = writeTo(temp);
    } catch (const Error& error) {
        throw Error("cannot write " + quoted(target) + ": " + error.reason());
    } catch (const std::exception& error) {
        throw Error("cannot write " + quoted(target) + ": " + error.what());
    }
    if (!written) throw Error("cannot write " + quoted(target) + ": the writer reported a failure");

    // A writer that deletes or replaces its output (some libraries write elsewhere and move)
    // must still leave a plain file, or the rename would publish nothing or a link.
    std::error_code ec;
    if (!fs::is_regular_file(temp, ec))
        throw Error("cannot write " + quoted(target) + ": the writer produced no file");
    fs::rename(temp, target, ec);
    if (ec) throw Error("cannot write " + quoted(target) + ": " + ec.message());
    guard.release();
}

void writeFileAtomically(const fs::path& target, std::string_view bytes) {
    writeAtomically(target, [&bytes](const fs::path& temp) {
        std::FILE* file = std::fopen(temp.c_str(), "wb");
        if (!file)
            throw Error(std::string("cannot open the temporary file: ") + std::strerror(errno));
        const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
        // fclose flushes, so a full disk may only show up here.
        const bool closed = std::fclose(file) == 0;
        if (!wrote || !closed) throw Error(std::string("writing failed: ") + std::strerror(errno));
        return true;
    });
}

void requireReadableFile(const fs::path& path) {
    if (path.empty()) throw Error("no file name given");
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) throw Error("cannot read " + quoted(path) + ": no such file");
    if (fs::is_directory(status))
        throw Error("cannot read " + quoted(path) + ": it is a folder, not a file");
    if (!fs::is_regular_file(status))
        throw Error("cannot read " + quoted(path) + ": not a regular file");
    // access() asks the kernel with the real permissions (ACLs included), which the mode bits
    // that std::filesystem reports do not always tell.
    if (::access(path.c_str(), R_OK) != 0)
        throw Error("cannot read " + quoted(path) + ": " + std::strerror(errno));
}

} // namespace img2cad::cad
