#!/bin/bash
# A greedy soup of fine-tunes of sep-mask-3.3 (experiments g1, g2: checkpoints/gN/rule.txt), selected on the sets
# named, then the pick judged by e34's ship rule. sep-mask-3.3's evaluations: G/vs33/base_SET.json.
# Usage: checkpoints/pilot/greedy_soup.sh checkpoints/g1 val-unseen-2 > checkpoints/g1/greedy.log
set -e
cd "$(dirname "$0")/../.."
JR=.venv/bin/jazzremix
G=$1; shift
SEL=("$@")
J=checkpoints/e25/judge.sh
select_on() {  # select_on MODEL TAG: evaluates MODEL on the selection sets
  for s in "${SEL[@]}"; do E=$G/vs33 $J pair $1 $s $2 > /dev/null; done
}
score() {  # the mean of TAG's per-track solo differences against sep-mask-3.3, pooled over the selection sets
  .venv/bin/python - "$G/vs33" "$1" "${SEL[@]}" <<'PY'
import json, sys, numpy as np
d, tag, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
diffs = []
for s in sets:
    new, base = (json.load(open(f"{d}/{p}_{s}.json")) for p in (tag, "base"))
    b = {t["track"]: t for t in base["tracks"]}
    diffs += [t["solo"] - b[t["track"]]["solo"] for t in new["tracks"]]
print(f"{np.mean(diffs):.4f}")
PY
}
# --lr 0.001: what ran when this said --lr 0 (train-separator read 0 as its default until the thirty-ninth session)
export_soup() {  # export_soup NAME A.pt B.pt ... -> $G/NAME/separator-v3.onnx
  mkdir -p $G/$1
  .venv/bin/python scripts/separator_soup.py $G/$1/soup.pt "${@:2}" > /dev/null
  $JR train-separator --arch mask --train data/train-v15 --checkpoints $G/$1/run --val data/val-unseen-2 \
      --minutes 0.01 --lr 0.001 --init $G/$1/soup.pt --init-optimizer fresh --version sep-mask-3.4-wip \
      --wiener-alpha 1 --pan-aware 15,0.1,1 --out $G/$1/separator-v3.onnx --card $G/$1/separator-v3.json \
      > $G/$1/export.log 2>&1
}
ING="e23/final e23/mean e24/final e24/mean e26/final e26/mean e27/final e27/mean e32/final e32/mean"
for i in $ING; do
  tag=${i/\//_}
  select_on checkpoints/$i/separator-v3.onnx $tag
  echo "$(score $tag) $i"
done | sort -rn > $G/order.txt
cat $G/order.txt
kept=(models/separator.pt) best=0 n=0
while read -r s i; do
  n=$((n + 1))
  export_soup step$n "${kept[@]}" checkpoints/$i/separator-v3.pt
  select_on $G/step$n/separator-v3.onnx step$n
  s2=$(score step$n)
  if .venv/bin/python -c "import sys; sys.exit(0 if $s2 > $best else 1)"; then
    kept+=(checkpoints/$i/separator-v3.pt) best=$s2 pick=step$n
    echo "step $n: + $i -> $s2 (kept)"
  else
    echo "step $n: + $i -> $s2 (not kept; soup stays at $best)"
  fi
done < $G/order.txt
echo "pick: ${pick:-none} = ${kept[*]} ($best on ${SEL[*]})"
test -n "${pick:-}" || exit 0
model=$G/$pick/separator-v3.onnx
for s in val-unseen-10 val-unseen-11 val-v2-20s; do E=$G/vs33 $J pair $model $s test; done
sed -n '/^.venv\/bin\/python - "\$B" "\$T1" "\$T2" <<.PY.$/,/^PY$/p' checkpoints/pilot/ship_judge.sh | sed '1d;$d' \
    > $G/check.py
.venv/bin/python $G/check.py $G/vs33 val-unseen-10 val-unseen-11
for s in val-unseen val-unseen-3 val-unseen-4 val-unseen-5 val-unseen-6 val-unseen-7 val-unseen-8 val-unseen-9 \
         val-unseen-real; do
  E=$G/vs33 $J pair $model $s reported
done
echo done
