"""#21 experiment o (research): the network's input steered toward the solo.

The one-pass form is now part of the pan-aware step (``--pan-aware SIGMA,FLOOR,STEER``,
:class:`core.signal.separation.Network`); this script keeps the two-pass form and the figures of the third session.

Two passes per track: the first (plain input, pan-aware step) reads the solo's direction theta_s of every
block; the second gives the network ``|g_L X_L + g_R X_R|`` instead of the mid, with
``g_c = (1 - LAM) / 2 + LAM * (cos, sin)(theta_s)_c * (cos + sin) / 2`` (LAM 0: the mid exactly; 1: the
channels weighted as the solo is panned, so a solo off the centre stands out more against the rest), then the
pan-aware step as shipped. ``lag``: each block steered by the block before's direction (what one pass could do).

    python scripts/research/steer_network_input.py "data/val-v2,0;data/val-v2,1;data/val-unseen,1,lag" out.json

Run from the folder holding the datasets; DATASET,LAM[,lag] specs separated by ';'. Results: docs/SEPARATOR_V3.md.
"""
import json, sys, time
import numpy as np
from jazzremix_gui.core import evaluation
from jazzremix_gui.core.signal import separation as sep, spatial, features
from jazzremix_gui.core.pipeline import load_model
from jazzremix_gui.core.signal.spatial import PanAware

model = load_model(None, 'separator')
orig_masks = sep.pan_aware_masks
orig_input = sep.separator_input
STATE = {'mode': 'record', 'thetas': [], 'k': 0}

def masks(solo_mag, mag, alpha, settings, carried=None):
    out = orig_masks(solo_mag, mag, alpha, settings, carried)
    if STATE['mode'] == 'record':
        STATE['thetas'].append(out[2])
    return out

def steered_input(spec):
    if STATE['mode'] == 'record' or np.array_equal(spec[:, 0], spec[:, 1]):
        return orig_input(spec)
    k = STATE['k']; STATE['k'] += 1
    th = STATE['thetas'][min(k, len(STATE['thetas']) - 1)] if STATE['thetas'] else np.pi / 4
    if STATE.get('lag'):  # causal: the previous block's direction
        th = STATE['thetas'][k - 1] if k > 0 else np.pi / 4
    g = spatial.channel_gains(th)
    lam = STATE['lam']
    gl, gr = (1 - lam) * 0.5 + lam * g[0] * (g[0] + g[1]) / 2, (1 - lam) * 0.5 + lam * g[1] * (g[0] + g[1]) / 2
    return np.abs(spec[:, 0] * np.float32(gl) + spec[:, 1] * np.float32(gr))

sep.pan_aware_masks = masks
sep.separator_input = steered_input
orig_score = evaluation.score_track

def score(folder, model, report=None, alpha=None, pan_aware=None):
    STATE.update(mode='record', thetas=[], k=0)
    if STATE['lam'] > 0:
        orig_score(folder, model, alpha=alpha, pan_aware=pan_aware)
    STATE.update(mode='steer', k=0)
    return orig_score(folder, model, alpha=alpha, pan_aware=pan_aware)

evaluation.score_track = score
res = {}
for spec in sys.argv[1].split(';'):
    ds, lam, *rest = spec.split(',')
    STATE['lam'] = float(lam); STATE['lag'] = 'lag' in rest
    t = time.process_time()
    r = evaluation.evaluate_dataset(ds, model, pan_aware=PanAware())
    res[spec] = r
    print(spec, {k: round(v, 2) for k, v in r['median'].items() if 'oracle' not in k}, round(time.process_time() - t), 'CPU s', flush=True)
json.dump({k: {'median': v['median'], 'tracks': v['tracks']} for k, v in res.items()}, open(sys.argv[2], 'w'))
