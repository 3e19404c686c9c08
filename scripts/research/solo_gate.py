"""#21 experiment s (research, not wired in): a solo-activity gate on the network's solo magnitude.

Per frame, the share of the mid's energy the network gives the solo (``sum S^2 / sum |X_mid|^2``, averaged over
``smooth`` frames); the frame's solo magnitude multiplied by ``clip((share - r0) / (r1 - r0), 0, 1) ^ power``, so
frames where the solo rests give the accompaniment back what the network leaked; then the Wiener step (``pa``:
pan-aware, ``plain``).

    python scripts/research/solo_gate.py "data/val-v2,pa;data/val-v2,pa,r0=0.01,r1=0.05" out.json

Run from the folder holding the datasets. Results: docs/SEPARATOR_V3.md.
"""
import json, sys, time
from dataclasses import replace
import numpy as np
from scipy.ndimage import uniform_filter1d
from jazzremix_gui.core import evaluation
from jazzremix_gui.core.signal import separation as sep
import jazzremix_gui.core.pipeline as pl
from jazzremix_gui.core.pipeline import load_model
from jazzremix_gui.core.signal.spatial import PanAware

CFG = dict(r0=0.02, r1=0.1, smooth=5, power=1.0)
orig_run = sep.run_network

def run_network(model, work):
    mid = work.features[work.ctx_before: work.ctx_before + work.b - work.a]
    w = orig_run(model, work)
    S = w.solo_mag
    e_s = np.square(S, dtype=np.float64).sum(1)
    e_x = np.square(mid, dtype=np.float64).sum(1) + 1e-12
    r = uniform_filter1d(e_s / e_x, int(CFG['smooth']), mode='nearest') if CFG['smooth'] > 1 else e_s / e_x
    g = np.clip((r - CFG['r0']) / (CFG['r1'] - CFG['r0']), 0, 1) ** CFG['power']
    return replace(w, solo_mag=(S * g[:, None]).astype(np.float32))

sep.run_network = run_network
pl.run_network = run_network
model = load_model(None, 'separator')
res = {}
for spec in sys.argv[1].split(';'):
    ds, pa, *cfg = spec.split(',')
    saved = dict(CFG)
    for kv in cfg:
        k, v = kv.split('='); CFG[k] = float(v)
    t = time.process_time()
    r = evaluation.evaluate_dataset(ds, model, pan_aware=PanAware() if pa == 'pa' else False)
    res[spec] = r
    print(spec, {k: round(v, 2) for k, v in r['median'].items() if 'oracle' not in k}, round(time.process_time() - t), 'CPU s', flush=True)
    CFG.clear(); CFG.update(saved)
json.dump({k: {'median': v['median'], 'tracks': v['tracks']} for k, v in res.items()}, open(sys.argv[2], 'w'))
