#!/bin/bash
# Rule mix4's run (checkpoints/mix3/rule-mix4.txt): C on core 0 once A's run has ended, reading A's feature cache.
cd /work/main
while kill -0 25513 2>/dev/null; do sleep 15; done
mkdir -p checkpoints/mix3/c/run && ln -sfn ../../a/run/cache checkpoints/mix3/c/run/cache
taskset -c 0 .venv/bin/jazzremix train-mixer --train data/mixer-train-2 --val data/mixer-val --minutes 20 --max-steps 48981 --hidden 64 --feature-noise 0.1 --select-every 1000 --stems separated --separator models/separator.onnx --arch gauss-mix --instrument-weight 2 --members 4 --seed 8 --baseline-minutes 2 --out checkpoints/mix3/c/mixer.onnx --checkpoint-dir checkpoints/mix3/c/run > checkpoints/mix3/c.log 2>&1
