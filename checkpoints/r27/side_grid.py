"""Diagnostic r27: the side by pitch among a grid of sides, not only the parts that hold their place (r26).

r26b reaches only the tracks where the separator names another part. Per stereo track: the product's stems
(``base``, its reading ``found_deg``, its other parts), then the shipped separator told each side of a grid
(-42 .. +42 deg every 14) and its own reading (``core.models.with_solo_side``), each separated solo's voiced share
of its loud frames and share of the recording (``core.signal.side_by_pitch.VoicedShare``, as the product reads
them), and each side's SDR. ``summary.py`` applies choice rules to the lines.

    python checkpoints/r27/side_grid.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import with_solo_side
from jazzremix_gui.core.signal.side_by_pitch import VoicedShare
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

GRID = (-42.0, -28.0, -14.0, 0.0, 14.0, 28.0, 42.0)


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        if np.array_equal(mix[:, 0], mix[:, 1]):
            continue
        pan = json.loads((Path(a.set) / name / "meta.json").read_text())["pan_deg"]
        stems = pipeline.separate(mix, rate, base)
        ref = solo.mean(axis=1)
        diagnostic_runs.score(rec, "base", ref, acc, stems)
        rec["true_deg"], rec["found_deg"] = pan, round(float(stems.recorded_pan_deg), 1)
        rec["others"] = {"deg": list(stems.others_deg)}
        rec["sides"] = {}
        for side in (rec["found_deg"], *stems.others_deg, *GRID):
            key = f"{side:+.1f}"
            if key in rec["sides"]:
                continue
            s = pipeline.separate(mix, rate, with_solo_side(base, side))
            v = VoicedShare(rate)
            v.push(s.solo)
            diagnostic_runs.score(rec, "side" + key, ref, acc, s)
            rec["sides"][key] = {"voiced": round(v.share(), 4), "share_db": round(float(s.solo_share_db), 2)}
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
