"""Diagnostic r32c: the product's YIN reads a subharmonic (f0/2 ... f0/5) in most of its wrong frames on the mono
tuning set (r32b). ``sub<T>``: where YIN is voiced at lag L, the shortest lag L/k (k = 2..6, the bottom of the
normalised difference within 3 % of L/k) whose normalised difference lies under ``T`` is taken instead;
``rel<D>``: ... under the value at L plus ``D``. Each also with every unvoiced frame held (r32b's ``hold``).

    PYTHONPATH=. python checkpoints/r32/submult.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r29")
sys.path.insert(0, "checkpoints/r32")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from hold import hold  # noqa: E402
from mono_variants import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch, pitch_comb  # noqa: E402


def cmnd(solo, n):
    """YIN's cumulative-mean-normalised difference ``(n, lags)`` of the comb's frames (as ``f0_hz`` computes it)."""
    hop, w, h = pitch_comb.HOP, pitch.WINDOW, pitch.WINDOW // 2
    x = np.zeros((n - 1) * hop + w)
    m = min(solo.shape[0], x.shape[0] - h)
    x[h:h + m] = solo[:m]  # frame t centred on t hop
    frames = np.lib.stride_tricks.sliding_window_view(x, w)[::hop][:n]
    head = frames[:, :h]
    lo, hi = pitch._lag_range(44100)
    lags = hi + 1
    r = np.fft.irfft(np.fft.rfft(frames, w) * np.conj(np.fft.rfft(head, w)), w)[:, :lags]
    sq = np.concatenate([np.zeros((n, 1)), np.cumsum(frames ** 2, axis=1)], axis=1)
    d = np.maximum(sq[:, h][:, None] + sq[:, h:h + lags] - sq[:, :lags] - 2 * r, 0.0)
    d[:, 0] = 0
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * np.arange(1, lags) / np.maximum(np.cumsum(d[:, 1:], axis=1), 1e-20)
    return dn, lo


def shorter(f0, dn, lo, limit):
    """``f0`` with each voiced frame's lag replaced by the shortest sub-multiple whose dip passes ``limit(value at
    L)``."""
    out = f0.copy()
    for t in np.flatnonzero(f0 > 0):
        L = 44100 / f0[t]
        at = dn[t, int(round(L))] if int(round(L)) < dn.shape[1] else 1.0
        for k in (6, 5, 4, 3, 2):
            c = L / k
            a, b = max(lo, int(c * 0.97)), int(np.ceil(c * 1.03)) + 1
            if b <= a or a >= dn.shape[1]:
                continue
            j = a + int(np.argmin(dn[t, a:b]))
            if dn[t, j] < limit(at):
                out[t] = 44100 / j
                break
    return out


for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
    s = stems.solo
    ref = solo.mean(axis=1)[: s.shape[0]]
    n = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
    f0 = pitch_comb.frame_f0(s, 0, n)
    c0 = pitch_comb.frame_f0(ref, 0, n)
    dn, lo = cmnd(s.astype(np.float64), n)
    rec = {"track": folder.name, "yin": global_sdr(ref, edit(s, f0)), "hold": global_sdr(ref, edit(s, hold(f0, n)))}
    variants = {f"sub{T}": (lambda T: lambda at: T)(T) for T in (0.2, 0.3, 0.4)}
    variants.update({f"rel{D}": (lambda D: lambda at: at + D)(D) for D in (0.05, 0.1, 0.2)})
    for name, limit in variants.items():
        g = shorter(f0, dn, lo, limit)
        rec[name] = global_sdr(ref, edit(s, g))
        rec[name + "_hold"] = global_sdr(ref, edit(s, hold(g, n)))
        both = (g > 0) & (c0 > 0)
        rec[name + "_right"] = round(float((np.abs(12 * np.log2(g[both] / c0[both])) < 0.5).mean()), 3)
    both = (f0 > 0) & (c0 > 0)
    rec["yin_right"] = round(float((np.abs(12 * np.log2(f0[both] / c0[both])) < 0.5).mean()), 3)
    line(rec)
