"""Diagnostic r29: the mono comb's settings (rule r28's floor 0.3, YIN's threshold 0.15, bumps 1.5 bins + 2 % wide,
the F0 frame by frame), varied one at a time on mono readings (r9's).

Per track read in mono: the separation without the comb (``plain``, the network's stems as before rule r28), the
product's comb (``product``: ``core.signal.pitch_comb.comb_solo``), then each variant of it. The accompaniment's
mid takes what the solo loses, as in the product.

    python checkpoints/r29/mono_variants.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import sys
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal import pitch, pitch_comb
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def edit(solo, f0, floor=pitch_comb.FLOOR, rel=pitch_comb.REL_WIDTH, base=1.5):
    """``solo`` minus what the weights of ``f0`` take out (as ``comb_solo``), with the comb's settings given."""
    saved = pitch_comb.REL_WIDTH, pitch_comb.FLOOR
    pitch_comb.REL_WIDTH, pitch_comb.FLOOR = rel, floor
    try:
        c = pitch_comb.comb(f0)
        if base != 1.5:  # the bump's base width: recomputed the slow way (the product's is 1.5 bins)
            f = np.asarray(f0) / (pitch_comb.MODEL_RATE / pitch_comb.N_FFT)
            bins = np.arange(pitch_comb.N_BINS)
            c = np.zeros_like(c)
            for t in np.flatnonzero(f > 0):
                centres = np.arange(1, int(pitch_comb.TOP_HZ / f0[t]) + 1) * f[t]
                s = np.sqrt(base ** 2 + (rel * centres) ** 2)
                c[t] = np.exp(-0.5 * ((bins[:, None] - centres) / s) ** 2).max(axis=1)
        w = floor + (1 - floor) * c
        w[np.asarray(f0) <= 0] = 1.0
    finally:
        pitch_comb.REL_WIDTH, pitch_comb.FLOOR = saved
    spec = stft(solo, pitch_comb.HOP)
    return solo - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, solo.shape[0]), np.float32).reshape(-1)


def yin(solo, frames, threshold=pitch.THRESHOLD):
    saved = pitch.THRESHOLD
    pitch.THRESHOLD = threshold
    try:
        return pitch_comb.frame_f0(solo, 0, frames)
    finally:
        pitch.THRESHOLD = saved


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    plain = pipeline._SeparationSteps._combed
    pipeline._SeparationSteps._combed = lambda self, solo, acc, x, last: (solo, acc, x)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        x = mix.mean(axis=1, keepdims=True)
        ref, acc_ref = solo.mean(axis=1), acc.mean(axis=1)
        stems = pipeline.separate(x, rate, base)
        s, am = stems.solo, stems.accompaniment.mean(axis=1)

        def score(key, edited):
            rec[key] = [global_sdr(ref, edited), global_sdr(acc_ref, am + (s - edited))]
        score("plain", s)
        frames = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
        f0 = yin(s, frames)
        score("product", pitch_comb.comb_solo(s))
        for th in (0.10, 0.20, 0.25):
            score(f"thr{th:g}", edit(s, yin(s, frames, th)))
        for k in (3, 5):
            smooth = np.where(f0 > 0, median_filter(np.where(f0 > 0, f0, 0.0), size=k, mode="nearest"), 0.0)
            score(f"med{k}", edit(s, smooth))
        for rel in (0.01, 0.04):
            score(f"rel{rel:g}", edit(s, f0, rel=rel))
        for b in (1.0, 2.5):
            score(f"base{b:g}", edit(s, f0, base=b))
        for fl in (0.2, 0.4):
            score(f"floor{fl:g}", edit(s, f0, floor=fl))
        diagnostic_runs.write(a, rec)
    pipeline._SeparationSteps._combed = plain


if __name__ == "__main__":
    sys.exit(main())
