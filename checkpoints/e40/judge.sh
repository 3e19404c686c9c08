#!/usr/bin/env bash
# Rule e40: the two soups exported (--lr 0), the pick on the tuning set (as rendered on core 0, in mono on core 1),
# then the pick on data/val-unseen-66 ... -69 (as rendered and in mono) and data/val-v2-20s. Run from the repository
# root once checkpoints/e40/run has ended (e39's run, checkpoints/e39/run/last.pt, must be there too).
# Rule e41 runs it with E=checkpoints/e41 SETS="70 71 72 73" (checkpoints/e41/judge.sh).
set -euo pipefail
JR=${JR:-.venv/bin/jazzremix}
PY=${PY:-.venv/bin/python}
E=${E:-checkpoints/e40}
SETS=${SETS:-66 67 68 69}
S=models/separator.pt
export_soup() {  # export_soup NAME A.pt B.pt ...
  mkdir -p $E/$1
  $PY scripts/separator_soup.py $E/$1/soup.pt "${@:2}"
  $JR train-separator --arch mask --train data/train-v15 --checkpoints $E/$1/run --val data/val-v2-20s \
    --minutes 0.01 --lr 0 --init $E/$1/soup.pt --init-optimizer fresh --version sep-mask-3.4-wip \
    --wiener-alpha 1 --pan-aware 15,0.1,1 --out $E/$1/separator-v3.onnx --card $E/$1/separator-v3.json > $E/$1/export.log 2>&1
}
both() {  # both SET OUT_PREFIX MODEL: as rendered and in mono, one core each
  taskset -c 0 $JR evaluate data/$1 --json --model $3 > $2.json 2>/dev/null &
  taskset -c 1 $JR evaluate data/$1 --mono --json --model $3 > $2-mono.json 2>/dev/null &
  wait
}
export_soup soup2 $S $E/run/last.pt &
export_soup soup3 $S checkpoints/e39/run/last.pt $E/run/last.pt &
wait
best=""; best_v=-1e9
for c in soup2 soup3; do
  both val-unseen $E/$c-val-unseen $E/$c/separator-v3.onnx
  $PY checkpoints/e37/paired.py checkpoints/e38/shipped-val-unseen.json $E/$c-val-unseen.json \
    checkpoints/e37/shipped-val-unseen-mono.json $E/$c-val-unseen-mono.json | tee $E/pick-$c.txt
  v=$(grep pooled $E/pick-$c.txt | sed 's/.*solo \([-+0-9.]*\).*/\1/')
  if awk "BEGIN {exit !($v > $best_v)}"; then best=$c; best_v=$v; fi
done
echo "pick: $best ($best_v)" | tee $E/pick.txt
awk "BEGIN {exit !($best_v > 0)}" || { echo "no candidate above zero: failed at the pick" | tee -a $E/pick.txt; exit 0; }
for N in $SETS; do both val-unseen-$N $E/test-$N $E/$best/separator-v3.onnx; done
$JR evaluate data/val-v2-20s --json --model $E/$best/separator-v3.onnx > $E/test-v2-20s.json 2>/dev/null
{
  echo "as rendered:"; $PY checkpoints/e37/paired.py $(for N in $SETS; do echo $E/shipped-val-unseen-$N.json $E/test-$N.json; done)
  echo "read in mono:"; $PY checkpoints/e37/paired.py $(for N in $SETS; do echo $E/shipped-val-unseen-$N-mono.json $E/test-$N-mono.json; done)
  echo "data/val-v2-20s as rendered:"; $PY checkpoints/e37/paired.py checkpoints/e38/shipped-val-v2-20s.json $E/test-v2-20s.json
} | tee $E/test.txt
