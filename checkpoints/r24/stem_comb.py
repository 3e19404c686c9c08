"""Diagnostic r24: the solo's partials from the pitch of the separated solo itself (no engineer, no training).

r2 found that a harmonic comb of the clean solo's F0 tells a mask a lot (8.3 dB from the comb alone, mid only), and
that the pitch head's F0 is too often wrong to use. Here the F0 comes from YIN (``training.pitch.f0_hz``) on the
shipped separator's own solo stem, where the solo dominates. Per track, the product's stems (``base``); then the solo
stem's STFT times ``floor + (1 - floor) comb(f0)`` in the frames YIN calls voiced (the rest untouched), what that
takes out of the solo placed at its recorded pan and level and given to the accompaniment (the stems still add up
to what they did): ``stem<floor>``; the same with the clean solo's F0 (``clean<floor>``: what a perfect pitch would
give through this edit).

    python checkpoints/r24/stem_comb.py data/SET OUT.jsonl [--every 2 --offset 0|1] [--floors 0,0.3]
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session
from jazzremix_gui.training.pitch import f0_hz

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

HOP, BIN_HZ = 1024, 44100 / 4096
BINS = np.arange(2049)


def comb(f0: np.ndarray, rel: float = 0.02) -> np.ndarray:
    """(T, 2049) harmonic comb of per-frame F0 (Hz, 0 = none): max over harmonics of Gaussians in bins."""
    out = np.zeros((f0.size, 2049), np.float32)
    for t, f in enumerate(f0):
        if f <= 0:
            continue
        c = np.arange(1, int(16000 / f) + 1) * f / BIN_HZ
        s = np.sqrt(1.5 ** 2 + (c * rel) ** 2)
        out[t] = np.exp(-0.5 * ((BINS[:, None] - c[None]) / s[None]) ** 2).max(axis=1)
    return out


def pitch(x: np.ndarray, frames: int) -> np.ndarray:
    """F0 (Hz, 0 unvoiced) of mono ``x`` at each STFT frame (frame t centred on sample t hop, as r2 aligns it)."""
    return f0_hz(np.concatenate([np.zeros(HOP), x.astype(np.float64)]), HOP, frames)


def main():
    a = diagnostic_runs.arguments(floors="0,0.3")
    floors = [float(f) for f in a.floors.split(",")]
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        stems = pipeline.separate(mix, rate, base)
        n = len(stems.solo)
        ref, acc_ref = solo.mean(axis=1)[:n], acc[:n]
        diagnostic_runs.score(rec, "base", ref, acc_ref, stems)
        spec = stft(stems.solo, HOP)  # (T, 2049)
        f0s = {"stem": pitch(stems.solo, spec.shape[0]), "clean": pitch(ref, spec.shape[0])}
        rec["voiced"] = {k: round(float((v > 0).mean()), 3) for k, v in f0s.items()}
        for label, f0 in f0s.items():
            c = comb(f0)
            voiced = (f0 > 0)[:, None]
            for floor in floors:
                m = np.where(voiced, floor + (1 - floor) * c, 1.0).astype(np.float32)
                solo_e = np.asarray(istft(spec * m, HOP, n), np.float32).reshape(-1)
                diagnostic_runs.score_edit(rec, f"{label}{floor:g}", ref, acc_ref, stems, solo_e)
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
