"""#21 experiment r (research, not wired in): output ensembles of separators, with the pan-aware step.

The solo magnitudes of several separator files on the same input frames, averaged (``mean``) or their
geometric mean (``geo``), then the pan-aware Wiener step (20,0.2) as shipped:

    python scripts/research/ensemble_outputs.py "data/val-v2,mean,models/separator.onnx,OTHER.onnx" out.json

Run from the folder holding the datasets; DATASET,HOW,MODEL[,MODEL...] specs separated by ';'. Results:
docs/SEPARATOR_V3.md.
"""
import json, sys, time
import numpy as np
from jazzremix_gui.core import evaluation
from jazzremix_gui.core.pipeline import load_model
from jazzremix_gui.core.signal.spatial import PanAware

class Ensemble:
    def __init__(self, models, how):
        self.models, self.how = models, how
        self.meta, self.path = models[0].meta, models[0].path
        self.provider = 'CPU'
    def run(self, x):
        outs = [m.run(x) for m in self.models]
        if self.how == 'geo':
            return np.exp(np.mean([np.log(o + 1e-9) for o in outs], axis=0)).astype(np.float32)
        return np.mean(outs, axis=0).astype(np.float32)
    def __getattr__(self, k):
        return getattr(self.models[0], k)

res = {}
for spec in sys.argv[1].split(';'):
    ds, how, *paths = spec.split(',')
    models = [load_model(p, 'separator') for p in paths]
    m = models[0] if len(models) == 1 else Ensemble(models, how)
    t = time.process_time()
    r = evaluation.evaluate_dataset(ds, m, pan_aware=PanAware())
    res[spec] = r
    print(spec, {k: round(v, 2) for k, v in r['median'].items() if 'oracle' not in k}, round(time.process_time() - t), 'CPU s', flush=True)
json.dump({k: {'median': v['median'], 'tracks': v['tracks']} for k, v in res.items()}, open(sys.argv[2], 'w'))
