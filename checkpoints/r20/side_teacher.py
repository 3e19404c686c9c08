"""Diagnostic r20: the solo's side as the engineer gives it (*Solo side...*, ``--solo-side``), as the adaptation's teacher.

Per track: the shipped separator told the solo's true pan (``meta.json``'s ``pan_deg``: the side an engineer would
give; :func:`core.models.with_solo_side`), scored as ``side``; the product's adaptation (75 steps, every weight, its
seed) taught by those stems and separating with the same side, ``side_a75``. r18's ``adapted-*.jsonl`` holds the
same tracks' ``base`` and ``a75`` (no side), so the two adaptations pair track by track. With ``--rests 1`` also
``side_z`` and ``side_a75_z``: those stems with the rests between the phrases silenced as ``evaluate
--solo-silent-at-rests`` does (all three hints).

    python checkpoints/r20/side_teacher.py data/val-unseen-24 OUT.jsonl [--every 2 --offset 0|1] [--rests 1]

Not a product path: it reads the track's pan from its metadata (what the engineer's ear would give).
"""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import marked_rests
from jazzremix_gui.core.models import adapted_meta, with_solo_side
from jazzremix_gui.core.signal import solo_rests
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune, teacher_session
from jazzremix_gui.training.torch_session import TorchSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def rests_of(folder: Path, mix, rate: int):
    """``stems -> stems`` with the rests between the track's phrases silenced (``core.evaluation.marked_rests``)."""
    meta = json.loads((folder / "meta.json").read_text())

    def rested(stems):
        n = len(stems.solo)
        solo, acc = solo_rests.silence(stems.solo, stems.accompaniment, mix[:n].astype(np.float32),
                                       marked_rests(meta, n / rate), 0, rate)
        return dataclasses.replace(stems, solo=solo, accompaniment=acc)
    return rested


def main():
    a = diagnostic_runs.arguments(rests="0")
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        side = json.loads((Path(a.set) / name / "meta.json").read_text()).get("pan_deg")
        session = with_solo_side(base, side)
        rec["side_deg"] = side
        teacher = pipeline.separate(mix, rate, session)
        diagnostic_runs.score(rec, "side", solo.mean(axis=1), acc, teacher)
        rested = rests_of(Path(a.set) / name, mix, rate) if a.rests == "1" else None
        if rested is not None:
            diagnostic_runs.score(rec, "side_z", solo.mean(axis=1), acc, rested(teacher))
        model, _, _ = weights.load_init(base.meta.path)
        fine_tune(model, teacher, 75, 1)
        stems = pipeline.separate(mix, rate, TorchSession(model, adapted_meta(session.meta, 75)))
        diagnostic_runs.score(rec, "side_a75", solo.mean(axis=1), acc, stems)
        if rested is not None:
            diagnostic_runs.score(rec, "side_a75_z", solo.mean(axis=1), acc, rested(stems))
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
