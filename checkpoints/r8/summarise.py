"""Diagnostic r8's paired table: each config against one hearing, per set and pooled."""
import json
import sys
from collections import defaultdict

import numpy as np

rows = [json.loads(line) for f in sys.argv[1:] for line in open(f)]
by = {(r["set"], r["track"], r["config"]): r for r in rows}
diffs = defaultdict(lambda: defaultdict(list))
for (s, t, c), r in by.items():
    one = by.get((s, t, "one"))
    if c != "one" and one is not None:
        for stem in ("solo", "acc"):
            diffs[(c, stem)]["all"].append(r[stem] - one[stem])
            diffs[(c, stem)][s].append(r[stem] - one[stem])
for (c, stem), per in sorted(diffs.items()):
    d = np.array(per["all"])
    sets = " ".join(f"{np.mean(v):+.3f}" for k, v in sorted(per.items()) if k != "all")
    print(f"{c:10s} {stem:4s} n={len(d):3d} mean {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}) "
          f"median {np.median(d):+.3f} better/worse {(d > 0).sum()}/{(d < 0).sum()}  per set: {sets}")
