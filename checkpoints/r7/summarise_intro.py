"""Diagnostic r7b's table (checkpoints/r7/intro.py): per config, the body's solo SDR paired against the network
hearing it as it is, and each track alone paired likewise."""
import json
import sys

import numpy as np

for path in sys.argv[1:]:
    rows = [json.loads(line) for line in open(path)]
    print(f"{path}: opening {rows[0]['intro_db']:+.0f} dB, {len(rows)} tracks")
    for config in ("10s", "30s"):
        for part in ("body", "alone"):
            d = np.array([r[config][part] - r["none"][part] for r in rows])
            gains = [r[config]["gain" if part == "body" else "alone_gain"] for r in rows]
            print(f"  {config} {part:5s} mean {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}) median "
                  f"{np.median(d):+.3f} worse {(d < 0).sum()} worst {d.min():+.2f}; gains {min(gains):+.1f}..{max(gains):+.1f}")
