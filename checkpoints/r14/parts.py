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
import sys
import time
from pathlib import Path

from jazzremix_gui.core import pipeline
from jazzremix_gui.training import adapt as adapt_mod
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

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
    a = diagnostic_runs.arguments(",".join(VARIANTS))
    for t in diagnostic_runs.taught(a):
        for name in a.variants.split(","):
            score_adapted(t, name)
        diagnostic_runs.write(a, t.rec)


def score_adapted(t, name: str) -> None:
    """Adapt the variant ``name`` of :data:`VARIANTS` to ``t``'s teacher; its scores and CPU-s in ``t.rec``."""
    free, scale = VARIANTS[name]
    model, t.rec[name + "_cpu"] = adapted(t.base, t.teacher, free, scale)
    t.score(name, model)


if __name__ == "__main__":
    sys.exit(main())
