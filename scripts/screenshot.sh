#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Takes the README's picture of the main window (docs/main_window.png) under Xvfb: the shipped
# sample part opened in the application. Rerun after UI changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
build="${IMG2CAD_BUILD_DIR:-$root/build}"
xvfb-run -a -s "-screen 0 1400x900x24" "$build/app/img2cadseq-studio" \
    --screenshot "$root/docs/main_window.png" "$root/assets/samples/flanged_bracket.json"
echo "wrote docs/main_window.png"
