"""r15's figures beside r14's product adaptation on the same tracks: ``python checkpoints/r15/summary.py``."""
import glob
import json

import numpy as np

r14 = {r["track"]: r for f in glob.glob("checkpoints/r14/val-unseen-*.jsonl") for r in map(json.loads, open(f))}
r15 = [r for f in sorted(glob.glob("checkpoints/r15/val-unseen-*.jsonl")) for r in map(json.loads, open(f))]
for r in r15:
    r["a75"] = r14[r["track"]]["a75"]
print(f"{len(r15)} tracks of data/val-unseen")
for i, stem in enumerate(("solo", "accompaniment")):
    print(stem + ": medians " + ", ".join(f"{k} {np.median([r[k][i] for r in r15]):.2f}"
                                          for k in ("base", "a75", "o75", "o150")))
    for k, ref in (("a75", "base"), ("o75", "base"), ("o150", "base"), ("o75", "a75")):
        d = np.array([r[k][i] - r[ref][i] for r in r15])
        print(f"  {k} - {ref}: mean {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}), "
              f"better {int((d > 0).sum())} of {len(d)}, worst {d.min():+.2f}")
