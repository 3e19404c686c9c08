"""Shared by the research scripts: evaluate ``DATASET,STEP[,KEY=VALUE...]`` specs with a patched network output.

``STEP`` is ``pa`` (the pan-aware Wiener step, 20,0.2) or ``plain``; each ``KEY=VALUE`` sets ``cfg[KEY]`` for
that spec only. ``patch(model, work, run)`` replaces :func:`core.signal.separation.run_network` (``run`` is the
original) in this process.
"""

from __future__ import annotations

import json
import time

from jazzremix_gui.core import evaluation, pipeline
from jazzremix_gui.core.signal import separation
from jazzremix_gui.core.signal.spatial import PanAware


def patch_network(patch) -> None:
    """Make every separation in this process call ``patch(model, work, original_run_network)``."""
    original = separation.run_network

    def run_network(model, work):
        return patch(model, work, original)

    separation.run_network = run_network
    pipeline.run_network = run_network


def run_specs(specs: str, out: str, cfg: dict) -> None:
    """Evaluate each ``;``-separated spec with the shipped separator; print the medians, write every track to ``out``."""
    model = pipeline.load_model(None, "separator")
    results = {}
    for spec in specs.split(";"):
        dataset, step, *settings = spec.split(",")
        saved = dict(cfg)
        for kv in settings:
            key, value = kv.split("=")
            cfg[key] = float(value)
        start = time.process_time()
        r = evaluation.evaluate_dataset(dataset, model, pan_aware=PanAware() if step == "pa" else False)
        results[spec] = {"median": r["median"], "tracks": r["tracks"]}
        print(spec, {k: round(v, 2) for k, v in r["median"].items() if "oracle" not in k},
              round(time.process_time() - start), "CPU s", flush=True)
        cfg.clear()
        cfg.update(saved)
    with open(out, "w") as f:
        json.dump(results, f)
