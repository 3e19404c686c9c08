"""Diagnostic r32d: what the mono comb should do where YIN calls the separated solo unvoiced (r32b: holding the
nearest voiced frame's F0 there gains +0.2 dB a track). ``fwd``: the last voiced frame's F0 carried forward only
(what a stream can do; frames before the first voiced one untouched); ``flat<g>``: unvoiced frames weighted by ``g``
everywhere; ``fwd_flat<g>``: ``fwd``, and ``g`` where nothing was voiced yet. Paired against the product (``yin``).

    PYTHONPATH=. python checkpoints/r32/unvoiced.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r29")
sys.path.insert(0, "checkpoints/r32")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from hold import hold  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import istft, stft  # noqa: E402


def forward(f0):
    idx = np.arange(f0.shape[0])
    last = np.maximum.accumulate(np.where(f0 > 0, idx, -1))
    return np.where((f0 <= 0) & (last >= 0), f0[np.maximum(last, 0)], f0)


def edit(solo, f0, unvoiced=1.0):
    """``solo`` with the product's weights of ``f0``, and ``unvoiced`` where ``f0`` is 0."""
    n = solo.shape[0]
    spec = stft(solo, pitch_comb.HOP)
    w = pitch_comb.weights(f0)
    w[np.asarray(f0) <= 0] = unvoiced
    return (solo - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, n), np.float32).reshape(-1))


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        n = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
        f0 = pitch_comb.frame_f0(s, 0, n)
        rec = {"track": folder.name, "yin": global_sdr(ref, edit(s, f0)), "hold": global_sdr(ref, edit(s, hold(f0, n))),
               "fwd": global_sdr(ref, edit(s, forward(f0)))}
        for g in (0.3, 0.5, 0.7):
            rec[f"flat{g}"] = global_sdr(ref, edit(s, f0, g))
            rec[f"fwd_flat{g}"] = global_sdr(ref, edit(s, forward(f0), g))
        line(rec)


if __name__ == "__main__":
    main()
