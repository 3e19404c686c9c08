"""Integrated loudness (ITU-R BS.1770, as pyloudnorm measures it) computed in short pieces.

pyloudnorm filters the whole signal in one ``lfilter`` call, which holds the GIL for
about a second on a long track and would stall the UI. Here the same K-weighting
filters (pyloudnorm's coefficients) run block by block with carried filter state, the
400 ms gating blocks (75 % overlap) are built from 100 ms energies, and ``cancel()`` is
checked between blocks.
"""

from __future__ import annotations

import functools
import math

import numpy as np

#: Samples filtered per step.
BLOCK = 32768
#: BS.1770 K-weighting as pyloudnorm's ``Meter`` builds it (RBJ cookbook biquads, passband gain 1):
#: (gain dB, Q, corner Hz, shape) of the high shelf, then the high pass.
K_STAGES = ((4.0, 1 / math.sqrt(2), 1500.0, "high_shelf"), (0.0, 0.5, 38.0, "high_pass"))


@functools.lru_cache(maxsize=8)
def k_weighting(rate: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The two K-weighting biquads at ``rate``: pyloudnorm's coefficients, computed here without scipy.

    Returns
    -------
    tuple of (b, a)
        ``b``, ``a``: np.ndarray [shape=(3,), dtype=float64], normalised to ``a[0] = 1``.
    """
    stages = []
    for gain_db, q, fc, shape in K_STAGES:
        big_a = 10 ** (gain_db / 40.0)
        w0 = 2.0 * math.pi * fc / rate
        cos, alpha, root = math.cos(w0), math.sin(w0) / (2.0 * q), 2 * math.sqrt(big_a)
        if shape == "high_shelf":
            b = [big_a * ((big_a + 1) + (big_a - 1) * cos + root * alpha), -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
                 big_a * ((big_a + 1) + (big_a - 1) * cos - root * alpha)]
            a = [(big_a + 1) - (big_a - 1) * cos + root * alpha, 2 * ((big_a - 1) - (big_a + 1) * cos),
                 (big_a + 1) - (big_a - 1) * cos - root * alpha]
        else:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
            a = [1 + alpha, -2 * cos, 1 - alpha]
        stages.append((np.array(b) / a[0], np.array(a) / a[0]))
    return tuple(stages)


def k_weighting_power(freqs: np.ndarray, rate: int) -> np.ndarray:
    """Power response ``|H(f)|^2`` of the K-weighting (both stages) at ``freqs`` Hz, ``(len(freqs),)`` float64."""
    z = np.exp(-2j * np.pi * np.asarray(freqs, np.float64) / rate)
    power = np.ones(z.shape)
    for b, a in k_weighting(rate):
        power *= np.abs(np.polyval(b[::-1], z) / np.polyval(a[::-1], z)) ** 2
    return power


def integrated_loudness(x: np.ndarray, rate: int, cancel=None) -> float:
    """Gated integrated loudness in LUFS (``-inf`` for silence or signals shorter than 400 ms).

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)]
    rate : int
        Sample rate in Hz.
    """
    x = np.asarray(x)  # float64 block by block below: no full-length copy (2.5 GB for an hour of stereo)
    if x.ndim == 1:
        x = x[:, None]
    n, channels = x.shape
    hop = int(round(0.1 * rate))
    if n < 4 * hop:
        return float("-inf")
    from scipy.signal import lfilter

    stages = k_weighting(rate)
    states = [[np.zeros(2) for _ in stages] for _ in range(channels)]
    energy = np.zeros(n // hop)  # channel-weighted energy per 100 ms (BS.1770 weights are 1 for L and R)
    carry = np.zeros(0)
    done = 0
    for start in range(0, n, BLOCK):
        if cancel is not None and cancel():
            return float("-inf")
        block = np.asarray(x[start:start + BLOCK], np.float64)
        sq = np.zeros(block.shape[0])
        for ch in range(channels):
            y = block[:, ch]
            for k, (b, a) in enumerate(stages):
                y, states[ch][k] = lfilter(b, a, y, zi=states[ch][k])
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
