#!/bin/bash
# A long run's judgement by a ship rule of e34's form (checkpoints/e34/rule.txt): candidates E/mean, E/final and
# the soup of sep-mask-3.3 with the better of them; the pick is the largest mean solo difference against
# sep-mask-3.3 on data/val-unseen-2; the pick is paired on the rule's two test sets and data/val-v2-20s, the
# rule's conditions are checked, and the reported sets follow. sep-mask-3.3's evaluations: E/vs33/base_SET.json.
# Usage: checkpoints/pilot/ship_judge.sh checkpoints/e34 val-unseen-10 val-unseen-11 >> checkpoints/e34/judge.log
set -e
cd "$(dirname "$0")/../.."
E=$1 T1=$2 T2=$3
JR=.venv/bin/jazzremix
J=checkpoints/e25/judge.sh
B=$E/vs33
while pgrep -f "train-separator.*$E/run" > /dev/null; do sleep 20; done
test -f $E/mean/separator-v3.onnx
test -f $E/final/separator-v3.onnx || $JR train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx \
    --card $E/final/separator-v3.json > $E/final.log 2>&1
score() {  # mean solo difference of $B/TAG_val-unseen-2.json against the base
  .venv/bin/python - "$B/$1_val-unseen-2.json" "$B/base_val-unseen-2.json" <<'PY'
import json, sys, numpy as np
new, base = (json.load(open(p)) for p in sys.argv[1:3])
b = {t["track"]: t for t in base["tracks"]}
print(np.mean([t["solo"] - b[t["track"]]["solo"] for t in new["tracks"]]))
PY
}
E=$B $J pair $E/mean/separator-v3.onnx val-unseen-2 selM
E=$B $J pair $E/final/separator-v3.onnx val-unseen-2 selF
better=$(.venv/bin/python -c "print('mean' if $(score selM) >= $(score selF) else 'final')")
echo "better of mean / final: $better"
mkdir -p $E/soup
.venv/bin/python scripts/separator_soup.py $E/soup/soup.pt models/separator.pt $E/$better/separator-v3.pt
$JR train-separator --arch mask --train data/train-v15 --checkpoints $E/soup/run --val data/val-unseen-2 \
    --minutes 0.01 --lr 0 --init $E/soup/soup.pt --init-optimizer fresh --version sep-mask-3.4-wip \
    --wiener-alpha 1 --pan-aware 15,0.1,1 --out $E/soup/separator-v3.onnx --card $E/soup/separator-v3.json \
    > $E/soup/export.log 2>&1
E=$B $J pair $E/soup/separator-v3.onnx val-unseen-2 selS
pick=$(.venv/bin/python -c "
s = {'mean': $(score selM), 'final': $(score selF), 'soup': $(score selS)}
print(max(s, key=s.get))")
model=$E/$pick/separator-v3.onnx
echo "pick: $pick ($model)"
for s in $T1 $T2 val-v2-20s; do E=$B $J pair $model $s test; done
.venv/bin/python - "$B" "$T1" "$T2" <<'PY'
import json, sys, numpy as np
B, t1, t2 = sys.argv[1:4]
ok = True
for s in (t1, t2, "val-v2-20s"):
    new, base = (json.load(open(f"{B}/{p}_{s}.json")) for p in ("test", "base"))
    b = {t["track"]: t for t in base["tracks"]}
    for k in ("solo", "accompaniment"):
        d = np.array([t[k] - b[t["track"]][k] for t in new["tracks"]])
        need = (0.1, 0.0) if s != "val-v2-20s" else (-0.1, -0.1)
        good = d.mean() >= need[0] and np.median(d) >= need[1] and d.min() >= -3.0
        ok &= bool(good)
        print(f"{s} {k}: mean {d.mean():+.3f} (>= {need[0]:+.1f}), median {np.median(d):+.3f} (>= {need[1]:+.1f}), "
              f"worst {d.min():+.2f} (>= -3): {'holds' if good else 'FAILS'}")
print("ship rule:", "MET: ship as sep-mask-3.4" if ok else "not met: not shipped")
PY
for s in val-unseen val-unseen-3 val-unseen-4 val-unseen-5 val-unseen-6 val-unseen-7 val-unseen-8 val-unseen-9 \
         val-unseen-real; do
  E=$B $J pair $model $s reported
done
.venv/bin/python checkpoints/r2/error_frames.py data/val-unseen 36 ${model%.onnx}.pt | tee $E/error_frames_pick.txt
echo done
