"""Paired figures of r18's jsonl files: ``python checkpoints/r18/summary.py FILE.jsonl ...``."""
import json
import sys

import numpy as np

rows = [json.loads(line) for path in sys.argv[1:] for line in open(path)]
print(f"{len(rows)} tracks, rests {np.median([r['rest_share'] for r in rows]):.1%} of a track (median)")
names = ["base", "base_z", "a75", "a75_z", "h75", "h75_z"]
names = [n for n in names if all(n in r for r in rows)]
for name in names:
    print(f"{name:7s} median solo / acc. {np.median([r[name][0] for r in rows]):6.2f} / "
          f"{np.median([r[name][1] for r in rows]):6.2f}")
for x, y in [("base_z", "base"), ("a75", "base"), ("a75_z", "a75"), ("h75", "a75"), ("h75_z", "a75"),
             ("h75_z", "a75_z"), ("h75_z", "base")]:
    if x not in names or y not in names:
        continue
    d = np.array([r[x][0] - r[y][0] for r in rows])
    da = np.array([r[x][1] - r[y][1] for r in rows])
    print(f"{x:6s} - {y:6s} solo {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}) acc. {da.mean():+.3f} "
          f"better {int((d > 0).sum())}/{len(d)} worst {d.min():+.2f}")
