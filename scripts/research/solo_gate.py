"""#21 experiment s (research, not wired in): a solo-activity gate on the network's solo magnitude.

Per frame, the share of the mid's energy the network gives the solo (``sum S^2 / sum |X_mid|^2``, averaged over
``smooth`` frames); the frame's solo magnitude multiplied by ``clip((share - r0) / (r1 - r0), 0, 1) ^ power``, so
frames where the solo rests give the accompaniment back what the network leaked; then the Wiener step (``pa``:
pan-aware, ``plain``).

    python scripts/research/solo_gate.py "data/val-v2,pa;data/val-v2,pa,r0=0.01,r1=0.05" out.json

Run from the folder holding the datasets. Results: docs/SEPARATOR_V3.md.
"""
import sys
from dataclasses import replace
import numpy as np
from scipy.ndimage import uniform_filter1d
from spec_runs import patch_network, run_specs

CFG = dict(r0=0.02, r1=0.1, smooth=5, power=1.0)
def patched(model, work, run):
    mid = work.features[work.ctx_before: work.ctx_before + work.b - work.a]
    w = run(model, work)
    S = w.solo_mag
    e_s = np.square(S, dtype=np.float64).sum(1)
    e_x = np.square(mid, dtype=np.float64).sum(1) + 1e-12
    r = uniform_filter1d(e_s / e_x, int(CFG['smooth']), mode='nearest') if CFG['smooth'] > 1 else e_s / e_x
    g = np.clip((r - CFG['r0']) / (CFG['r1'] - CFG['r0']), 0, 1) ** CFG['power']
    return replace(w, solo_mag=(S * g[:, None]).astype(np.float32))


if __name__ == "__main__":
    patch_network(patched)
    run_specs(sys.argv[1], sys.argv[2], CFG)
