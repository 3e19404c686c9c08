"""Diagnostic r34d: with rule r32's weights in the product (unvoiced frames at 0.5), short YIN dropouts inside a
note get the flat weight instead of the note's comb. ``bridge<k>``: a run of at most ``k`` unvoiced frames between
two voiced frames whose F0s lie within a semitone takes the F0 before it; ``clean``: the clean solo's F0; ``fill``:
the clean F0 where the clean solo is voiced and YIN is not; ``fix``: the clean F0 where both are voiced and more
than a semitone apart. Paired against the product.

    PYTHONPATH=. python checkpoints/r34/bridge.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r34")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from sieve import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402


def bridge(f0, k):
    out = f0.copy()
    voiced = np.flatnonzero(f0 > 0)
    for i, j in zip(voiced[:-1], voiced[1:]):
        if 1 < j - i <= k + 1 and abs(np.log2(f0[j] / f0[i])) < 1 / 12:
            out[i + 1:j] = f0[i]
    return out


def far(a, b):
    ok = (a > 0) & (b > 0)
    out = np.zeros(a.shape, bool)
    out[ok] = np.abs(np.log2(b[ok] / a[ok])) > 1 / 12
    return out


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        spec = stft(s, pitch_comb.HOP)
        n = spec.shape[0]
        f0 = pitch_comb.frame_f0(s, 0, n)
        c0 = pitch_comb.frame_f0(ref, 0, n)
        rec = {"track": folder.name, "product": global_sdr(ref, edit(s, spec, f0)),
               "clean": global_sdr(ref, edit(s, spec, c0)),
               "fill": global_sdr(ref, edit(s, spec, np.where((f0 <= 0) & (c0 > 0), c0, f0))),
               "fix": global_sdr(ref, edit(s, spec, np.where(far(f0, c0), c0, f0)))}
        for k in (1, 2, 4, 8):
            rec[f"bridge{k}"] = global_sdr(ref, edit(s, spec, bridge(f0, k)))
        line(rec)


if __name__ == "__main__":
    main()
