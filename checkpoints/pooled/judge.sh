#!/bin/bash
# Rule p1's judgement (checkpoints/pooled/rule.txt). Candidate A: the g2 soup (checkpoints/g2/step8); B: e35's pick
# (the line "pick: NAME (MODEL)" of checkpoints/e35/judge.log). Evaluates sep-mask-3.3 and both on the six test sets
# and data/val-v2-20s, then checks the rule. Usage: checkpoints/pooled/judge.sh > checkpoints/pooled/judge.log
set -e
cd "$(dirname "$0")/../.."
P=checkpoints/pooled
JR=.venv/bin/jazzremix
A=checkpoints/g2/step8/separator-v3.onnx
B=$(sed -n 's/^pick: .* (\(.*\))$/\1/p' checkpoints/e35/judge.log | tail -1)
test -f "$A" && test -f "$B"
echo "A: $A"; echo "B: $B"
SETS="val-unseen-12 val-unseen-13 val-unseen-14 val-unseen-15 val-unseen-16 val-unseen-17"
for s in $SETS val-v2-20s; do
  for m in base:models/separator.onnx A:$A B:$B; do
    tag=${m%%:*} model=${m#*:}
    test -s $P/${tag}_$s.json || $JR evaluate data/$s --model $model --json > $P/${tag}_$s.json 2> $P/${tag}_$s.err
  done
done
.venv/bin/python - $P $SETS <<'PY'
import json, sys, numpy as np
P, sets = sys.argv[1], sys.argv[2:]
def diffs(tag, s):
    new, base = (json.load(open(f"{P}/{t}_{s}.json")) for t in (tag, "base"))
    b = {t["track"]: t for t in base["tracks"]}
    assert len(new["tracks"]) == len(base["tracks"]) == len(b)
    return {k: np.array([t[k] - b[t["track"]][k] for t in new["tracks"]]) for k in ("solo", "accompaniment")}
passed = {}
for tag in ("A", "B"):
    per = [diffs(tag, s) for s in sets]
    for s, d in zip(sets, per):
        print(f"{tag} {s}: solo mean {d['solo'].mean():+.3f} median {np.median(d['solo']):+.3f}; "
              f"acc mean {d['accompaniment'].mean():+.3f} median {np.median(d['accompaniment']):+.3f}")
    d = {k: np.concatenate([p[k] for p in per]) for k in ("solo", "accompaniment")}
    n = len(d["solo"])
    se = {k: d[k].std(ddof=1) / np.sqrt(n) for k in d}
    c1 = d["solo"].mean() >= 0.05 and d["solo"].mean() - 2.24 * se["solo"] > 0 and np.median(d["solo"]) >= 0
    c2 = d["accompaniment"].mean() >= 0 and np.median(d["accompaniment"]) >= 0
    c3 = min(d["solo"].min(), d["accompaniment"].min()) >= -3.0
    v = diffs(tag, "val-v2-20s")
    c4 = all(v[k].mean() >= -0.1 and np.median(v[k]) >= -0.1 for k in v)
    print(f"{tag} pooled over {n} tracks: solo mean {d['solo'].mean():+.3f} (SE {se['solo']:.3f}, "
          f"lower bound {d['solo'].mean() - 2.24 * se['solo']:+.3f}) median {np.median(d['solo']):+.3f}, "
          f"better/worse {(d['solo'] > 0).sum()}/{(d['solo'] < 0).sum()}; acc mean {d['accompaniment'].mean():+.3f} "
          f"(SE {se['accompaniment']:.3f}) median {np.median(d['accompaniment']):+.3f}; worst {d['solo'].min():+.2f} / "
          f"{d['accompaniment'].min():+.2f}; val-v2-20s solo {v['solo'].mean():+.3f} / {np.median(v['solo']):+.3f}, "
          f"acc {v['accompaniment'].mean():+.3f} / {np.median(v['accompaniment']):+.3f}")
    print(f"{tag}: 1 {'holds' if c1 else 'FAILS'}, 2 {'holds' if c2 else 'FAILS'}, 3 {'holds' if c3 else 'FAILS'}, "
          f"4 {'holds' if c4 else 'FAILS'}")
    if c1 and c2 and c3 and c4:
        passed[tag] = d["solo"].mean()
print("rule p1:", f"ship {max(passed, key=passed.get)} as sep-mask-3.4" if passed else "none passes: nothing ships")
PY
