#!/bin/bash
# Renders rule p2's six test sets (checkpoints/r7/rule.txt) and data/val-v2-20s, one process.
cd "$(dirname "$0")/../.."
for i in ${SETS:-18 19 20 21 22 23}; do
  s=$(( (i + 4) * 1000 ))
  test -f data/val-unseen-$i/track_00035/meta.json && continue
  rm -rf data/val-unseen-$i
  nice -n 5 .venv/bin/jazzremix synth --out data/val-unseen-$i --generator val --tracks 36 --seconds 20 --seed $s \
      --jobs 1 --level-profile wide --variety 0
done
test -f data/val-v2-20s/track_00023/meta.json || { rm -rf data/val-v2-20s; nice -n 5 .venv/bin/jazzremix synth \
    --out data/val-v2-20s --tracks 24 --seconds 20 --seed 1001 --jobs 1 --level-profile wide; }
echo rendered
