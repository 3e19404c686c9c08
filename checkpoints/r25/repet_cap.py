"""Diagnostic r25: what repeats is the band's (REPET-SIM as a second opinion beside the network).

A jazz accompaniment repeats (the drums' pattern, the comping's rhythm, the form's chords); a solo seldom does.
REPET-SIM (Rafii and Pardo, 2012) models the repeating background of each frame as the median of the mixture's
most similar frames elsewhere in the track. Here it caps the network: per track, the product's stems (``base``);
then the solo's STFT scaled down wherever it exceeds what the mixture leaves after ``beta`` times the repeating
background, ``|S'| = min(|S|, max(|X| - beta W, 0))`` (``X`` the mixture's mid, ``W`` the background's
magnitude), what that takes out placed at the solo's recorded pan and level and given to the accompaniment:
``cap<beta>``. Only the mixture is read.

    python checkpoints/r25/repet_cap.py data/SET OUT.jsonl [--every 2 --offset 0|1] [--betas 0.5,1]
        [--neighbours 10] [--min-gap-s 1.0]
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

HOP = 1024


def repeating_background(mag: np.ndarray, neighbours: int, min_gap: int) -> np.ndarray:
    """REPET-SIM's background ``W`` [shape=(T, F)] of a magnitude spectrogram ``mag`` [shape=(T, F)]: each frame's
    element-wise median over its ``neighbours`` most similar frames (cosine similarity) at least ``min_gap`` frames
    away, capped by the frame itself."""
    v = mag / np.maximum(np.linalg.norm(mag, axis=1, keepdims=True), 1e-12)
    sim = v @ v.T
    t = np.arange(len(mag))
    sim[np.abs(t[:, None] - t[None]) < min_gap] = -np.inf
    k = min(neighbours, max(1, len(mag) - 2 * min_gap))
    best = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    out = np.empty_like(mag)
    for i in range(0, len(mag), 64):
        out[i:i + 64] = np.median(mag[best[i:i + 64]], axis=1)
    return np.minimum(out, mag)


def main():
    a = diagnostic_runs.arguments(betas="0.5,1", neighbours="10", **{"min-gap-s": "1.0"})
    betas = [float(b) for b in a.betas.split(",")]
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        stems = pipeline.separate(mix, rate, base)
        n = len(stems.solo)
        ref, acc_ref = solo.mean(axis=1)[:n], acc[:n]
        diagnostic_runs.score(rec, "base", ref, acc_ref, stems)
        rec["share_db"] = round(float(stems.solo_share_db), 2)
        spec = stft(stems.solo, HOP)  # (T, F)
        x = np.abs(stft(mix[:n].mean(axis=1), HOP))
        w = repeating_background(x, int(a.neighbours), int(round(float(a.min_gap_s) * rate / HOP)))
        s = np.abs(spec)
        for beta in betas:
            cap = np.maximum(x - beta * w, 0)
            scale = np.where(s > cap, cap / np.maximum(s, 1e-12), 1.0).astype(np.float32)
            solo_e = np.asarray(istft(spec * scale, HOP, n), np.float32).reshape(-1)
            diagnostic_runs.score_edit(rec, f"cap{beta:g}", ref, acc_ref, stems, solo_e)
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
