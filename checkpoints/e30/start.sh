#!/bin/bash
# e30's run (checkpoints/e30/rule.txt): waits for e29's training to end (one core each), then trains (or resumes)
# e30 and judges it (finish.sh). Resume in a later session with this script alone.
cd "$(dirname "$0")/../.."
while pgrep -f "train-separator.*checkpoints/e29/run" > /dev/null; do sleep 15; done
nice -n 5 .venv/bin/jazzremix train-separator $(cat checkpoints/e30/command.txt) --average-last 15 \
    --out checkpoints/e30/mean/separator-v3.onnx --card checkpoints/e30/mean/separator-v3.json \
    >> checkpoints/e30/train.log 2>&1
exec checkpoints/e30/finish.sh >> checkpoints/e30/finish.log 2>&1
