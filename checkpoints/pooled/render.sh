#!/bin/bash
# Renders rule p1's six test sets (checkpoints/pooled/rule.txt), one process.
cd "$(dirname "$0")/../.."
for i in 12 13 14 15 16 17; do
  s=$(( (i + 4) * 1000 ))
  test -f data/val-unseen-$i/track_00035/meta.json && continue
  rm -rf data/val-unseen-$i
  nice -n 5 .venv/bin/jazzremix synth --out data/val-unseen-$i --generator val --tracks 36 --seconds 20 --seed $s \
      --jobs 1 --level-profile wide --variety 0
done
echo rendered
