"""Integrated loudness (ITU-R BS.1770, as pyloudnorm measures it) computed in short pieces.

pyloudnorm filters the whole signal in one ``lfilter`` call, which holds the GIL for
about a second on a long track and would stall the UI. Here the same K-weighting
filters (pyloudnorm's coefficients) run block by block with carried filter state, the
400 ms gating blocks (75 % overlap) are built from 100 ms energies, and ``cancel()`` is
checked between blocks.
"""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.signal import lfilter, lfilter_zi

#: Samples filtered per step.
BLOCK = 32768


def integrated_loudness(x: np.ndarray, rate: int, cancel=None) -> float:
    """Gated integrated loudness in LUFS (``-inf`` for silence or signals shorter than 400 ms).

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)]
    rate : int
        Sample rate in Hz.
    """
    x = np.asarray(x, np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n, channels = x.shape
    hop = int(round(0.1 * rate))
    if n < 4 * hop:
        return float("-inf")
    stages = [(f.b, f.a, f.passband_gain) for f in pyloudnorm.Meter(rate)._filters.values()]
    states = [[lfilter_zi(b, a) * 0.0 for b, a, _ in stages] for _ in range(channels)]
    energy = np.zeros(n // hop)  # channel-weighted energy per 100 ms (BS.1770 weights are 1 for L and R)
    carry = np.zeros(0)
    done = 0
    for start in range(0, n, BLOCK):
        if cancel is not None and cancel():
            return float("-inf")
        block = x[start:start + BLOCK]
        sq = np.zeros(block.shape[0])
        for ch in range(channels):
            y = block[:, ch]
            for k, (b, a, gain) in enumerate(stages):
                y, states[ch][k] = lfilter(b, a, y, zi=states[ch][k])
                y = y * gain
            sq += y * y
        sq = np.concatenate([carry, sq])
        whole = (sq.shape[0] // hop) * hop
        k = min(whole // hop, energy.shape[0] - done)
        energy[done:done + k] = sq[: k * hop].reshape(k, hop).sum(axis=1)
        done += k
        carry = sq[whole:]
    blocks = np.convolve(energy[:done], np.ones(4), mode="valid") / (4 * hop)  # 400 ms blocks, 100 ms step
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(blocks)
    gated = blocks[loud >= -70.0]
    if gated.size == 0:
        return float("-inf")
    rel = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    final = blocks[(loud > rel) & (loud > -70.0)]
    return float(-0.691 + 10 * np.log10(final.mean())) if final.size else float("-inf")
