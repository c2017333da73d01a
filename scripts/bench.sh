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
