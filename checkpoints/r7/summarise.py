"""Summarise diagnostic r7's JSON lines: per offset and rule, the median SDRs, the mean level, and the paired
difference against the same track at offset 0 with no rule. Also the paired loss against absolute level bins."""
import json
import sys
from collections import defaultdict

import numpy as np

rows = [json.loads(line) for f in sys.argv[1:] for line in open(f)]
base = {r["track"]: r for r in rows if r["offset"] == 0 and r["rule"] == "none"}
groups = defaultdict(list)
for r in rows:
    groups[(r["offset"], r["rule"])].append(r)
print("offset rule        n  level(med)  solo(med) acc(med)  paired solo mean (SE)  acc mean  better/worse")
for (off, rule), rs in sorted(groups.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    rs = [r for r in rs if r["track"] in base]
    d = np.array([r["solo"] - base[r["track"]]["solo"] for r in rs])
    da = np.array([r["acc"] - base[r["track"]]["acc"] for r in rs])
    print(f"{off:+5.0f} {rule:12s} {len(rs):3d} {np.median([r['level'] for r in rs]):8.1f} "
          f"{np.median([r['solo'] for r in rs]):9.2f} {np.median([r['acc'] for r in rs]):8.2f} "
          f"{d.mean():+10.3f} ({d.std(ddof=1) / np.sqrt(len(d)):.3f}) {da.mean():+10.3f} "
          f"{(d > 0).sum():5d}/{(d < 0).sum()}")
print("\nno rule: paired solo loss by absolute level (dBFS RMS of the mid)")
none = [r for r in rows if r["rule"] == "none" and r["track"] in base]
edges = np.arange(-75, 6, 5)
for lo, hi in zip(edges[:-1], edges[1:]):
    d = [r["solo"] - base[r["track"]]["solo"] for r in none if lo <= r["level"] < hi]
    if d:
        print(f"[{lo:4d},{hi:4d})  n={len(d):3d}  mean {np.mean(d):+.3f}  median {np.median(d):+.3f}")
