#!/usr/bin/env bash
# Rule e39's pick: the soups (0.5 / 0.5) of sep-mask-3.4 with each checkpoint of the run (checkpoints/e39/run:
# average-*.pt every 5 minutes, and last.pt), exported with --lr 0, on the tuning set as rendered (core 0) and read
# in mono (core 1). Run from the repository root once the run has ended.
set -euo pipefail
JR=${JR:-.venv/bin/jazzremix}
PY=${PY:-.venv/bin/python}
E=checkpoints/e39
for ck in $E/run/average-*.pt $E/run/last.pt; do
  [ "$(basename "$ck")" = average-00000000.pt ] && continue  # step 0: sep-mask-3.4 itself
  c=soup-$(basename "$ck" .pt)
  mkdir -p $E/$c
  $PY scripts/separator_soup.py $E/$c/soup.pt models/separator.pt "$ck"
  $JR train-separator --arch mask --train data/train-v15 --checkpoints $E/$c/run --val data/val-v2-20s \
    --minutes 0.01 --lr 0 --init $E/$c/soup.pt --init-optimizer fresh --version sep-mask-3.4-wip \
    --wiener-alpha 1 --pan-aware 15,0.1,1 --out $E/$c/separator-v3.onnx --card $E/$c/separator-v3.json > $E/$c/export.log 2>&1
  taskset -c 0 $JR evaluate data/val-unseen --json --model $E/$c/separator-v3.onnx > $E/$c-val-unseen.json 2>/dev/null &
  taskset -c 1 $JR evaluate data/val-unseen --mono --json --model $E/$c/separator-v3.onnx > $E/$c-val-unseen-mono.json 2>/dev/null &
  wait
  $PY checkpoints/e37/paired.py checkpoints/e38/shipped-val-unseen.json $E/$c-val-unseen.json \
    checkpoints/e37/shipped-val-unseen-mono.json $E/$c-val-unseen-mono.json | tee $E/pick-$c.txt
done
