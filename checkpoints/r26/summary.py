"""Rule r26 applied to side_pitch.py's lines: where the separator finds other parts, the side whose separated solo
YIN calls voiced in the largest share of its loud frames; the product's stems where that is its own reading.

    python checkpoints/r26/summary.py OUT-0.jsonl OUT-1.jsonl ... [--margin 0.01 --share-db -3]

Rule r26b (``--margin``, ``--share-db``): another side only when its voiced share leads the own reading's by at
least the margin and its solo's share of the recording is at most ``-share-db`` dB lower.
"""
import argparse
import json

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("files", nargs="+")
p.add_argument("--margin", type=float, default=0.0)
p.add_argument("--share-db", type=float, default=-1e9)
a = p.parse_args()
rows = [json.loads(line) for f in a.files for line in open(f)]
d_solo, d_acc, changed, better = [], [], 0, 0
for r in rows:
    ds, da = 0.0, 0.0
    if "sides" in r:
        found = f"{r['found_deg']:+.1f}"
        own = r["sides"][found]
        fit = [k for k in r["sides"] if k == found or (r["sides"][k]["voiced"] - own["voiced"] >= a.margin and
                                                       r["sides"][k]["share_db"] - own["share_db"] >= a.share_db)]
        pick = max(fit, key=lambda k: r["sides"][k]["voiced"])
        if pick != found:
            ds, da = (r["side" + pick][i] - r["base"][i] for i in (0, 1))
            changed += 1
            better += ds > 0
            print(f"{r['track']}: true {r['true_deg']:+.1f}, read {found}, picked {pick}: solo {ds:+.2f} dB")
    d_solo.append(ds)
    d_acc.append(da)
d_solo, d_acc = np.array(d_solo), np.array(d_acc)
se = d_solo.std(ddof=1) / np.sqrt(len(d_solo))
print(f"{len(rows)} tracks, {sum('sides' in r for r in rows)} with other parts, {changed} changed ({better} better): "
      f"solo {d_solo.mean():+.3f} dB a track (SE {se:.3f}, mean - 2 SE {d_solo.mean() - 2 * se:+.3f}), "
      f"accompaniment {d_acc.mean():+.3f}; worst {d_solo.min():+.2f}")
