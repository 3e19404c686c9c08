"""Diagnostic r16: is the adaptation's gain the input's normalisation, and can it be had without training?
(tuning set only, data/val-unseen)

r14 found that adapting only the normalisation (the input's per-bin mean and scale and the blocks' LayerNorms, 5.6k
parameters, lr 1e-3) learns as much as adapting every weight. r16 splits that, and tries a closed form:

- ``in75``: only ``input_mean`` and ``input_scale`` adapted (lr 1e-3, 75 steps, the product's recipe otherwise);
- ``ln75``: only the blocks' LayerNorms adapted (the same);
- ``cfL``: no training: the recording's own per-bin statistics of the compressed input the network hears
  (``log1p(1000 |X|)``, the pipeline's input with its level, every frame) blended into the network's
  normalisation, ``input_mean <- (1 - L) input_mean + L mean``, ``input_scale <- input_scale^(1 - L) / (std +
  1e-3)^L`` (the network's own were set so from training windows, then learnt), for L in 0.25, 0.5 and 1.

    python checkpoints/r16/input_norm.py data/val-unseen OUT.jsonl [--every 2 --offset 0|1] [--variants ...]

Only the mixture is read before scoring.
"""
import sys
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import pipeline
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.torch_session import TorchSession

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "r14")]
import diagnostic_runs  # noqa: E402
from parts import VARIANTS, score_adapted  # noqa: E402  (r14's: a copy with only some parameters adapted)

TRAINED = {
    "in75": (lambda name: name.startswith(("input_mean", "input_scale")), 10.0),
    "ln75": (lambda name: ".norm." in name, 10.0),
}
BLENDS = {"cf25": 0.25, "cf50": 0.5, "cf100": 1.0}


def input_statistics(model, meta, mix, rate) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin mean and standard deviation of ``log1p(1000 |X|)`` over every frame the network hears of ``mix``."""
    seen = []
    hook = model.register_forward_pre_hook(lambda m, args: seen.append(torch.log1p(1000.0 * args[0].detach())
                                                                      .reshape(-1, args[0].shape[-1]).numpy()))
    try:
        pipeline.separate(mix, rate, TorchSession(model, meta))
    finally:
        hook.remove()
    comp = np.concatenate(seen).astype(np.float64)
    return comp.mean(axis=0), comp.std(axis=0)


def main():
    a = diagnostic_runs.arguments(",".join([*BLENDS, *TRAINED]))
    variants = a.variants.split(",")
    VARIANTS.update(TRAINED)
    for t in diagnostic_runs.taught(a):
        blends = [v for v in variants if v in BLENDS]
        if blends:
            model, _, _ = weights.load_init(t.base.meta.path)
            mean, std = input_statistics(model, t.meta, t.mix, t.rate)
            m0, s0 = model.input_mean.detach().clone(), model.input_scale.detach().clone()
            for name in blends:
                lam = BLENDS[name]
                with torch.no_grad():
                    model.input_mean.copy_((1 - lam) * m0 + lam * torch.from_numpy(mean).float())
                    model.input_scale.copy_(s0.clamp_min(1e-6) ** (1 - lam)
                                            / torch.from_numpy(std + 1e-3).float() ** lam)
                t.score(name, model)
        for name in (v for v in variants if v in TRAINED):
            score_adapted(t, name)
        diagnostic_runs.write(a, t.rec)


if __name__ == "__main__":
    sys.exit(main())
