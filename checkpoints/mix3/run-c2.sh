#!/bin/bash
# Rule mix4's spread run (checkpoints/mix3/rule-mix4.txt, item 2): C's recipe from seed 20 (members 20-23), on core 1,
# reading the seed-20 feature cache that A2 wrote (checkpoints/mix3/a/run/cache). Resumable: run it again to continue.
cd /work/main
mkdir -p checkpoints/mix3/c2/run && ln -sfn ../../a/run/cache checkpoints/mix3/c2/run/cache
taskset -c 1 .venv/bin/jazzremix train-mixer --train data/mixer-train-2 --val data/mixer-val --minutes 20 --max-steps 48981 --hidden 64 --feature-noise 0.1 --select-every 1000 --stems separated --separator models/separator.onnx --arch gauss-mix --instrument-weight 2 --members 4 --seed 20 --baseline-minutes 0 --out checkpoints/mix3/c2/mixer.onnx --checkpoint-dir checkpoints/mix3/c2/run >> checkpoints/mix3/c2.log 2>&1
