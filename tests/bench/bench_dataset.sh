#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Dataset throughput: parts per second for generate + compile + tessellate + sample 4,096 points
# + 4 renders of 224 px + HDF5, with 1 and 2 worker processes (the 1-worker run is the reference
# of the same session), and the time that rate gives for 10,000 parts. Needs an X display
# (scripts/bench.sh runs it under xvfb-run).
set -euo pipefail
tool="${1:?usage: bench_dataset.sh path/to/img2cadseq [count]}"
count="${2:-120}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

run() { # jobs -> seconds
    local start end
    start=$(date +%s.%N)
    "$tool" dataset make --count "$count" --out "$scratch/jobs$1" --jobs "$1" --seed 3 >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
one=$(run 1)
two=$(run 2)
printf '| workers | parts | seconds | parts/s | 10,000 parts take |\n|---:|---:|---:|---:|---:|\n'
for pair in "1 $one" "2 $two"; do
    set -- $pair
    rate=$(echo "$count / $2" | bc -l)
    printf '| %s | %s | %.1f | %.2f | %.0f min |\n' "$1" "$count" "$2" "$rate" "$(echo "10000 / $rate / 60" | bc -l)"
done
printf '\nspeed-up of 2 workers over 1: %.2fx\n' "$(echo "$one / $two" | bc -l)"
