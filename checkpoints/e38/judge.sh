#!/usr/bin/env bash
# Rule e38's pick: the soups of sep-mask-3.4 and E38M exported, then every candidate on the tuning set as rendered
# (core 0) and read in mono (core 1). Run from the repository root once checkpoints/e38/mean/ is written.
set -euo pipefail
JR=${JR:-.venv/bin/jazzremix}
PY=${PY:-.venv/bin/python}
E=checkpoints/e38
M=$E/mean/separator-v3.pt
S=models/separator.pt
mkdir -p $E/soup55 $E/soup73
$PY scripts/separator_soup.py $E/soup55/soup.pt $S $M
$PY scripts/separator_soup.py $E/soup73/soup.pt $S $S $S $S $S $S $S $M $M $M
for s in soup55 soup73; do
  $JR train-separator --arch mask --train data/train-v15 --checkpoints $E/$s/run --val data/val-v2-20s \
    --minutes 0.01 --lr 0 --init $E/$s/soup.pt --init-optimizer fresh --version sep-mask-3.4-wip \
    --wiener-alpha 1 --pan-aware 15,0.1,1 --out $E/$s/separator-v3.onnx --card $E/$s/separator-v3.json > $E/$s/export.log 2>&1 &
done
wait
for c in mean soup55 soup73; do
  taskset -c 0 $JR evaluate data/val-unseen --json --model $E/$c/separator-v3.onnx > $E/$c-val-unseen.json 2>/dev/null &
  taskset -c 1 $JR evaluate data/val-unseen --mono --json --model $E/$c/separator-v3.onnx > $E/$c-val-unseen-mono.json 2>/dev/null &
  wait
  $PY checkpoints/e37/paired.py $E/shipped-val-unseen.json $E/$c-val-unseen.json checkpoints/e37/shipped-val-unseen-mono.json \
    $E/$c-val-unseen-mono.json | tee $E/pick-$c.txt
done
