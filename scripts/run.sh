#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's run command: sets up a fresh Debian 12 machine, builds, and starts Img2CADSeq
# Studio with the shipped default model (assets/models/default/), reconstructing one of the
# sample photos (assets/samples/). Extra arguments are passed to the application (e.g. a file
# to open instead of the sample).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${IMG2CAD_BUILD_DIR:-$root/build}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "run: no display (DISPLAY and WAYLAND_DISPLAY are unset): start the application from a" \
         "desktop session, or try it headless with 'xvfb-run -a $0'" >&2
    exit 1
fi
if [ $# -eq 0 ]; then set -- "$root/assets/samples/pillow_block.png"; fi
exec "$build/app/img2cadseq-studio" "$@"
