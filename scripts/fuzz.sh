#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer harnesses of fuzz/ with clang (AddressSanitizer on our readers) into
# build-fuzz/ and runs each for a bounded time: first over the kept regression inputs
# (fuzz/regressions/<harness>/, every crash ever found), then fuzzing from seeds.
#
#   scripts/fuzz.sh [SECONDS_PER_HARNESS] [HARNESS ...]     (default 10 s, all harnesses)
#
# The random seed is fixed (IMG2CAD_FUZZ_SEED, default 1) so that the test command explores the
# same inputs on every machine; IMG2CAD_FUZZ_SEED=0 lets libFuzzer pick one for long hand runs.
#
# A crash leaves its input in build-fuzz/crashes/<harness>/ and fails the script; fix the bug,
# then copy the input into fuzz/regressions/<harness>/ so it is replayed forever after.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${IMG2CAD_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-10}"
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(fuzz_program_json fuzz_sequence_json fuzz_part_file fuzz_photo)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DIMG2CAD_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${harnesses[@]}"

# Seeds: the files the readers exist for. A part file's or photo's first byte picks its
# extension (see the harness), so those seeds carry it in front.
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{fuzz_program_json,fuzz_sequence_json,fuzz_part_file,fuzz_photo}
sample="$root/fuzz/seeds/part/plate_with_hole.json" # small in every format
cp "$sample" "$root/assets/samples/flanged_bracket.json" "$seeds/fuzz_program_json/"
if [ -d "$root/../shared/data/sequences" ]; then
    find "$root/../shared/data/sequences" -name '*.json' -size -64k | head -n 20 |
        while read -r f; do cp "$f" "$seeds/fuzz_sequence_json/"; done
fi
printf '{"sequence":[],"entities":{}}' >"$seeds/fuzz_sequence_json/minimal.json"
cp "$root"/fuzz/seeds/photo/* "$seeds/fuzz_photo/"
with_selector() { # with_selector INDEX FILE OUT: the selector byte, then the file
    { printf "\\$(printf '%03o' "$1")"; cat "$2"; } >"$3"
}
cli="${IMG2CAD_BUILD_DIR:-$root/build}/app/img2cadseq"
# Selector bytes as in fuzz_part_file.cpp (0 .step, 1 .brep and 9 .stp are not fuzzed).
for pair in 2:stl 3:obj 4:ply 6:glb 7:xyz 8:json; do
    index="${pair%%:*}" ext="${pair#*:}"
    part="$build/seed-part.$ext"
    if [ "$ext" = json ]; then cp "$sample" "$part"
    elif [ -x "$cli" ]; then "$cli" convert "$sample" "$part" >/dev/null 2>&1 || true
    fi
    [ -s "$part" ] && with_selector "$index" "$part" "$seeds/fuzz_part_file/seed.$ext"
done
with_selector 5 "$root/fuzz/seeds/part/tetrahedron.off" "$seeds/fuzz_part_file/seed.off"
# No harness reads the kept STEP crash input (see fuzz_part_file.cpp): the QtTest suite does.

status=0
for harness in "${harnesses[@]}"; do
    binary="$build/fuzz/$harness"
    crashes="$build/crashes/$harness"
    mkdir -p "$crashes" "$build/corpus/$harness"
    # OCC and Assimp keep allocations for the life of the process, and Assimp 5.2 leaks a few
    # KiB on some malformed meshes: leaks are not what we hunt. -detect_leaks=0 only stops
    # libFuzzer's per-input check; ASAN_OPTIONS stops the at-exit one, which otherwise fails a
    # clean run whenever the random inputs happened to reach such a leak (CI, 2026-12-01).
    export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    options=(-detect_leaks=0 -rss_limit_mb=3072 -timeout=30 -seed="${IMG2CAD_FUZZ_SEED:-1}"
        -artifact_prefix="$crashes/")
    regressions="$root/fuzz/regressions/$harness"
    if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
        echo "fuzz: $harness: replaying $(ls "$regressions" | wc -l) regression inputs"
        "$binary" "${options[@]}" "$regressions"/* >"$build/$harness-regressions.log" 2>&1 ||
            { echo "fuzz: $harness FAILED on a regression input"; tail -30 "$build/$harness-regressions.log"; status=1; continue; }
    fi
    echo "fuzz: $harness: ${seconds} s"
    if "$binary" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        "$build/corpus/$harness" "$seeds/$harness" >"$build/$harness.log" 2>&1; then
        grep -E '^stat::number_of_executed_units' "$build/$harness.log" | sed "s/^/fuzz: $harness: /"
    else
        echo "fuzz: $harness FOUND A CRASH (input in $crashes):"
        tail -40 "$build/$harness.log"
        status=1
    fi
done
rm -f "${TMPDIR:-/tmp}"/img2cad-fuzz-* # the harnesses' scratch files (fuzz/fuzz_input.h)
exit $status
