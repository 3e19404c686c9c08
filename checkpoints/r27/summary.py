"""Choice rules over r27's lines: among the candidate sides (``--candidates grid`` or ``others``, r26b's), the most
voiced whose voiced share leads the own reading's by ``--margin`` and whose solo is at most ``--share-db`` quieter;
mono tracks (no line) count 0. Also the best side by SDR (what a perfect choice among these sides could give).

    python checkpoints/r27/summary.py OUT-0.jsonl ... [--margin 0.01] [--share-db 3] [--candidates grid|others|both]
        [--tracks 36]
"""
import argparse
import json

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("files", nargs="+")
p.add_argument("--margin", type=float, default=0.01)
p.add_argument("--share-db", type=float, default=3.0)
p.add_argument("--candidates", default="both")
p.add_argument("--tracks", type=int, default=0, help="tracks in the sets (mono ones count 0)")
p.add_argument("-v", action="store_true")
a = p.parse_args()
rows = [json.loads(line) for f in a.files for line in open(f)]
d, best, changed, better = [], [], 0, 0
for r in rows:
    own_key = f"{r['found_deg']:+.1f}"
    own = r["sides"][own_key]
    others = {f"{x:+.1f}" for x in r["others"]["deg"]}
    keys = [k for k in r["sides"] if k != own_key and (a.candidates == "both" or (k in others) == (a.candidates == "others"))]
    fit = [k for k in keys if r["sides"][k]["voiced"] - own["voiced"] >= a.margin
           and r["sides"][k]["share_db"] - own["share_db"] >= -a.share_db]
    pick = max(fit, key=lambda k: r["sides"][k]["voiced"]) if fit else None
    ds = r["side" + pick][0] - r["base"][0] if pick else 0.0
    if pick:
        changed += 1
        better += ds > 0
        if a.v:
            print(f"{r['track']}: true {r['true_deg']:+.1f} read {own_key} picked {pick} "
                  f"({r['sides'][pick]['voiced']:.3f} vs {own['voiced']:.3f}): {ds:+.2f}")
    d.append(ds)
    best.append(max(r[k][0] for k in r if k.startswith("side") and k != "sides") - r["base"][0])
n = a.tracks or len(d)
d = np.array(d + [0.0] * (n - len(d)))
se = d.std(ddof=1) / np.sqrt(n)
print(f"{n} tracks ({len(rows)} stereo), {changed} changed ({better} better): solo {d.mean():+.3f} a track "
      f"(SE {se:.3f}, mean - 2 SE {d.mean() - 2 * se:+.3f}), worst {d.min():+.2f}; best side by SDR "
      f"{np.sum(best) / n:+.3f}")
