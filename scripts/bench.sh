#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs the benchmarks, printing their tables (numbers go into README.md by hand).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${IMG2CAD_BUILD_DIR:-$root/build}"
"$build/tests/bench/bench_cad" "$root" "${REPEATS:-15}"
"$build/tests/bench/bench_real_shapes" "$root"
xvfb-run -a -s "-screen 0 1280x1024x24" "$root/tests/bench/bench_dataset.sh" "$build/app/img2cadseq" "${COUNT:-120}"
# Codebook: throughput against python3-torch; quality when CODEBOOK_DATA and CODEBOOK_MODELS
# (space-separated model folders) name a dataset and trained models.
"$root/scripts/setup.sh" "$root/scripts/bench-packages.txt"
"$root/tests/bench/bench_codebook.sh" "$build" ${CODEBOOK_DATA:+"$CODEBOOK_DATA"} ${CODEBOOK_MODELS:-}
# The application's launch time and memory, with APP_MODEL (default: the shipped model).
app_model="${APP_MODEL:-$root/assets/models/default}"
if [ -d "$app_model/codebook" ]; then
    "$root/tests/bench/bench_app.sh" "$build" "$app_model"
else
    echo "no model at $app_model: set APP_MODEL to measure the application's launch and memory" >&2
fi
