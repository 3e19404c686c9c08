"""Paired summaries of r14's jsonl files: ``python checkpoints/r14/summary.py A B [FILES...]`` prints, for the
solo and the accompaniment, the mean of the per-track differences B - A with its standard error, the median,
better / worse and the worst track; ``base`` is the shipped separator."""
import json
import sys

import numpy as np


def main():
    a, b, *files = sys.argv[1:]
    recs = [json.loads(line) for f in files for line in open(f)]
    print(f"{len(recs)} tracks: {b} - {a}")
    for i, stem in enumerate(("solo", "acc")):
        d = np.array([r[b][i] - r[a][i] for r in recs])
        print(f"  {stem}: mean {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}), median {np.median(d):+.3f}, "
              f"better {int((d > 0).sum())} / worse {int((d < 0).sum())}, worst {d.min():+.2f}; "
              f"medians {np.median([r[a][i] for r in recs]):.2f} -> {np.median([r[b][i] for r in recs]):.2f}")
    for k in (a, b):
        if k + "_cpu" in recs[0]:
            print(f"  {k} adaptation CPU-s: mean {np.mean([r[k + '_cpu'] for r in recs]):.1f}")


if __name__ == "__main__":
    main()
