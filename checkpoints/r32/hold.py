"""Diagnostic r32b: the mono comb's unvoiced frames given the F0 of the nearest voiced frame within ``k`` frames
(``hold<k>``: the last one before, else the first after; ``k`` 0 = the product), and what the product's wrong F0s
are (the interval to the clean solo's F0 in frames both call voiced, counted in semitone bins).

    PYTHONPATH=. python checkpoints/r32/hold.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r29")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from mono_variants import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402

HOLDS = (2, 4, 8, 16, 32, 10000)


def hold(f0, k):
    """Unvoiced frames take the F0 of the last voiced frame at most ``k`` before, else the first at most ``k``
    after."""
    n = f0.shape[0]
    idx = np.arange(n)
    v = f0 > 0
    last = np.maximum.accumulate(np.where(v, idx, -1))
    nxt = np.minimum.accumulate(np.where(v, idx, n)[::-1])[::-1]
    out = f0.copy()
    use_last = ~v & (last >= 0) & (idx - last <= k)
    out[use_last] = f0[last[use_last]]
    use_next = ~v & ~use_last & (nxt < n) & (nxt - idx <= k)
    out[use_next] = f0[nxt[use_next]]
    return out


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        n = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
        f0 = pitch_comb.frame_f0(s, 0, n)
        c0 = pitch_comb.frame_f0(ref, 0, n)
        rec = {"track": folder.name, "yin": global_sdr(ref, edit(s, f0))}
        for k in HOLDS:
            rec[f"hold{k}"] = global_sdr(ref, edit(s, hold(f0, k)))
        both = (f0 > 0) & (c0 > 0)
        semis = np.rint(12 * np.log2(f0[both] / c0[both])).astype(int)
        rec["intervals"] = {int(i): int(c) for i, c in zip(*np.unique(semis, return_counts=True))}
        line(rec)


if __name__ == "__main__":
    main()
