"""Diagnostic r40, step 1: what a pitch network for the separated mono solo reads and learns from. Each track of
SET read in mono (r9's reading: the channels averaged) and separated by the shipped separator without the mono comb
(as the comb hears it); saved as ``OUT/<track>.npz``: the magnitudes of the separated solo, of the mid and of the
true accompaniment's mid (``(T, K)`` float16, the comb's frames: hop 1024, 4096-point STFT, bins under 10 kHz),
YIN's F0 of the separated solo (``yin``, Hz) and of the clean solo (``clean``, the label; Hz, 0 unvoiced).

    PYTHONPATH=. python checkpoints/r40/features.py data/SET OUT_DIR [--every 2 --offset 0|1]
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, "checkpoints")
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks, read_track  # noqa: E402
from jazzremix_gui.core.models import without_mono_comb  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402
from jazzremix_gui.training.adapt import teacher_session  # noqa: E402

K = 930  # bins under 10 kHz (10.77 Hz a bin)


def mags(x):
    return np.abs(stft(np.asarray(x, np.float32), pitch_comb.HOP))[:, :K]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--offset", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    base = without_mono_comb(teacher_session("models/separator.onnx", None, 1))
    for folder in list_tracks(a.set)[a.offset::a.every]:
        dest = out / (folder.name + ".npz")
        if dest.exists():
            continue
        mix, solo, acc, rate = read_track(folder)
        assert rate == 44100
        mid = mix.mean(axis=1)
        s = pipeline.separate(mid[:, None], rate, base).solo
        S = mags(s)
        n = S.shape[0]
        ref = solo.mean(axis=1)
        tmp = out / (folder.name + ".tmp.npz")
        np.savez(tmp, solo=S.astype(np.float16), mix=mags(mid).astype(np.float16),
                 acc=mags(acc.mean(axis=1)).astype(np.float16),
                 yin=pitch_comb.frame_f0(s, 0, n), clean=pitch_comb.frame_f0(ref, 0, n))
        tmp.rename(dest)
        print(folder.name, n, flush=True)


if __name__ == "__main__":
    main()
