// SPDX-License-Identifier: MIT
#pragma once
// Where tests find data: the team's real parts in ../shared/data (absent outside the team:
// tests that need them QSKIP with a clear message), Debian's occt-misc samples, and a scratch
// folder per test run.

#include <QString>
#include <QTemporaryDir>

#include <filesystem>
#include <vector>

namespace img2cad::test {

/// ../shared/data beside the checkout, or $IMG2CAD_SHARED_DATA; empty path when absent.
std::filesystem::path sharedDataDir();
/// /usr/share/opencascade/data (package occt-misc); empty path when absent.
std::filesystem::path occtSamplesDir();
/// Files below `dir` (recursive) whose lower-case extension is one of `extensions`, sorted.
std::vector<std::filesystem::path> filesWithExtensions(const std::filesystem::path& dir,
                                                       const std::vector<std::string>& extensions);

} // namespace img2cad::test

/// Skips the current test when ../shared/data is missing.
#define IMG2CAD_REQUIRE_SHARED_DATA()                                                              \
    if (::img2cad::test::sharedDataDir().empty())                                                  \
        QSKIP("../shared/data is absent (it is only available inside the team); set "              \
              "IMG2CAD_SHARED_DATA to run this test");
