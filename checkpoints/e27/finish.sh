#!/bin/bash
# e27's end, by its rule (checkpoints/e27/rule.txt): waits for the run (started with --average-last 15 --out
# checkpoints/e27/mean/...) to export E27M, exports E27F, the soup of sep-mask-3.3 with the better of the two, picks
# on data/val-unseen-2 and evaluates the pick on the rule's sets and the reported ones. Log: checkpoints/e27/finish.log
set -e
cd "$(dirname "$0")/../.."
JR=.venv/bin/jazzremix
E=checkpoints/e27
export E
J=checkpoints/e25/judge.sh
while pgrep -f "train-separator.*checkpoints/e27/run" > /dev/null; do sleep 20; done
test -f $E/mean/separator-v3.onnx
$JR train-separator $(cat $E/command.txt) --out $E/final/separator-v3.onnx --card $E/final/separator-v3.json \
    > $E/final.log 2>&1
$J pair $E/mean/separator-v3.onnx val-unseen-2 selM
$J pair $E/final/separator-v3.onnx val-unseen-2 selF
better=$(.venv/bin/python - <<'PY'
import json, numpy as np
def score(tag):
    new, base = (json.load(open(f"checkpoints/e27/{p}_val-unseen-2.json")) for p in (tag, "base"))
    b = {t["track"]: t for t in base["tracks"]}
    return np.mean([np.mean([t[k] - b[t["track"]][k] for t in new["tracks"]]) for k in ("solo", "accompaniment")])
print("mean" if score("selM") >= score("selF") else "final")
PY
)
echo "better of E27M/E27F: $better"
mkdir -p checkpoints/soup33_27
.venv/bin/python scripts/separator_soup.py checkpoints/soup33_27/soup.pt models/separator.pt $E/$better/separator-v3.pt
$JR train-separator --arch mask --train data/train-v15 --checkpoints checkpoints/soup33_27/run --val data/val-unseen-2 \
    --minutes 0.01 --lr 0 --init checkpoints/soup33_27/soup.pt --init-optimizer fresh --version sep-mask-3.4-wip \
    --wiener-alpha 1 --pan-aware 15,0.1,1 --out checkpoints/soup33_27/separator-v3.onnx \
    --card checkpoints/soup33_27/separator-v3.json > checkpoints/soup33_27/export.log 2>&1
$J pair checkpoints/soup33_27/separator-v3.onnx val-unseen-2 selS
pick=$(.venv/bin/python - <<'PY'
import json, numpy as np
def score(tag):
    new, base = (json.load(open(f"checkpoints/e27/{p}_val-unseen-2.json")) for p in (tag, "base"))
    b = {t["track"]: t for t in base["tracks"]}
    return np.mean([np.mean([t[k] - b[t["track"]][k] for t in new["tracks"]]) for k in ("solo", "accompaniment")])
s = {tag: score(tag) for tag in ("selM", "selF", "selS")}
print(max(s, key=s.get))
PY
)
case $pick in selM) model=$E/mean/separator-v3.onnx;; selF) model=$E/final/separator-v3.onnx;;
  *) model=checkpoints/soup33_27/separator-v3.onnx;; esac
echo "pick: $pick ($model)"
for s in val-unseen-6 val-unseen-8 val-unseen-9 val-v2-20s val-unseen val-unseen-3 val-unseen-4 val-unseen-5 \
         val-unseen-7 val-unseen-real; do
  $J pair $model $s test
done
.venv/bin/python - <<'PY'
import json, numpy as np
gain = {"horns": [], "no horns": []}
for s in ("val-unseen-6", "val-unseen-8", "val-unseen-9"):
    new, base = (json.load(open(f"checkpoints/e27/{p}_{s}.json")) for p in ("test", "base"))
    b = {t["track"]: t for t in base["tracks"]}
    for t in new["tracks"]:
        gain[t["conditions"]["horns"]].append(t["solo"] - b[t["track"]]["solo"])
for k, v in gain.items():
    print(f"mechanism (test sets -6, -8, -9), {k}: {len(v)} tracks, solo mean {np.mean(v):+.3f} median {np.median(v):+.3f}")
PY
echo done
