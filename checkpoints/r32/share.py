"""Diagnostic r32f: the share of the separated solo's energy in frames YIN calls unvoiced, per track
(``unvoiced_share``, with r28's comb ``yin`` and r32's ``flat0.5`` scored), to see whether a per-recording guard
(no turn-down where much of the solo is unvoiced: polyphonic, plucked or reverberant solos, as on five of the nine
real segments) keeps r32's gain.

    PYTHONPATH=. python checkpoints/r32/share.py data/SET 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r32")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from unvoiced import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        n = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
        f0 = pitch_comb.frame_f0(s, 0, n)
        e = (np.abs(stft(s, pitch_comb.HOP)) ** 2).sum(axis=1)
        rec = {"track": folder.name, "unvoiced_share": round(float(e[f0 <= 0].sum() / e.sum()), 4)}
        for name, g in (("yin", 1.0), ("flat0.5", 0.5)):
            rec[name] = global_sdr(ref, edit(s, f0, g))
        line(rec)


if __name__ == "__main__":
    main()
