#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's run command: sets up, builds and runs the main job. Until the window lands
# (issue 7) that is the command-line tool on a shipped sample: compile it to STEP/STL/points
# and print what the kernel says of the result.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${IMG2CAD_BUILD_DIR:-$root/build}"
out="${1:-$root/out}"
mkdir -p "$out"
sample="$root/assets/samples/flanged_bracket.json"
"$build/app/img2cadseq" compile "$sample" -o "$out/flanged_bracket.step" \
    --stl "$out/flanged_bracket.stl" --points "$out/flanged_bracket.ply"
"$build/app/img2cadseq" info "$out/flanged_bracket.step"
