#!/usr/bin/env bash
# Rule e39's test of the pick (PICK: its folder under checkpoints/e39, e.g. soup-average-00001234): the four fresh sets
# as rendered and in mono, and data/val-v2-20s as rendered, against sep-mask-3.4's readings (checkpoints/e38/shipped-*,
# checkpoints/e37/shipped-*-mono).
set -euo pipefail
JR=${JR:-.venv/bin/jazzremix}
PY=${PY:-.venv/bin/python}
E=checkpoints/e39
P=$E/$1/separator-v3.onnx
for s in 62 63 64 65; do
  taskset -c 0 $JR evaluate data/val-unseen-$s --json --model $P > $E/test-$s.json 2>/dev/null &
  taskset -c 1 $JR evaluate data/val-unseen-$s --mono --json --model $P > $E/test-$s-mono.json 2>/dev/null &
  wait
done
$JR evaluate data/val-v2-20s --json --model $P > $E/test-v2-20s.json 2>/dev/null
{
  echo "as rendered:"; $PY checkpoints/e37/paired.py $(for s in 62 63 64 65; do echo checkpoints/e38/shipped-val-unseen-$s.json $E/test-$s.json; done)
  echo "read in mono:"; $PY checkpoints/e37/paired.py $(for s in 62 63 64 65; do echo checkpoints/e37/shipped-val-unseen-$s-mono.json $E/test-$s-mono.json; done)
  echo "data/val-v2-20s as rendered:"; $PY checkpoints/e37/paired.py checkpoints/e38/shipped-val-v2-20s.json $E/test-v2-20s.json
} | tee $E/test.txt
