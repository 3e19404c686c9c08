"""Diagnostic r9b's table: median SDRs per alpha and the paired difference against alpha 1.0 (the shipped one)."""
import json
import sys

import numpy as np

rows = [json.loads(line) for f in sys.argv[1:] for line in open(f)]
alphas = [k for k in rows[0] if k not in ("set", "track")]
base = np.array([r["1.0"] for r in rows])
for a in alphas:
    v = np.array([r[a] for r in rows])
    d = v - base
    print(f"alpha {a:4s} n={len(v)} median {np.median(v[:, 0]):.2f} / {np.median(v[:, 1]):.2f}  paired vs 1.0: "
          f"{d[:, 0].mean():+.3f} (SE {d[:, 0].std(ddof=1) / np.sqrt(len(d)):.3f}) / {d[:, 1].mean():+.3f}, "
          f"median {np.median(d[:, 0]):+.3f}, better {(d[:, 0] > 0).sum()}")
