#!/bin/bash
# e36's run (rule.txt): waits for rule p1's rendering, trains, exports mean and final. Resume with the same line.
cd "$(dirname "$0")/../.."
E=checkpoints/e36
until grep -q rendered checkpoints/pooled/render.log; do sleep 20; done
nice -n 5 .venv/bin/jazzremix train-separator $(cat $E/command.txt) --average-last 15 \
    --out $E/mean/separator-v3.onnx --card $E/mean/separator-v3.json >> $E/train.log 2>&1 &&
.venv/bin/jazzremix train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx \
    --card $E/final/separator-v3.json > $E/final.log 2>&1 && echo done >> $E/train.log
