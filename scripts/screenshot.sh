#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Takes the README's pictures of the main window under Xvfb: docs/main_window.png (the shipped
# sample part opened) and, with a model, docs/reconstruction_window.png (a sample photo
# reconstructed: mask, clouds, heatmap and candidates). Rerun after UI or model changes.
#   scripts/screenshot.sh [MODEL_DIR]     (default: the shipped default model, when there is one)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
build="${IMG2CAD_BUILD_DIR:-$root/build}"
sample="$root/assets/samples/flanged_bracket.json"
shoot() { xvfb-run -a -s "-screen 0 1400x900x24" "$build/app/img2cadseq-studio" "$@"; }
shoot --screenshot "$root/docs/main_window.png" "$sample"
echo "wrote docs/main_window.png"
model="${1:-$root/assets/models/default}"
if [ -d "$model/codebook" ]; then
    IMG2CAD_MODEL="$model" shoot --reconstruct --screenshot "$root/docs/reconstruction_window.png" \
        "$root/assets/samples/pillow_block.png"
    echo "wrote docs/reconstruction_window.png"
else
    echo "no model at $model: skipped the reconstruction picture" >&2
fi
