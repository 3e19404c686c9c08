#!/usr/bin/env bash
# Reproduce the shipped separator (models/separator.onnx) from nothing: the training data, then every
# training stage its card's "history" lists, in order. Resumable: rerun the same command after an
# interruption (finished tracks and checkpoints are kept). Needs `make train-deps` first.
# Time on the project's 2-core AMD EPYC VM: see README "The separator" (about 5 hours when the machine is
# free: ~1.5 h of rendering, 40 min + 2 x 45-50 min of training, evaluations).
set -euo pipefail
JR=${JR:-jazzremix}
V1="--soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 /usr/share/sounds/sf2/TimGM6mb.sf2 --variety 0"
# synth-1.0 data (the first hour and its validation set), then synth-2.0 data (4 soundfonts, variety)
$JR synth --out data/train --tracks 120 --seed 1 --jobs 2 $V1
$JR synth --out data/val --tracks 24 --seed 1000 --jobs 2 $V1
$JR synth --out data/val-v2 --tracks 24 --seed 1001 --jobs 2
$JR synth --out data/train-v2a --tracks "${V2_TRACKS:-600}" --seed 2 --jobs 2
# stage 1: sep-mask-1.1 from scratch (40 min, 1 thread)
$JR train-separator --arch mask --train data/train --val data/val --out checkpoints/stage1/separator.onnx \
    --checkpoints checkpoints/separator-mask-remix --minutes 40 --seed 0 --threads 1 --remix 0.5
# later stages: the commands recorded in models/separator.json "history" (stage >= 2), with --init pointing
# at the previous stage's output; printed here so that the card stays the one source of truth
python - <<'PY'
import json
for h in json.load(open("models/separator.json"))["history"][1:]:
    print(h["command"])
PY
