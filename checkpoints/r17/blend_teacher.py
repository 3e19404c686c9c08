"""Diagnostic r17: how the adaptation's gain grows with its teacher's quality (tuning set only, data/val-unseen).

r15 taught the product's adaptation loop with the true stems (+3.9 dB a track) where the product teaches it with the
shipped separator's (+0.3). Here the teacher lies between: each stem ``(1 - w) shipped + w true`` (the solo placed as
``training.adapt.teacher_stems`` places it, beside the true solo as recorded), for ``w`` in 0.25 and 0.5, so the
teacher is better by a known amount (its solo's SDR against the true one is kept as ``teacher_bW``). The same loop,
75 steps, every weight, the product's seed; the copy separates the mixture through the same pipeline.

    python checkpoints/r17/blend_teacher.py data/val-unseen OUT.jsonl [--every 2 --offset 0|1] [--variants b50,b25]

Not a product path: it reads the true stems before separating.
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.training import adapt as adapt_mod
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

BLENDS = {"b50": 0.5, "b25": 0.25}


def main():
    a = diagnostic_runs.arguments(",".join(BLENDS))
    for t in diagnostic_runs.taught(a):
        shipped_solo, shipped_acc = adapt_mod.teacher_stems(t.teacher)
        n = len(shipped_solo)
        true_solo, true_acc = (np.asarray(x[:n], np.float32) for x in (t.solo, t.acc))
        for name in a.variants.split(","):
            w = BLENDS[name]
            pair = (((1 - w) * shipped_solo + w * true_solo).astype(np.float32),
                    ((1 - w) * shipped_acc + w * true_acc).astype(np.float32))
            t.rec["teacher_" + name] = [global_sdr(true_solo.mean(axis=1), pair[0].mean(axis=1)),
                                        global_sdr(true_acc, pair[1])]
            model, _, _ = weights.load_init(t.base.meta.path)
            teacher_stems = adapt_mod.teacher_stems
            adapt_mod.teacher_stems = lambda stems, pair=pair: pair  # the blended stems as the teacher's
            try:
                fine_tune(model, t.teacher, 75, 1)
            finally:
                adapt_mod.teacher_stems = teacher_stems
            t.score(name, model)
        diagnostic_runs.write(a, t.rec)


if __name__ == "__main__":
    sys.exit(main())
