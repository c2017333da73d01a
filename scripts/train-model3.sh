#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Trains the ablation "Model 3" of docs/results.md (paper appendix B: the photo's ViT features
# go straight to the diffusion model, no point cloud bridge) and composes its model folder.
# Its denoiser has the shipped denoiser's recipe (MODEL_CARD.md: same size, steps, batch,
# learning rate, seed, and plain condition tokens: the shipped one predates conditionNorm) on
# the same 6,000 parts, each of their two renders a pair; its image features are the shipped
# lifter's ViT (ml/diffusion/diffusion_trainer.h). The folder links the shipped codebook,
# lifter, refiner and aligner beside it (the refined cloud only ranks its candidates).
# Resumable: run it again after an interruption. About an hour on 2 cores, plus 6 to 15
# minutes the first time to render the parts (needs an X display: xvfb-run).
#
#   scripts/train-model3.sh [OUT_DIR]      (default ../models/model3 beside the checkout)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/../models/model3}"
shipped="$root/assets/models/default"
data="$root/../data/gen6k-views"
cli="${IMG2CAD_BUILD_DIR:-$root/build}/app/img2cadseq"
[ -x "$cli" ] || "$root/scripts/build.sh"
# gen6k's parts (the shipped denoiser's training set) with gen10k-views' renders.
[ -f "$data/manifest.json" ] && grep -q '"complete": true' "$data/manifest.json" ||
    "$cli" dataset make --count 6000 --seed 7 --views 2 --image-size 160 --points 2048 --jobs 2 \
        --out "$data"
mkdir -p "$out"
"$cli" train diffusion --data "$data" --codebook "$shipped/codebook" --lift "$shipped/lift" \
    --out "$out/diffusion" --steps 2000 --batch 16 --lr 0.001 --warmup 100 --width 128 \
    --heads 4 --layers 4 --max-tokens 384 --diffusion-steps 100 --condition-dropout 0.1 \
    --plain-condition --seed 1
for stage in codebook align refine lift; do
    ln -sfn "$shipped/$stage" "$out/$stage"
done
echo "Model 3 is in $out"
