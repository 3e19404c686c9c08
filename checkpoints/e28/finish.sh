#!/bin/bash
# e28's end, by its rule (checkpoints/e28/rule.txt): waits for the run (started with --average-last 15 --out
# checkpoints/e28/mean/...) to export E28M, exports E28F, pairs both against E26F ($E/base_*.json) and against
# sep-mask-3.3 ($E/vs33/base_*.json) on val-unseen-2, -8, -9; the comb's scale; r2's masks for E28F.
set -e
cd "$(dirname "$0")/../.."
JR=.venv/bin/jazzremix
E=checkpoints/e28
J=checkpoints/e25/judge.sh
while pgrep -f "train-separator.*checkpoints/e28/run" > /dev/null; do sleep 20; done
test -f $E/mean/separator-v3.onnx
$JR train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx --card $E/final/separator-v3.json \
    > $E/final.log 2>&1
for s in val-unseen-2 val-unseen-8 val-unseen-9; do
  for m in final mean; do
    E=$E $J pair $E/$m/separator-v3.onnx $s $m
    E=$E/vs33 $J pair $E/$m/separator-v3.onnx $s $m
  done
done
.venv/bin/python - <<'PY'
import torch
from jazzremix_gui.training import separator_weights as W
from jazzremix_gui.training.architectures import COMB_SCALE_GAIN
for m in ("final", "mean"):
    s = W.load_init(f"checkpoints/e28/{m}/separator-v3.pt")[0].comb_scale.detach() * COMB_SCALE_GAIN
    print(f"E28{m[0].upper()} comb scale (logits): mean {s.mean():.3f}, largest {s.max():.3f}, smallest {s.min():.3f}; "
          f"mean over bins 0-186 (0-2 kHz) {s[:186].mean():.3f}, 186-743 (2-8 kHz) {s[186:743].mean():.3f}")
PY
.venv/bin/python checkpoints/r2/pitch_comb.py data/val-unseen 36 $E/final/separator-v3.pt > $E/r2_final.txt 2>&1
tail -2 $E/r2_final.txt
echo done
