"""Diagnostic r20: the solo's side as the engineer gives it (*Solo side...*, ``--solo-side``), as the adaptation's teacher.

Per track: the shipped separator told the solo's true pan (``meta.json``'s ``pan_deg``: the side an engineer would
give; :func:`core.models.with_solo_side`), scored as ``side``; the product's adaptation (75 steps, every weight, its
seed) taught by those stems and separating with the same side, ``side_a75``. r18's ``adapted-*.jsonl`` holds the
same tracks' ``base`` and ``a75`` (no side), so the two adaptations pair track by track.

    python checkpoints/r20/side_teacher.py data/val-unseen-24 OUT.jsonl [--every 2 --offset 0|1]

Not a product path: it reads the track's pan from its metadata (what the engineer's ear would give).
"""
import json
import sys
from pathlib import Path

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import adapted_meta, with_solo_side
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune, teacher_session
from jazzremix_gui.training.torch_session import TorchSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        side = json.loads((Path(a.set) / name / "meta.json").read_text()).get("pan_deg")
        session = with_solo_side(base, side)
        rec["side_deg"] = side
        teacher = pipeline.separate(mix, rate, session)
        diagnostic_runs.score(rec, "side", solo.mean(axis=1), acc, teacher)
        model, _, _ = weights.load_init(base.meta.path)
        fine_tune(model, teacher, 75, 1)
        stems = pipeline.separate(mix, rate, TorchSession(model, adapted_meta(session.meta, 75)))
        diagnostic_runs.score(rec, "side_a75", solo.mean(axis=1), acc, stems)
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
