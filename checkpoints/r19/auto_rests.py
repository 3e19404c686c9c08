"""Diagnostic r19: can the separator's own stems say where the solo rests, for r18's edit without the engineer?

Per track: the shipped separator's stems; the solo's energy against the recording's (mids, 46 ms frames, a moving
mean over ``--smooth`` seconds); a rest is a stretch of at least 0.5 s where that ratio stays under ``T`` dB (for
each ``T`` of ``--thresholds``), shrunk by 50 ms at each end; r18's edit (``core.signal.solo_rests``) silences
the solo there. Recorded: the SDRs (``base``; ``auto_T``), the share of the track called a rest, and how much of
it lies in the phrases (``meta.json``'s activity: a rest called where the solo plays).

    python checkpoints/r19/auto_rests.py data/SET OUT.jsonl [--every 2 --offset 0|1] [--thresholds -30,-25,-20]
"""
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import solo_rests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

HOP, LEAST_S, MARGIN_S = 2048, 0.5, 0.05


def ratio_db(solo: np.ndarray, mix: np.ndarray, rate: int, smooth_s: float) -> np.ndarray:
    """Per frame of ``HOP`` samples: 10 log10 of the solo's energy over the recording mid's, smoothed."""
    n = len(solo) // HOP
    e_s = (solo[: n * HOP].reshape(n, HOP).astype(np.float64) ** 2).sum(axis=1)
    e_m = (mix[: n * HOP].mean(axis=1).reshape(n, HOP).astype(np.float64) ** 2).sum(axis=1)
    k = max(1, int(round(smooth_s * rate / HOP)))
    kernel = np.full(k, 1.0 / k)
    e_s, e_m = np.convolve(e_s, kernel, "same"), np.convolve(e_m, kernel, "same")
    return 10 * np.log10((e_s + 1e-12) / (e_m + 1e-12))


def detected(ratio: np.ndarray, threshold: float, rate: int) -> list[tuple[float, float]]:
    """Stretches under ``threshold`` of at least ``LEAST_S`` (after the margins), in seconds."""
    low = np.concatenate([[False], ratio < threshold, [False]])
    edges = np.flatnonzero(np.diff(low.astype(np.int8)))
    spans = []
    for a, b in zip(edges[0::2], edges[1::2]):
        start, end = a * HOP / rate + MARGIN_S, b * HOP / rate - MARGIN_S
        if end - start >= LEAST_S:
            spans.append((start, end))
    return spans


def in_phrases(spans, meta: dict) -> float:
    """Seconds of ``spans`` inside the solo's phrases."""
    return float(sum(max(0.0, min(b, d) - max(a, c)) for a, b in spans for c, d in meta["activity"]))


def main():
    a = diagnostic_runs.arguments(thresholds="-30,-25,-20,-15", smooth="0.5")
    for t in diagnostic_runs.taught(a):
        meta = json.loads((Path(a.set) / t.rec["track"] / "meta.json").read_text())
        n = len(t.teacher.solo)
        ratio = ratio_db(t.teacher.solo, t.mix[:n], t.rate, float(a.smooth))
        for th in (float(x) for x in a.thresholds.split(",")):
            spans = detected(ratio, th, t.rate)
            name = f"auto{th:g}"
            keep = solo_rests.keep_curve(spans, 0, n, t.rate)
            solo, acc = solo_rests.silence_block(t.teacher.solo, t.teacher.accompaniment, t.mix[:n], keep)
            diagnostic_runs.score(t.rec, name, t.ref, t.acc, pipeline.Stems(solo, acc, t.rate))
            t.rec[name + "_called_s"] = round(solo_rests.silenced_seconds(spans), 2)
            t.rec[name + "_wrong_s"] = round(in_phrases(spans, meta), 2)
        diagnostic_runs.write(a, t.rec)


if __name__ == "__main__":
    sys.exit(main())
