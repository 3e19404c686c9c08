"""Diagnostic r34e: rule r32's weight of the unvoiced frames, by band: ``lo<g>_hi<h>``: bins under 1 kHz weighted
``g``, above ``h`` (the product: 0.5 everywhere), voiced frames as the product. Paired against the product, the
tuning set read in mono.

    PYTHONPATH=. python checkpoints/r34/unvoiced_bands.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402

from jazzremix_gui.core.constants import MODEL_RATE, N_BINS, N_FFT
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal import pitch_comb
from jazzremix_gui.core.signal.stft import istft, stft

SPLIT = int(1000 / (MODEL_RATE / N_FFT))


def edited(solo, spec, f0, lo, hi):
    w = pitch_comb.weights(f0)
    un = np.asarray(f0) <= 0
    w[np.ix_(un, np.arange(SPLIT))] = lo
    w[np.ix_(un, np.arange(SPLIT, N_BINS))] = hi
    return solo - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, solo.shape[0]), np.float32).reshape(-1)


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        spec = stft(s, pitch_comb.HOP)
        f0 = pitch_comb.frame_f0(s, 0, spec.shape[0])
        rec = {"track": folder.name, "product": global_sdr(ref, edited(s, spec, f0, 0.5, 0.5))}
        for lo, hi in ((0.3, 0.5), (0.5, 0.3), (0.3, 0.7), (0.7, 0.3), (0.3, 0.3), (0.5, 1.0), (1.0, 0.5)):
            rec[f"lo{lo}_hi{hi}"] = global_sdr(ref, edited(s, spec, f0, lo, hi))
        line(rec)


if __name__ == "__main__":
    main()
