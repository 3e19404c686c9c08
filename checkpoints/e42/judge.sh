#!/usr/bin/env bash
# Rule e42 (checkpoints/e42/rule.txt), once its 600 minutes are spent: E42M (exported by the run itself with
# --average-last 30) and E42F (the same command without it: the final weights), the pick on the tuning set
# data/val-unseen as rendered and read in mono (paired against sep-mask-3.4's readings, checkpoints/e38/ and
# checkpoints/e37/), then the pick on four sets rendered now (their numbers as arguments: the next four never used,
# e.g. `bash checkpoints/e42/judge.sh 74 75 76 77`) and on data/val-v2-20s. Run from the repository root.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 N1 N2 N3 N4 (four data/val-unseen-N never rendered)" >&2; exit 2; }
JR=${JR:-.venv/bin/jazzremix}
PY=${PY:-.venv/bin/python}
E=checkpoints/e42
for N in "$@"; do
  [ ! -e data/val-unseen-$N ] || { echo "data/val-unseen-$N is there (test sets come after the run)" >&2; exit 2; }
done
[ -f $E/mean/separator-v3.onnx ] || { echo "$E/mean/separator-v3.onnx: the run has not ended" >&2; exit 2; }
[ -f $E/final/separator-v3.onnx ] || $JR train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx \
    --card $E/final/separator-v3.json > $E/final.log 2>&1
source checkpoints/judging.sh
pick mean final
for N in "$@"; do
  $JR synth --out data/val-unseen-$N --generator val --tracks 36 --seconds 20 --seed $(( (N + 4) * 1000 )) --jobs 2 \
      --level-profile wide --variety 0 --quiet
  both val-unseen-$N $E/shipped-val-unseen-$N models/separator.onnx
done
test_pick "$@"
