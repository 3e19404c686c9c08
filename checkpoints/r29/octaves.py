"""Diagnostic r29b: octave errors in the mono comb's pitch. Per track of a set read in mono (r9's reading), paired
against the product's comb: the comb of f0 / 2 (keeps every partial even when YIN reads an octave too high), the
larger of comb(f0) and half of comb(f0 / 2), and the clean solo's F0 (the headroom), each with the product's floor.

    python checkpoints/r29/octaves.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal import pitch_comb
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def edited(solo, c, voiced):
    w = pitch_comb.FLOOR + (1 - pitch_comb.FLOOR) * c
    w[~voiced] = 1.0
    spec = stft(solo, pitch_comb.HOP)
    return solo - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, solo.shape[0]), np.float32).reshape(-1)


def octave_fixed(f0, power, rho):
    """``f0`` doubled in the frames whose odd multiples of it hold under ``rho`` times the energy of its even ones
    (YIN read a subharmonic: the partials lie at the even multiples only). ``power``: the solo's |STFT|^2 (T, F)."""
    out = f0.copy()
    bin_hz = pitch_comb.MODEL_RATE / pitch_comb.N_FFT
    for t in np.flatnonzero(f0 > 0):
        k = np.arange(1, int(8000 / f0[t]) + 1)
        bins = np.rint(k * f0[t] / bin_hz).astype(int)
        e = np.array([power[t, max(b - 1, 0):b + 2].sum() for b in bins])
        odd, even = e[0::2].sum(), e[1::2].sum()
        if even > 0 and odd < rho * even:
            out[t] = 2 * f0[t]
    return out


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    pipeline._SeparationSteps._combed = lambda self, solo, acc, x, last: (solo, acc, x)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        ref, acc_ref = solo.mean(axis=1), acc.mean(axis=1)
        stems = pipeline.separate(mix.mean(axis=1, keepdims=True), rate, base)
        s, am = stems.solo, stems.accompaniment.mean(axis=1)
        frames = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
        f0 = pitch_comb.frame_f0(s, 0, frames)
        v = f0 > 0

        def score(key, e):
            rec[key] = [global_sdr(ref, e), global_sdr(acc_ref, am + (s - e))]
        score("plain", s)
        score("product", pitch_comb.comb_solo(s))
        score("half", edited(s, pitch_comb.comb(f0 / 2), v))
        score("union", edited(s, np.maximum(pitch_comb.comb(f0), 0.5 * pitch_comb.comb(f0 / 2)), v))
        power = np.abs(stft(s, pitch_comb.HOP)) ** 2
        for rho in (0.1, 0.2, 0.35):
            score(f"fix{rho:g}", edited(s, pitch_comb.comb(octave_fixed(f0, power, rho)), v))
        clean = pitch_comb.frame_f0(ref[: s.shape[0]], 0, frames)
        score("clean", edited(s, pitch_comb.comb(clean), clean > 0))
        both = v & (clean > 0)
        ratio = f0[both] / clean[both]
        rec["octave_up"] = round(float(np.mean(ratio > 1.5)), 3) if both.any() else 0.0
        rec["octave_down"] = round(float(np.mean(ratio < 0.67)), 3) if both.any() else 0.0
        rec["voiced_not_clean"] = round(float(np.mean(v & (clean <= 0))), 3)
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
