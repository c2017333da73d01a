#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reproduces the tables of docs/results.md for a model (assets/models/default/MODEL_CARD.md):
# appendix A's image-conditioned and point-cloud-conditioned measures (K = 8, best of K, beside
# the retrieval baselines and the lifting CDs) on the held-out split of its generated training
# set and on real parts nobody here designed (../shared/data sequences and STEP files, Debian's
# occt-misc STEP samples, which no stage trained on); the unconditional measures (3,000 valid
# samples); the ablation Model 3 when MODEL3_DIR holds it (scripts/train-model3.sh); and the
# figure input | truth | top-3. Renders need an X display: run under xvfb-run.
#
#   scripts/evaluate-model.sh [MODEL_DIR] [DATASET_DIR] [PARTS]
#
# DATASET_DIR is the generated set the model was trained on, with views (default
# ../data/gen10k-views beside the checkout); when it is absent it is made first, with the
# command of the model card (13 minutes on 2 cores). PARTS: held-out parts (100).
# MODEL3_DIR: the ablation's model folder (default ../models/model3). Reports go to
# build/evaluate-model/ (JSON per table, per part too). About an hour on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/assets/models/default}"
model3="${MODEL3_DIR:-$root/../models/model3}"
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

table() { # table TITLE REPORT ARGS...: one eval run (-m MODEL among ARGS), under a heading
    local title="$1" report="$2"
    shift 2
    echo
    echo "### $title"
    "$cli" eval -k 8 -o "$out/$report" "$@" 2>"$out/${report%.json}.log"
}

heldout=(--data "$data" --split test -n "$parts")
table "Held-out generated parts (test split, first $parts), from photos" held-out.json \
    -m "$model" --photos "${heldout[@]}"
table "Held-out generated parts (test split, first $parts), from point clouds" \
    held-out-cloud.json -m "$model" "${heldout[@]}"
if [ -d "$model3" ]; then
    table "Ablation Model 3 (image features to the denoiser, no point bridge), from photos" \
        model3.json -m "$model3" --photos --no-retrieval "${heldout[@]}"
else
    echo; echo "### Ablation Model 3: skipped ($model3 is absent: scripts/train-model3.sh)"
fi

# Real parts: imported with one render each (image size as in the training set), once.
size="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["settings"]["image_size"])' \
    "$data/manifest.json")"
real() { # real NAME FOLDER IMPORT-COMMAND
    local dataset="$out/real-$1"
    [ -d "$2" ] || { echo; echo "### $1: skipped ($2 is absent)"; return; }
    [ -f "$dataset/manifest.json" ] && grep -q '"complete": true' "$dataset/manifest.json" ||
        "$cli" dataset "$3" "$2" --out "$dataset" --views 1 --image-size "$size" --jobs 2 >/dev/null
    local on=(-m "$model" --data "$dataset" --split all -n 1000 --retrieval-data "$data")
    table "Real parts: $1, from photos" "real-$1.json" --photos "${on[@]}"
    table "Real parts: $1, from point clouds" "real-$1-cloud.json" "${on[@]}"
}
shared="$root/../shared/data"
real sequences "$shared/sequences" import-deepcad
real step "$shared/step" import-step
real occt-misc /usr/share/opencascade/data/step import-step

echo
echo "### Unconditional generation (3,000 valid samples against the test split)"
"$cli" eval-generation -m "$model" --data "$data" -o "$out/unconditional.json" \
    2>"$out/unconditional.log"

figure="${IMG2CAD_BUILD_DIR:-$root/build}/tests/bench/results_figure"
"$figure" --data "$data" -m "$model" -o "$out/results_figure.png" >"$out/results_figure.log"
echo
echo "figure: $out/results_figure.png (docs/results_figure.png is a copy)"
