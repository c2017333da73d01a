#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reproduces the tables of a model card (assets/models/default/MODEL_CARD.md): the model's
# image-conditioned appendix A measures (K = 8, best of K, beside the retrieval baseline and the
# lifting CDs) on the held-out split of its generated training set, then on renders of real
# parts nobody here designed (../shared/data sequences and STEP files, Debian's occt-misc STEP
# samples), which no stage trained on. Renders need an X display: run under xvfb-run.
#
#   scripts/evaluate-model.sh [MODEL_DIR] [DATASET_DIR] [PARTS]
#
# DATASET_DIR is the generated set the model was trained on, with views (default
# ../data/gen10k-views beside the checkout); when it is absent it is made first, with the
# command of the model card (13 minutes on 2 cores). PARTS: held-out parts (100).
# Reports go to build/evaluate-model/ (JSON per table, per part too).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/assets/models/default}"
data="${2:-$root/../data/gen10k-views}"
parts="${3:-100}"
cli="${IMG2CAD_BUILD_DIR:-$root/build}/app/img2cadseq"
out="${IMG2CAD_BUILD_DIR:-$root/build}/evaluate-model"
mkdir -p "$out"
[ -x "$cli" ] || "$root/scripts/build.sh"
# The same seed and settings as the model's training set (MODEL_CARD.md); resumable.
[ -f "$data/manifest.json" ] && grep -q '"complete": true' "$data/manifest.json" ||
    "$cli" dataset make --count 10000 --seed 7 --views 2 --image-size 160 --points 2048 --jobs 2 \
        --out "$data"

table() { # table TITLE REPORT ARGS...: one eval run, its tables under a heading
    local title="$1" report="$2"
    shift 2
    echo
    echo "### $title"
    "$cli" eval -m "$model" -k 8 --photos -o "$out/$report" "$@" 2>"$out/${report%.json}.log"
}

table "Held-out generated parts (test split, first $parts)" held-out.json \
    --data "$data" --split test -n "$parts"

# Real parts: imported with one render each (image size as in the training set), once.
size="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["settings"]["image_size"])' \
    "$data/manifest.json")"
real() { # real NAME FOLDER IMPORT-COMMAND
    local dataset="$out/real-$1"
    [ -d "$2" ] || { echo; echo "### $1: skipped ($2 is absent)"; return; }
    [ -f "$dataset/manifest.json" ] && grep -q '"complete": true' "$dataset/manifest.json" ||
        "$cli" dataset "$3" "$2" --out "$dataset" --views 1 --image-size "$size" --jobs 2 >/dev/null
    table "Real parts: $1" "real-$1.json" --data "$dataset" --split all -n 1000 \
        --retrieval-data "$data"
}
shared="$root/../shared/data"
real sequences "$shared/sequences" import-deepcad
real step "$shared/step" import-step
real occt-misc /usr/share/opencascade/data/step import-step
