#!/bin/bash
# e30's end, by its rule (checkpoints/e30/rule.txt): waits for the run (started with --average-last 15 --out
# checkpoints/e30/mean/...) to export E30M, exports E30F, pairs both against E26F ($E/base_*.json, copied from checkpoints/e28) and against
# sep-mask-3.3 ($E/vs33/base_*.json) on val-unseen-2, -8, -9; r2's split of the error by frames for E30F.
set -e
cd "$(dirname "$0")/../.."
JR=.venv/bin/jazzremix
E=checkpoints/e30
J=checkpoints/e25/judge.sh
while pgrep -f "train-separator.*checkpoints/e30/run" > /dev/null; do sleep 20; done
test -f $E/mean/separator-v3.onnx
$JR train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx --card $E/final/separator-v3.json \
    > $E/final.log 2>&1
for s in val-unseen-2 val-unseen-8 val-unseen-9; do
  for m in final mean; do
    E=$E $J pair $E/$m/separator-v3.onnx $s $m
    E=$E/vs33 $J pair $E/$m/separator-v3.onnx $s $m
  done
done
.venv/bin/python checkpoints/r2/error_frames.py data/val-unseen 36 $E/final/separator-v3.pt | tee $E/error_frames_final.txt
echo done
