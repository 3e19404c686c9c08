"""Generalised Wiener filtering with a fractional power (DESIGN.md §1.4).

For each channel ``c``: ``R_c = max(|X_c| - S, 0)``,
``M_c = S^alpha / (S^alpha + R_c^alpha)``, accompaniment ``= (1 - M_c) X_c``.
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
    s = np.asarray(solo_mag, np.float32)
    if mix_mag.ndim == s.ndim + 1:
        s = s[:, None, :]
    s = np.maximum(s, 0.0)
    r = np.maximum(mix_mag - s, 0.0)
    sa = np.power(s, np.float32(alpha)) + np.float32(EPS)
    ra = np.power(r, np.float32(alpha))
    return (sa / (sa + ra + np.float32(EPS))).astype(np.float32)


def split_accompaniment(mix_spec: np.ndarray, solo_mag: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Accompaniment spectra, keeping each mixture channel's phase.

    Parameters
    ----------
    mix_spec : np.ndarray [shape=(T, c, F), dtype=complex]
        Mixture STFT per channel.
    solo_mag : np.ndarray [shape=(T, F)]
        Solo magnitude estimate.

    Returns
    -------
    np.ndarray [shape=(T, c, F), dtype=complex64]
        ``(1 - M_c) X_c``; the solo part is ``M_c X_c`` and the two add up to the mixture.
    """
    mask = wiener_mask(solo_mag, np.abs(mix_spec), alpha)
    return ((1.0 - mask) * mix_spec).astype(np.complex64)
