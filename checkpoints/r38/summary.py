"""Paired means of r38's edits against the product (``base`` / ``mono_base``), and by solo instrument."""
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

rows = [json.loads(line) for f in sys.argv[2:] for line in open(f)]
meta = {r["track"]: json.loads((Path(sys.argv[1]) / r["track"] / "meta.json").read_text()) for r in rows}
for reading in ("", "mono_"):
    keys = [k for k in rows[0] if k.startswith(reading) and isinstance(rows[0][k], list) and not k.endswith("base")
            and (reading or not k.startswith("mono_"))]
    for k in keys:
        d = np.array([r[k][0] - r[reading + "base"][0] for r in rows])
        print(f"{k:16s} solo {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}) better {np.sum(d > 0)}"
              f"/{len(d)} worst {d.min():+.2f}")
by = defaultdict(list)
for r in rows:
    by[meta[r["track"]]["instrument"]].append(r)
for inst, rs in sorted(by.items()):
    print(f"{inst:18s} n={len(rs)} " + " ".join(
        f"{k} {np.mean([r[k][0] - r['base'][0] for r in rs]):+.2f}" for k in ("solo0.5", "solo1", "mix1")))
