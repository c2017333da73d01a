#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's test command: sets up a fresh Debian 12 machine, builds, and runs the whole
# suite (CTest over the QtTest executables) under a virtual X display, then the fuzzers for a
# bounded time (scripts/fuzz.sh; IMG2CAD_FUZZ_SECONDS per harness, 0 skips them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${IMG2CAD_BUILD_DIR:-$root/build}"
cd "$build"
# xvfb-run gives the GL tests a display; -a picks a free server number.
xvfb-run -a -s "-screen 0 1280x1024x24" \
    ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
seconds="${IMG2CAD_FUZZ_SECONDS:-10}"
if [ "$seconds" -gt 0 ]; then
    "$root/scripts/fuzz.sh" "$seconds"
fi
