// SPDX-License-Identifier: MIT
#pragma once
// Atomic writes: content goes to a temporary file beside the target, which is renamed over the
// target only once complete. A failed write never leaves a half file in place of a good one.

#include <filesystem>
#include <functional>
#include <string_view>

namespace img2cad::cad {

/// Calls `writeTo(temporaryPath)`, which must create that file (any writer library works),
/// then renames it onto `target`. On any failure (the callback throws or returns false, the
/// folder is missing or unwritable) the temporary file is removed, `target` is untouched and
/// cad::Error is thrown naming the target.
void writeAtomically(const std::filesystem::path& target,
                     const std::function<bool(const std::filesystem::path&)>& writeTo);

/// Writes bytes atomically.
void writeFileAtomically(const std::filesystem::path& target, std::string_view bytes);

/// Checks that `path` names a readable regular file; throws cad::Error saying what is wrong
/// (missing, a directory, unreadable). Every reader calls this first.
void requireReadableFile(const std::filesystem::path& path);

} // namespace img2cad::cad
