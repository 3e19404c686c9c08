"""Diagnostic r38: is the drums' leak into the solo what a harmonic/percussive split can take out? Per track of a set
(read as rendered, and read in mono as r9 does), the product's stems (``base``), then the solo with its percussive
share turned down: the share from a median-filter split (Fitzgerald 2010) of the separated solo's own spectrogram
(``solo<beta>``, ``solo_hard``) or of the mixture's mid (``mix<beta>``); what the solo loses goes to the
accompaniment at the solo's recorded pan and level (the stems still add up).

    python checkpoints/r38/percussive.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import sys
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

HOP = 1024
#: Median kernels: 17 frames (0.4 s) along time, 17 bins (180 Hz) along frequency.
TIME_K, FREQ_K = 17, 17


def percussive_share(mag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(soft share P^2 / (H^2 + P^2), P > 2 H) of a magnitude spectrogram (T, F)."""
    h = median_filter(mag, size=(TIME_K, 1), mode="nearest")
    p = median_filter(mag, size=(1, FREQ_K), mode="nearest")
    soft = p ** 2 / np.maximum(h ** 2 + p ** 2, 1e-20)
    return soft.astype(np.float32), (p > 2 * h).astype(np.float32)


def weighted(solo: np.ndarray, w: np.ndarray) -> np.ndarray:
    spec = stft(solo, HOP)
    return solo - np.asarray(istft(spec * (1 - w), HOP, solo.shape[0]), np.float32).reshape(-1)


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        ref = solo.mean(axis=1)
        for reading, x in (("", mix), ("mono_", mix.mean(axis=1, keepdims=True))):
            stems = pipeline.separate(x, rate, base)
            ref_acc = acc if not reading else np.repeat(acc.mean(axis=1, keepdims=True), 2, axis=1)
            diagnostic_runs.score(rec, reading + "base", ref, ref_acc, stems)
            s = stems.solo
            soft_s, hard_s = percussive_share(np.abs(stft(s, HOP)))
            soft_m, _ = percussive_share(np.abs(stft(x.mean(axis=1), HOP)))
            edits = {"solo0.5": 1 - 0.5 * soft_s, "solo1": 1 - soft_s, "solo_hard": 1 - hard_s,
                     "mix0.5": 1 - 0.5 * soft_m, "mix1": 1 - soft_m}
            for label, w in edits.items():
                diagnostic_runs.score_edit(rec, reading + label, ref, ref_acc, stems, weighted(s, w))
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
