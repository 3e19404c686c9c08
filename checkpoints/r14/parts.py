"""Diagnostic r14: which parts of the separator the adaptation should move (tuning set only, data/val-unseen).

For each track the teacher is made as the product makes it (``services.adaptation``: the shipped separator with its
pan-aware step, one thread) and four copies are adapted to it for 75 steps with the product's recipe
(``training.adapt.fine_tune``), each with only some parameters free (the rest frozen, ``requires_grad`` off):

- ``a75``: every parameter (the product);
- ``head75``: the decoder alone (``decode.*``, the mask's two last layers);
- ``front75``: the input's normalisation and the encoder (``input_mean``, ``input_scale``, ``encode.*``);
- ``norm75``: the input's normalisation and the blocks' LayerNorms, at ten times the learning rate (1e-3; TENT,
  Wang et al. 2021, adapts normalisation alone at such rates).

Each copy separates the recording through the same pipeline and is scored against the true stems beside the shipped
separator (``base``); the seconds each adaptation took are kept (a part that learns as much for less backward work
would make the opt-in cheaper).

    python checkpoints/r14/parts.py data/val-unseen OUT.jsonl [--every 2 --offset 0|1]

Only the mixture is read before scoring.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr, read_track
from jazzremix_gui.core.models import adapted_meta
from jazzremix_gui.training import adapt as adapt_mod
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune, teacher_session
from jazzremix_gui.training.torch_session import TorchSession

VARIANTS = {
    "a75": (lambda name: True, 1.0),
    "head75": (lambda name: name.startswith("decode."), 1.0),
    "front75": (lambda name: name.startswith(("input_mean", "input_scale", "encode.")), 1.0),
    "norm75": (lambda name: name.startswith(("input_mean", "input_scale")) or ".norm." in name, 10.0),
}


def adapted(base, teacher: pipeline.Stems, free, lr_scale: float, steps: int = 75):
    """A copy of ``base``'s network with only the parameters ``free(name)`` adapted; (model, seconds)."""
    model, _, _ = weights.load_init(base.meta.path)
    for name, p in model.named_parameters():
        p.requires_grad_(bool(free(name)))
    lr = adapt_mod.ADAPT_LR
    adapt_mod.ADAPT_LR = lr * lr_scale
    t0 = time.process_time()
    try:
        fine_tune(model, teacher, steps, 1)
    finally:
        adapt_mod.ADAPT_LR = lr
    return model, round(time.process_time() - t0, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--variants", default=",".join(VARIANTS))
    a = p.parse_args()
    torch.set_num_threads(1)
    tracks = sorted(t for t in Path(a.set).iterdir() if (t / "mixture.wav").is_file())[a.offset::a.every]
    done = {json.loads(line)["track"] for line in open(a.out)} if Path(a.out).is_file() else set()
    base = teacher_session("models/separator.onnx", None, 1)
    meta = adapted_meta(base.meta, 75)
    for track in tracks:
        if track.name in done:
            continue
        t0 = time.time()
        mix, solo, acc, rate = read_track(track)
        ref = solo.mean(axis=1)
        teacher = pipeline.separate(mix, rate, base)
        rec = {"track": track.name, "base": [global_sdr(ref, teacher.solo), global_sdr(acc, teacher.accompaniment)]}
        for name in a.variants.split(","):
            free, scale = VARIANTS[name]
            model, cpu = adapted(base, teacher, free, scale)
            s = pipeline.separate(mix, rate, TorchSession(model, meta))
            rec[name] = [global_sdr(ref, s.solo), global_sdr(acc, s.accompaniment)]
            rec[name + "_cpu"] = cpu
        rec["seconds"] = round(time.time() - t0, 1)
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(track.name, " ".join(f"{k} {v[0]:6.2f}" for k, v in rec.items() if isinstance(v, list)),
              rec["seconds"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
