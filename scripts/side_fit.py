"""Experiment s1 (issue #21): fit a conditional logit over the scan's grid directions (scripts/side_scan.py) on
the training sets' scans, and report how often it picks the solo's direction on other scans.

    python scripts/side_fit.py TRAIN.npz [TEST.npz ...] [--out WEIGHTS.json] [--l2 1e-2]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from scipy.optimize import minimize

NEAR = 8.0  # degrees: a grid direction this close to the true pan is the solo's


def design(feats: np.ndarray) -> np.ndarray:
    """Per-direction inputs (N, 13, 36) from the scan's features (N, 14, 13; the last, the signed reading, left
    out): the grid rows, each feature also relative to the track's best over the grid and to the mid's pass."""
    g = feats[:, :13, :12]
    rel = g - g.max(axis=1, keepdims=True)
    mid = feats[:, 13:14, :12]
    return np.concatenate([g, rel, g - mid], axis=2)


def targets(pans: np.ndarray, grid: np.ndarray) -> np.ndarray:
    t = (np.abs(grid[None, :] - pans[:, None]) <= NEAR).astype(np.float64)
    none = t.sum(axis=1) == 0
    t[none, np.argmin(np.abs(grid[None, :] - pans[none, None]), axis=1)] = 1
    return t


def nll(w, x, t, l2):
    s = x @ w
    s = s - s.max(axis=1, keepdims=True)
    lse = np.log(np.exp(s).sum(axis=1))
    good = np.log((np.exp(s) * t).sum(axis=1) + 1e-300)
    p = np.exp(s - lse[:, None])
    q = np.exp(s) * t / ((np.exp(s) * t).sum(axis=1, keepdims=True) + 1e-300)
    loss = -(good - lse).mean() + l2 * (w @ w)
    grad = -np.einsum("nd,ndk->k", q - p, x) / x.shape[0] + 2 * l2 * w
    return loss, grad


def fit(x, t, l2):
    w0 = np.zeros(x.shape[2])
    r = minimize(nll, w0, args=(x, t, l2), jac=True, method="L-BFGS-B")
    return r.x


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("train")
    p.add_argument("tests", nargs="*")
    p.add_argument("--out")
    p.add_argument("--l2", type=float, default=1e-3)
    a = p.parse_args(argv)
    d = np.load(a.train)
    grid = d["grid"]
    x = design(d["feats"])
    mu, sd = x.reshape(-1, x.shape[2]).mean(0), x.reshape(-1, x.shape[2]).std(0) + 1e-9
    xs = (x - mu) / sd
    w = fit(xs, targets(d["pans"], grid), a.l2)
    for name in [a.train] + a.tests:
        e = np.load(name)
        xe = (design(e["feats"]) - mu) / sd
        pick = grid[np.argmax(xe @ w, axis=1)]
        ok = np.abs(pick - e["pans"]) <= NEAR
        mid = np.abs(e["feats"][:, 13, -1] - e["pans"]) <= NEAR  # the network's own reading of the mid (read_pan)
        print(f"{name}: {ok.sum()} / {len(ok)} picked within {NEAR} deg (the mid's own reading: {mid.sum()})")
        for n, pk, pn, o in zip(e["names"], pick, e["pans"], ok):
            if not o:
                print(f"   miss {n}: pick {pk:+.1f}, true {pn:+.1f}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"mu": mu.tolist(), "sd": sd.tolist(), "w": w.tolist(), "grid": grid.tolist()}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
