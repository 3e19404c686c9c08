"""Paired figures of rule e37: ``python checkpoints/e37/paired.py SHIPPED.json PICK.json [...]`` (pairs of
``jazzremix evaluate SET --mono --json`` outputs, the shipped separator's first): per set and pooled, the solo's and
the accompaniment's mean gain (SE), better of n, the worst, the medians."""
import json
import sys

import numpy as np


def gains(before: str, after: str):
    a, b = json.load(open(before)), json.load(open(after))
    pa = {t["track"]: t for t in a["tracks"]}
    rows = [(t["solo"] - pa[t["track"]]["solo"], t["accompaniment"] - pa[t["track"]]["accompaniment"]) for t in b["tracks"]]
    return np.array(rows), a["median"], b["median"]


def line(name, d, ma=None, mb=None):
    se = d.std(axis=0, ddof=1) / np.sqrt(len(d))
    med = f"  medians {ma['solo']:.2f} / {ma['accompaniment']:.2f} -> {mb['solo']:.2f} / {mb['accompaniment']:.2f}" if ma else ""
    print(f"{name:28s} n={len(d):3d} solo {d[:, 0].mean():+.3f} (SE {se[0]:.3f}) better {int((d[:, 0] > 0).sum())} "
          f"worst {d[:, 0].min():+.2f}; acc {d[:, 1].mean():+.3f} (SE {se[1]:.3f}){med}")


pooled = []
args = sys.argv[1:]
for before, after in zip(args[::2], args[1::2]):
    d, ma, mb = gains(before, after)
    line(after.split("/")[-1], d, ma, mb)
    pooled.append(d)
if len(pooled) > 1:
    line("pooled", np.concatenate(pooled))
