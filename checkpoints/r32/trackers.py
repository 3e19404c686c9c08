"""Diagnostic r32: which pitch errors cost the mono comb its headroom, and does a probabilistic tracker (pYIN,
librosa's, diagnostic only) read the separated solo better than the product's YIN? The tuning set in mono, each
variant paired against the plain separation (no comb):

``yin``: the product's comb; ``clean``: YIN on the clean solo; ``fill``: the product's F0, and the clean one where
the product calls unvoiced a frame the clean solo voices; ``fix``: the product's F0, the clean one where both are
voiced and differ by more than a semitone; ``drop``: the product's F0, none where the clean solo is unvoiced;
``pyin``: librosa's pYIN on the separated solo (voiced where its HMM says so).

    PYTHONPATH=.:/tmp/libr python checkpoints/r32/trackers.py data/val-unseen 0|1 OUT.jsonl
"""
import sys
import time

import numpy as np

sys.path.insert(0, "checkpoints/r29")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from mono_variants import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402


def far(a, b):
    ok = (a > 0) & (b > 0)
    out = np.zeros(a.shape, bool)
    out[ok] = np.abs(np.log2(b[ok] / a[ok])) > 1 / 12
    return out


def pyin(s, n):
    import librosa
    f0, voiced, _ = librosa.pyin(s.astype(np.float32), fmin=65.406, fmax=1975.5, sr=44100, frame_length=2048,
                                 hop_length=pitch_comb.HOP, center=True)
    f0 = np.where(voiced, np.nan_to_num(f0), 0.0)[:n]
    return np.pad(f0, (0, n - f0.shape[0]))


for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
    s = stems.solo
    ref = solo.mean(axis=1)[: s.shape[0]]
    n = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
    f0 = pitch_comb.frame_f0(s, 0, n)
    c0 = pitch_comb.frame_f0(ref, 0, n)
    t = time.process_time()
    p0 = pyin(s, n)
    rec = {"track": folder.name, "plain": global_sdr(ref, s), "pyin_cpu": round(time.process_time() - t, 2)}
    variants = {
        "yin": f0, "clean": c0, "pyin": p0,
        "fill": np.where((f0 <= 0) & (c0 > 0), c0, f0),
        "fix": np.where(far(f0, c0), c0, f0),
        "drop": np.where(c0 > 0, f0, 0.0),
    }
    for name, g in variants.items():
        rec[name] = global_sdr(ref, edit(s, g))
        rec[name + "_voiced"] = round(float((g > 0).mean()), 3)
    rec["clean_voiced_yin_unvoiced"] = round(float(((f0 <= 0) & (c0 > 0)).mean()), 3)
    rec["both_voiced_far"] = round(float(far(f0, c0).mean()), 3)
    line(rec)
