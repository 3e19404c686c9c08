"""Diagnostic r34b: YIN's input high-passed (the band's bass under the separated solo sets periods of its own, a
cause of the subharmonics r32 found): the mono solo's F0 read from the solo filtered above ``hp<Hz>`` (4th-order
Butterworth, both ways), the comb and rule r32's weights applied to the unfiltered solo. Paired against the
product; ``right``: the share of frames both call voiced within a semitone of the clean solo's F0; ``voiced``.

    PYTHONPATH=. python checkpoints/r34/highpass.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np
from scipy.signal import butter, sosfiltfilt

sys.path.insert(0, "checkpoints/r34")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from sieve import edit, right  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        spec = stft(s, pitch_comb.HOP)
        n = spec.shape[0]
        f0 = pitch_comb.frame_f0(s, 0, n)
        c0 = pitch_comb.frame_f0(ref, 0, n)
        rec = {"track": folder.name, "product": global_sdr(ref, edit(s, spec, f0)), "product_right": right(f0, c0),
               "product_voiced": round(float((f0 > 0).mean()), 3)}
        for hz in (100, 200, 400):
            x = sosfiltfilt(butter(4, hz, "highpass", fs=44100, output="sos"), s.astype(np.float64))
            g = pitch_comb.frame_f0(x, 0, n)
            rec[f"hp{hz}"] = global_sdr(ref, edit(s, spec, g))
            rec[f"hp{hz}_right"] = right(g, c0)
            rec[f"hp{hz}_voiced"] = round(float((g > 0).mean()), 3)
        line(rec)


if __name__ == "__main__":
    main()
