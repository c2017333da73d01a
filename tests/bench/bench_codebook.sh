#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Codebook benchmarks of issue 4:
#  1. training throughput of one level VQ-VAE, LibTorch (C++) against python3-torch of the same
#     version, same shapes and threads, interleaved three times (median), as a ratio;
#  2. reconstruction quality of trained codebooks, when model folders are given.
# Usage: bench_codebook.sh BUILD_DIR [DATASET MODEL_DIR...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$1"
shift
threads="${THREADS:-2}"
export OMP_NUM_THREADS="$threads"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
cpp=(); py=()
for _ in 1 2 3; do
    cpp+=("$("$build/tests/bench/bench_codebook_throughput" | awk '{print $2}')")
    py+=("$(/usr/bin/python3 "$here/codebook_throughput_reference.py" | awk '{print $2}')")
done
c=$(printf '%s\n' "${cpp[@]}" | median)
p=$(printf '%s\n' "${py[@]}" | median)
echo "| level VQ-VAE training (CC level, batch 32 x 48 rows, width 128, 2+2 layers, $threads threads) | sequences/s |"
echo "|---|---|"
echo "| C++ (LibTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)' | cut -d+ -f1)) | $c |"
echo "| python3-torch reference | $p |"
echo "| C++ / Python | $(awk -v c="$c" -v p="$p" 'BEGIN {printf "%.2f", c / p}') |"

if [ $# -ge 2 ]; then
    data="$1"
    shift
    args=()
    for model in "$@"; do args+=(--model "$model"); done
    echo
    "$build/tests/bench/bench_codebook" --data "$data" "${args[@]}" --programs "${PROGRAMS:-300}"
fi
