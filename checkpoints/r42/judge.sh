#!/usr/bin/env bash
# Rule r42 (checkpoints/r42/rule.txt): sep-mask-3.4 + e42's pick as one ONNX file at w 0.25 and 0.5, the pick on the
# tuning set, then the test on the four sets rule e42's judge rendered (their numbers as arguments, the same as
# there) and data/val-v2-20s. Run from the repository root after `bash checkpoints/e42/judge.sh N1 N2 N3 N4`.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 N1 N2 N3 N4 (the sets checkpoints/e42/judge.sh rendered)" >&2; exit 2; }
JR=${JR:-.venv/bin/jazzremix}
PY=${PY:-.venv/bin/python}
E=checkpoints/r42
[ -f checkpoints/e42/pick.txt ] || { echo "checkpoints/e42/pick.txt: rule e42 has not been judged" >&2; exit 2; }
e42=$(sed 's/pick: \([a-z]*\).*/\1/' checkpoints/e42/pick.txt)
for w in 25 50; do
  mkdir -p $E/w$w
  PYTHONPATH=. $PY $E/ensemble.py models/separator.onnx checkpoints/e42/$e42/separator-v3.onnx 0.$w \
      $E/w$w/separator-v3.onnx
done
for N in "$@"; do
  for f in checkpoints/e42/shipped-val-unseen-$N.json checkpoints/e42/shipped-val-unseen-$N-mono.json; do
    [ -f $f ] || { echo "$f: rule e42's judge has not read data/val-unseen-$N" >&2; exit 2; }
    cp $f $E/
  done
done
source checkpoints/judging.sh
pick w25 w50
test_pick "$@"
