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
source checkpoints/judging.sh
export_soup soup2 $S $E/run/last.pt &
export_soup soup3 $S checkpoints/e39/run/last.pt $E/run/last.pt &
wait
pick soup2 soup3
awk "BEGIN {exit !($best_v > 0)}" || { echo "no candidate above zero: failed at the pick" | tee -a $E/pick.txt; exit 0; }
test_pick $SETS
