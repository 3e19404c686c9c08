"""Diagnostic r40: each variant of ``judge.py``'s lines paired against the product: mean dB of solo a track (SE),
better of all, worst, and the share of frames right / voiced.

    python checkpoints/r40/summary.py LINES.jsonl ...
"""
import json
import sys

import numpy as np

recs = [json.loads(line) for f in sys.argv[1:] for line in open(f)]
for k in recs[0]:
    if k in ("track", "product") or k.startswith(("right_", "voiced_")):
        continue
    d = np.array([r[k] - r["product"] for r in recs])
    extra = ""
    if "right_" + k in recs[0]:
        right = np.mean([r["right_" + k] for r in recs])
        extra = f"right {right:.3f} voiced {np.mean([r['voiced_' + k] for r in recs]):.3f}"
    print(f"{k:11s} {d.mean():+.3f} ({d.std(ddof=1) / np.sqrt(len(d)):.3f}) {int((d > 0).sum())}/{len(d)} "
          f"worst {d.min():+.2f} {extra}")
print("product right", round(float(np.mean([r["right_product"] for r in recs])), 3))
