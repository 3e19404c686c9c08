"""Diagnostic r39: the mono comb's YIN on the separated solo at half the rate (22.05 kHz, soxr; hop 512, window
1024: the same frame times), a speed idea (half of YIN's work), against the product's comb; per track of a set read
in mono (r9's reading), the solo's and accompaniment's SDR of each.

    python checkpoints/r39/yin_half_rate.py data/SET 0|1 OUT.jsonl
"""
import sys
from pathlib import Path

import numpy as np
import soxr

from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal import pitch, pitch_comb
from jazzremix_gui.core.signal.stft import frame_count, istft, stft

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def f0_half_rate(solo: np.ndarray, n_frames: int) -> np.ndarray:
    """YIN's F0 of frames centred on t x 1024 samples (44.1 kHz), read on the solo at 22.05 kHz."""
    half = soxr.resample(solo.astype(np.float64), 44100, 22050)
    x = np.concatenate([np.zeros(512), half, np.zeros(2048)])  # frame t: samples t 512 - 512 .. + 512 at 22.05 kHz
    old = pitch.WINDOW, pitch._HALF
    pitch.WINDOW, pitch._HALF = 1024, 512
    try:
        return pitch.f0_hz(x, 512, n_frames, 22050)
    finally:
        pitch.WINDOW, pitch._HALF = old


def combed(solo, f0):
    spec = stft(solo, pitch_comb.HOP)
    w = pitch_comb.weights(f0)
    return (solo - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, solo.shape[0]), np.float32).reshape(-1))


def main(argv):
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(argv):
        ref, ref_acc = solo.mean(axis=1), acc.mean(axis=1)
        s, mix = stems.solo, stems.solo + stems.accompaniment.mean(axis=1)
        n = frame_count(s.shape[0], pitch_comb.HOP)
        rec = {"track": folder.name}
        for name, f0 in (("product", pitch_comb.frame_f0(s, 0, n)), ("half_rate", f0_half_rate(s, n))):
            e = combed(s, f0)
            rec[name] = [global_sdr(ref, e), global_sdr(ref_acc, mix - e)]
            rec[name + "_voiced"] = float(np.mean(f0 > 0))
        line(rec)
        print(folder.name, rec["product"][0], rec["half_rate"][0], flush=True)


if __name__ == "__main__":
    main(sys.argv)
