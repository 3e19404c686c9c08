"""Generalised Wiener filtering with a fractional power (DESIGN.md §1.4).

For each channel ``c``: ``R_c = max(|X_c| - S, 0)``,
``M_c = S^alpha / (S^alpha + R_c^alpha)``, accompaniment ``= (1 - M_c) X_c``
(:class:`core.signal.separation.SeparatorEngine` applies it).
"""

from __future__ import annotations

import numpy as np

#: The paper's fractional power.
ALPHA = 1.3
#: Small constant added to numerator and denominator so silent bins stay finite.
EPS = 1e-12


def wiener_mask(solo_mag: np.ndarray, mix_mag: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Solo mask of one channel.

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]
        Solo magnitude estimate S.
    mix_mag : np.ndarray [shape=(T, F)] or [shape=(T, c, F)]
        Mixture channel magnitude |X_c|; with a channel axis, ``solo_mag`` is broadcast.
    alpha : float
        Fractional power (1.3 in the paper; 2 is the classic Wiener filter).

    Returns
    -------
    np.ndarray, same shape as ``mix_mag``, float32, values in [0, 1]
    """
    s = np.maximum(np.asarray(solo_mag, np.float32), np.float32(0.0))
    if mix_mag.ndim == s.ndim + 1:
        s = s[:, None, :]
    a = np.float32(alpha)
    if alpha == 1:  # S + max(|X| - S, 0) is max(|X|, S): three passes instead of five (docs/SPEED.md)
        sa = s + np.float32(EPS)
        m = np.maximum(mix_mag, s, dtype=np.float32)
        m += np.float32(2 * EPS)
        np.divide(sa, m, out=m)
        return m
    sa = np.power(s, a)
    sa += np.float32(EPS)
    # in place on one buffer: r = max(|X| - S, 0); M = S^a / (S^a + r^a + eps)
    m = np.subtract(mix_mag, s, dtype=np.float32)
    np.maximum(m, np.float32(0.0), out=m)
    np.power(m, a, out=m)
    m += sa
    m += np.float32(EPS)
    np.divide(sa, m, out=m)
    return m
