"""Diagnostic r26: which of two self-consistent sides is the solo's? Ask the pitch of what each side separates.

Where the separator finds another part that holds its place as the solo does (``Stems.others_deg``), the solo is
either at its own reading or at the other part's; s1 showed a classifier trained on the training generator only
follows the network. A solo is one line (monophonic), and a comping part is chords: per track with another part,
the shipped separator told each side (``core.models.with_solo_side``) and, of each side's separated solo, YIN's
voiced share of its loud frames and the mean periodicity there (``1 - d'(tau)`` at YIN's dip); the SDR of each.

    python checkpoints/r26/side_pitch.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import with_solo_side
from jazzremix_gui.training.adapt import teacher_session
from jazzremix_gui.training.pitch import f0_hz

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

HOP = 1024


def pitch_features(x: np.ndarray) -> dict:
    """Of a mono solo ``x`` (44.1 kHz): its loud frames (within 30 dB of its 95th percentile), the share YIN calls
    voiced, the median F0 there (Hz) and the RMS-weighted voiced share."""
    n_frames = max(1, (len(x) - 2048) // HOP)
    f0 = f0_hz(x, HOP, n_frames)
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(x, np.float64), 2048)[::HOP][:n_frames]
    e = (frames ** 2).mean(axis=1) + 1e-20
    db = 10 * np.log10(e)
    loud = db > np.percentile(db, 95) - 30
    voiced = f0 > 0
    return {"voiced": round(float(voiced[loud].mean()), 3),
            "voiced_w": round(float((e * voiced)[loud].sum() / e[loud].sum()), 3),
            "f0_median": round(float(np.median(f0[loud & voiced])) if (loud & voiced).any() else 0.0, 1)}


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        pan = json.loads((Path(a.set) / name / "meta.json").read_text())["pan_deg"]
        stems = pipeline.separate(mix, rate, base)
        ref = solo.mean(axis=1)
        diagnostic_runs.score(rec, "base", ref, acc, stems)
        rec["true_deg"], rec["found_deg"], rec["others"] = pan, stems.recorded_pan_deg, {"deg": list(stems.others_deg)}
        if not stems.others_deg:
            diagnostic_runs.write(a, rec)
            continue
        rec["sides"] = {}
        for side in [stems.recorded_pan_deg, *stems.others_deg]:
            s = pipeline.separate(mix, rate, with_solo_side(base, side))
            diagnostic_runs.score(rec, f"side{side:+.1f}", ref, acc, s)
            rec["sides"][f"{side:+.1f}"] = {**pitch_features(s.solo), "share_db": round(float(s.solo_share_db), 2)}
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
