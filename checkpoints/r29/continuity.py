"""Diagnostic r29d: the mono comb's F0 tidied by its neighbours in time (the tuning set in mono, paired against the
product): ``cont``: a voiced frame kept only when a neighbour is voiced within a semitone; ``oct``: a frame whose F0
lies an octave under both voiced neighbours (within a semitone) doubled; ``both``.

    PYTHONPATH=. python checkpoints/r29/continuity.py data/val-unseen 0|1 OUT.jsonl
"""
import json
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r29")
from mono_variants import edit  # noqa: E402
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.training.adapt import teacher_session  # noqa: E402

SEMI = 1 / 12


def near(a, b, octaves=0.0):
    """Whether F0s ``a`` and ``b`` (Hz, 0: none) lie within a semitone of ``b = a 2**octaves``."""
    ok = (a > 0) & (b > 0)
    out = np.zeros(a.shape, bool)
    out[ok] = np.abs(np.log2(b[ok] / a[ok]) - octaves) < SEMI
    return out


def continuity(f0):
    prev, nxt = np.r_[0.0, f0[:-1]], np.r_[f0[1:], 0.0]
    return np.where(near(f0, prev) | near(f0, nxt), f0, 0.0)


def octave(f0):
    prev, nxt = np.r_[0.0, f0[:-1]], np.r_[f0[1:], 0.0]
    low = near(f0, prev, 1.0) & near(f0, nxt, 1.0)
    return np.where(low, 2 * f0, f0)


base = teacher_session("models/separator.onnx", None, 1)
pipeline._SeparationSteps._combed = lambda self, solo, acc, x, last: (solo, acc, x)
out = open(sys.argv[3], "a")
for folder in list_tracks(sys.argv[1])[int(sys.argv[2])::2]:
    mix, solo, acc, rate = read_track(folder)
    s = pipeline.separate(mix.mean(axis=1, keepdims=True), rate, base).solo
    ref = solo.mean(axis=1)
    f0 = pitch_comb.frame_f0(s, 0, pitch_comb.frame_count(s.shape[0], pitch_comb.HOP))
    rec = {"track": folder.name, "plain": global_sdr(ref, s), "product": global_sdr(ref, pitch_comb.comb_solo(s))}
    for name, g in (("cont", continuity(f0)), ("oct", octave(f0)), ("both", continuity(octave(f0)))):
        rec[name] = global_sdr(ref, edit(s, g))
        rec[name + "_voiced"] = round(float((g > 0).mean()), 3)
    out.write(json.dumps(rec) + "\n")
    out.flush()
