#!/usr/bin/env bash
# Rule e41's test sets (rendered after the rule) and sep-mask-3.4's readings of them, on core 0.
set -euo pipefail
JR=${JR:-.venv/bin/jazzremix}
E=checkpoints/e41
for N in 70 71 72 73; do
  taskset -c 0 $JR synth --out data/val-unseen-$N --generator val --tracks 36 --seconds 20 --seed $(( (N + 4) * 1000 )) \
      --jobs 1 --level-profile wide --variety 0 --quiet
  taskset -c 0 $JR evaluate data/val-unseen-$N --json > $E/shipped-val-unseen-$N.json 2>/dev/null
  taskset -c 0 $JR evaluate data/val-unseen-$N --mono --json > $E/shipped-val-unseen-$N-mono.json 2>/dev/null
done
