"""Paired figures of r19's jsonl files: ``python checkpoints/r19/summary.py FILE.jsonl ...``."""
import json
import sys

import numpy as np

rows = [json.loads(line) for path in sys.argv[1:] for line in open(path)]
names = sorted({k for r in rows for k in r if k.startswith("auto") and isinstance(r[k], list)},
               key=lambda k: float(k[4:]))
print(f"{len(rows)} tracks; base median solo / acc. {np.median([r['base'][0] for r in rows]):.2f} / "
      f"{np.median([r['base'][1] for r in rows]):.2f}")
for name in names:
    d = np.array([r[name][0] - r["base"][0] for r in rows])
    called = sum(r[name + "_called_s"] for r in rows)
    wrong = sum(r[name + "_wrong_s"] for r in rows)
    print(f"{name:8s} solo {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}) better {int((d > 1e-3).sum())} "
          f"worse {int((d < -1e-3).sum())} worst {d.min():+.2f}; called {called:.1f} s, {wrong:.1f} s of it in phrases")
