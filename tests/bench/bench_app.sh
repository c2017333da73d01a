#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 7's launch and memory numbers for the desktop application, under Xvfb:
#  1. time from launch to a usable window (shown, model loaded), with the model and, as the
#     same run's reference, with no model (a viewer only); median of 3 launches each;
#  2. resident memory after reconstructing a sample photo with 8 candidates (current and peak).
# Settings are read from a scratch config folder, so the user's own are neither used nor touched.
# Usage: bench_app.sh BUILD_DIR MODEL_DIR [INPUT]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$1"
model="$2"
input="${3:-$here/../../assets/samples/pillow_block.png}"
app="$build/app/img2cadseq-studio"
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
mkdir -p "$config/Img2CADSeq"
printf '[General]\ncandidates=8\n' > "$config/Img2CADSeq/Img2CADSeq Studio.conf"

run() { # MODEL [ARGS...] -> the app's "measure" lines
    local folder="$1"
    shift
    XDG_CONFIG_HOME="$config" IMG2CAD_MODEL="$folder" \
        xvfb-run -a -s "-screen 0 1400x900x24" "$app" --measure "$@" 2>/dev/null | grep '^measure '
}
launch_ms() { # MODEL -> ms from exec to the "usable" line
    local start
    start=$(date +%s%3N)
    run "$1" | awk -v s="$start" '$2 == "usable" {print $3 - s, $4}'
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

with=(); without=(); state=""
for _ in 1 2 3; do
    line=$(launch_ms "$model"); with+=("${line% *}"); state="${line#* }"
    line=$(launch_ms "$config/no-model"); without+=("${line% *}")
done
w=$(printf '%s\n' "${with[@]}" | median)
n=$(printf '%s\n' "${without[@]}" | median)
[ "$state" = "model" ] || echo "warning: the model at $model did not load (state: $state)" >&2
echo "| launch to usable window (median of 3, Xvfb) | ms |"
echo "|---|---:|"
echo "| with the model ($(basename "$model")) | $w |"
echo "| reference: no model (viewer only) | $n |"
echo "| ratio | $(awk -v a="$w" -v b="$n" 'BEGIN {printf "%.2f", a / b}') |"
echo
line=$(run "$model" --reconstruct "$input" | awk '$2 == "reconstructed"')
rss=$(sed -n 's/.*rss_mib=\([0-9]*\).*/\1/p' <<<"$line")
peak=$(sed -n 's/.*peak_mib=\([0-9]*\).*/\1/p' <<<"$line")
made=$(sed -n 's/.*candidates=\([0-9]*\).*/\1/p' <<<"$line")
echo "| after reconstructing $(basename "$input") (${made:-no} candidates made) | MiB |"
echo "|---|---:|"
echo "| resident memory | ${rss:-failed} |"
echo "| peak resident memory | ${peak:-failed} |"
