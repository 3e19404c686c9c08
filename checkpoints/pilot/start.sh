#!/bin/bash
# A pilot's run and judgement, for any experiment folder E holding command.txt (its train-separator arguments,
# with --checkpoints E/run), rule.txt, base_SET.json (the control's evaluations) and vs33/base_SET.json
# (sep-mask-3.3's). Trains (or resumes) with --average-last $AVERAGE_LAST (minutes, default 15) -> E/mean, exports E/final, pairs both against the
# control and against sep-mask-3.3 on each set named, and splits E/final's error by frames (diagnostic r2).
# Usage: nohup checkpoints/pilot/start.sh checkpoints/e31 val-unseen-2 val-unseen-8 val-unseen-9 &
# Resume in a later session with the same line (the run checkpoints every 5 minutes).
set -e
cd "$(dirname "$0")/../.."
E=$1; shift
JR=.venv/bin/jazzremix
J=checkpoints/e25/judge.sh
{
nice -n 5 $JR train-separator $(cat $E/command.txt) --average-last ${AVERAGE_LAST:-15} \
    --out $E/mean/separator-v3.onnx --card $E/mean/separator-v3.json >> $E/train.log 2>&1
test -f $E/mean/separator-v3.onnx
$JR train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx --card $E/final/separator-v3.json \
    > $E/final.log 2>&1
for s in "$@"; do
  for m in final mean; do
    E=$E $J pair $E/$m/separator-v3.onnx $s $m
    E=$E/vs33 $J pair $E/$m/separator-v3.onnx $s $m
  done
done
.venv/bin/python checkpoints/r2/error_frames.py data/val-unseen 36 $E/final/separator-v3.pt | tee $E/error_frames_final.txt
echo done
} >> $E/finish.log 2>&1
