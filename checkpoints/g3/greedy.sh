#!/bin/bash
# g3 (prepared in the twenty-third session, not judged): a greedy soup that starts from sep-mask-3.4's ingredients
# (3.3 and the six fine-tunes, averaged uniformly) and tries e35's and e36's weights, selected on rule p1's six sets
# pooled (216 tracks; scores: mean per-track solo difference against sep-mask-3.4 = checkpoints/pooled/A_SET.json).
# A next rule must judge its pick on sets rendered after it. Usage: checkpoints/g3/greedy.sh > checkpoints/g3/greedy.log
set -e
cd "$(dirname "$0")/../.."
JR=.venv/bin/jazzremix
G=checkpoints/g3
SETS="val-unseen-12 val-unseen-13 val-unseen-14 val-unseen-15 val-unseen-16 val-unseen-17"
ev() {  # ev MODEL TAG
  for s in $SETS; do
    test -s $G/$2_$s.json || $JR evaluate data/$s --model $1 --json > $G/$2_$s.json 2> $G/$2_$s.err
  done
}
score() {
  .venv/bin/python - $G $1 $SETS <<'PY'
import json, sys, numpy as np
G, tag, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
d = []
for s in sets:
    new, base = json.load(open(f"{G}/{tag}_{s}.json")), json.load(open(f"checkpoints/pooled/A_{s}.json"))
    b = {t["track"]: t for t in base["tracks"]}
    d += [t["solo"] - b[t["track"]]["solo"] for t in new["tracks"]]
print(f"{np.mean(d):.4f}")
PY
}
BASE="models/previous/sep-mask-3.3.pt checkpoints/e24/final/separator-v3.pt checkpoints/e26/final/separator-v3.pt
      checkpoints/e32/final/separator-v3.pt checkpoints/e26/mean/separator-v3.pt checkpoints/e27/mean/separator-v3.pt
      checkpoints/e27/final/separator-v3.pt"
ING="e35/mean e35/final e36/mean e36/final"
ev checkpoints/e35/mean/separator-v3.onnx e35_mean & ev checkpoints/e35/final/separator-v3.onnx e35_final; wait
ev checkpoints/e36/mean/separator-v3.onnx e36_mean & ev checkpoints/e36/final/separator-v3.onnx e36_final; wait
for i in $ING; do echo "$(score ${i/\//_}) $i"; done | sort -rn > $G/order.txt
cat $G/order.txt
kept=($BASE) best=0 n=0
while read -r s i; do
  n=$((n + 1)); mkdir -p $G/step$n
  .venv/bin/python scripts/separator_soup.py $G/step$n/soup.pt "${kept[@]}" checkpoints/$i/separator-v3.pt > /dev/null
  $JR train-separator --arch mask --train data/train-v15 --checkpoints $G/step$n/run --val data/val-unseen-2 \
      --minutes 0.01 --lr 0 --init $G/step$n/soup.pt --init-optimizer fresh --version sep-mask-3.5-wip \
      --wiener-alpha 1 --pan-aware 15,0.1,1 --out $G/step$n/separator-v3.onnx --card $G/step$n/separator-v3.json \
      > $G/step$n/export.log 2>&1
  ev $G/step$n/separator-v3.onnx step$n
  s2=$(score step$n)
  if .venv/bin/python -c "import sys; sys.exit(0 if $s2 > $best else 1)"; then
    kept+=(checkpoints/$i/separator-v3.pt) best=$s2 pick=step$n; echo "step $n: + $i -> $s2 (kept)"
  else
    echo "step $n: + $i -> $s2 (not kept; soup stays at $best against sep-mask-3.4)"
  fi
done < $G/order.txt
echo "pick: ${pick:-none} (${best} against sep-mask-3.4 on the six sets pooled)"
