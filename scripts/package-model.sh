#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Assembles a reconstruction model folder from the trained stages (what `train ...` wrote into
# each --out): per stage its manifest and weights only — no checkpoints, no optimiser state —
# and SHA256SUMS over the stages' files, which `scripts/package-model.sh --check` and the test suite
# verify. This is how assets/models/default/ was made (see its MODEL_CARD.md).
#
#   scripts/package-model.sh OUT_DIR codebook=DIR align=DIR refine=DIR diffusion=DIR [lift=DIR]
#                            [library=DIR]
#   scripts/package-model.sh --check MODEL_DIR
set -euo pipefail

if [ "${1:-}" = "--check" ]; then
    [ $# -eq 2 ] || { echo "usage: $0 --check MODEL_DIR" >&2; exit 2; }
    cd "$2" && sha256sum --quiet -c SHA256SUMS && echo "package-model: $2 is intact"
    exit
fi
[ $# -ge 5 ] || { sed -n '8,10p' "$0" | sed 's/^# //' >&2; exit 2; }
out="$1"
shift
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
for pair in "$@"; do
    stage="${pair%%=*}" source="${pair#*=}"
    case "$stage" in codebook | align | refine | diffusion | lift | library) ;;
        *) echo "package-model: unknown stage '$stage'" >&2; exit 2 ;;
    esac
    [ -f "$source/model.json" ] || { echo "package-model: $source has no model.json" >&2; exit 1; }
    weights="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights"])' \
        "$source/model.json")"
    [ -f "$source/$weights" ] || { echo "package-model: $source has no $weights" >&2; exit 1; }
    mkdir -p "$out.tmp/$stage"
    cp "$source/model.json" "$source/$weights" "$out.tmp/$stage/"
done
# Keep what a person wrote into the folder (the model card).
[ -f "$out/MODEL_CARD.md" ] && cp "$out/MODEL_CARD.md" "$out.tmp/"
# Checksums cover the stages' files, not the card, so that the card can be edited.
(cd "$out.tmp" && find . -mindepth 2 -type f | sort | sed 's|^\./||' | xargs sha256sum >SHA256SUMS)
rm -rf "$out"
mv "$out.tmp" "$out"
du -sh "$out"
