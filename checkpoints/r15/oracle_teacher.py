"""Diagnostic r15: how much could a better teacher give? The adaptation taught by the true stems (tuning set only).

The product's adaptation (``training.adapt.fine_tune``: 75 steps, every weight, the product's recipe and seed) learns
from the shipped separator's stems of the recording, errors and all. Here the same loop learns from the recording's
true stems instead (its solo as recorded, stereo, and its accompaniment: what a perfect teacher would give), and the
copy separates the mixture through the same pipeline. The gap between this and the product's adaptation (r14's
``a75`` on the same tracks) is what better teachers could win at most with this recipe; the gap between this and
the oracle mask is what one recording's own material cannot teach this network in 75 (or 150) steps.

    python checkpoints/r15/oracle_teacher.py data/val-unseen OUT.jsonl [--every 2 --offset 0|1]

Not a product path: it reads the true stems before separating (a ceiling, not a method).
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.training import adapt as adapt_mod
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

SNAPSHOTS = (75, 150)


def main():
    a = diagnostic_runs.arguments()
    for t in diagnostic_runs.taught(a):
        assert t.rate == 44100, t.rate
        n = min(len(t.mix), int(adapt_mod.ADAPT_OPENING_S * t.rate))
        true_pair = (np.ascontiguousarray(t.solo[:n], np.float32), np.ascontiguousarray(t.acc[:n], np.float32))
        model, _, _ = weights.load_init(t.base.meta.path)
        saved = {}

        def keep(done_steps, m):
            if done_steps in SNAPSHOTS:
                saved[done_steps] = {k: v.clone() for k, v in m.state_dict().items()}
        teacher_stems = adapt_mod.teacher_stems
        adapt_mod.teacher_stems = lambda stems: true_pair  # the true stems as the teacher's
        try:
            fine_tune(model, t.teacher, max(SNAPSHOTS), 1, after_step=keep)
        finally:
            adapt_mod.teacher_stems = teacher_stems
        for steps in SNAPSHOTS:
            model.load_state_dict(saved[steps])
            t.score(f"o{steps}", model)
        diagnostic_runs.write(a, t.rec)


if __name__ == "__main__":
    sys.exit(main())
