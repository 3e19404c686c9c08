#!/bin/bash
# Rule mix3's runs (checkpoints/mix3/rule.txt). A on one core; B then A2 on the other, reading A's feature cache.
cd /work/main
C="--train data/mixer-train-2 --val data/mixer-val --minutes 20 --max-steps 48981 --hidden 64 --feature-noise 0.1 --select-every 1000 --stems separated --separator models/separator.onnx --arch gauss-mix"
taskset -c 0 .venv/bin/jazzremix train-mixer $C --instrument-weight 1 --members 4 --seed 8 --baseline-minutes 2 --out checkpoints/mix3/a/mixer.onnx --checkpoint-dir checkpoints/mix3/a/run > checkpoints/mix3/a.log 2>&1 &
while [ -z "$(ls checkpoints/mix3/a/run/cache/*.npz 2>/dev/null | wc -l | grep -v '^[01]$')" ]; do sleep 20; done
for r in b a2; do mkdir -p checkpoints/mix3/$r/run && ln -sfn ../../a/run/cache checkpoints/mix3/$r/run/cache; done
taskset -c 1 .venv/bin/jazzremix train-mixer $C --instrument-weight 2 --seed 8 --baseline-minutes 0 --out checkpoints/mix3/b/mixer.onnx --checkpoint-dir checkpoints/mix3/b/run > checkpoints/mix3/b.log 2>&1
taskset -c 1 .venv/bin/jazzremix train-mixer $C --instrument-weight 1 --members 4 --seed 20 --baseline-minutes 0 --out checkpoints/mix3/a2/mixer.onnx --checkpoint-dir checkpoints/mix3/a2/run > checkpoints/mix3/a2.log 2>&1
wait
