#!/bin/bash
# Rule mix3's measurements (checkpoints/mix3/rule.txt), after run.sh has finished.
cd /work/main
P=.venv/bin/python
$P scripts/mixer_compare.py --val data/mixer-val-2 --label-seed 508 models/mixer.onnx checkpoints/mix3/a/mixer.onnx \
  checkpoints/mix3/b/mixer.onnx checkpoints/mix3/a2/mixer.onnx --members --json checkpoints/mix3/compare.json \
  > checkpoints/mix3/compare.txt 2>&1
$P scripts/mixer_seed_spread.py checkpoints/mix3/a/mixer.onnx checkpoints/mix3/a2/mixer.onnx \
  --json checkpoints/mix3/spread.json > checkpoints/mix3/spread.txt 2>&1
$P - <<'PY' > checkpoints/mix3/member0.txt 2>&1
# Is member 0 of A the shipped mixer's recipe, reproduced? (the same selected step and weights)
import sys; sys.path.insert(0, ".")
import torch
from jazzremix_gui.training import checkpoint
a = checkpoint.load_state("checkpoints/mix3/a/run/best-gauss-mix.pt")
s = checkpoint.load_state("checkpoints/gmixi8/run/best-gauss-mix.pt")
same = all(torch.equal(a["model"][k], s["model"][k]) for k in s["model"])
print("selected steps", a["step"], s["step"], "weights equal:", same)
PY
