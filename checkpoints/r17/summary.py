"""r17's figures beside r14's product adaptation and r15's true-stem teacher on the same tracks:
``python checkpoints/r17/summary.py`` (the teacher's own solo SDR, shipped 0 %, blended 25 % and 50 %, true 100 %,
and what the adapted copy separates with each)."""
import glob
import json

import numpy as np

r14 = {r["track"]: r for f in glob.glob("checkpoints/r14/val-unseen-*.jsonl") for r in map(json.loads, open(f))}
r15 = {r["track"]: r for f in glob.glob("checkpoints/r15/val-unseen-*.jsonl") for r in map(json.loads, open(f))}
r17 = [r for f in sorted(glob.glob("checkpoints/r17/val-unseen-*.jsonl")) for r in map(json.loads, open(f))]
for r in r17:
    r["a75"], r["o75"] = r14[r["track"]]["a75"], r15[r["track"]]["o75"]
    r["teacher_a75"] = r["base"]  # the product's teacher is the shipped separator's stems
print(f"{len(r17)} tracks of data/val-unseen; solo, median SDR and the paired mean against the shipped separator")
for name, teacher in (("a75", "teacher_a75"), ("b25", "teacher_b25"), ("b50", "teacher_b50"), ("o75", None)):
    d = np.array([r[name][0] - r["base"][0] for r in r17])
    t = f"teacher median {np.median([r[teacher][0] for r in r17]):6.2f}" if teacher else "teacher: the true stems"
    print(f"  {name}: {t}; adapted median {np.median([r[name][0] for r in r17]):.2f}, "
          f"mean gain {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}), better {int((d > 0).sum())}")
