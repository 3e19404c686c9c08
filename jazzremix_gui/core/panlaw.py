"""Constant-power pan law (DESIGN.md §1.7).

``g_L = cos(theta + 45 deg)``, ``g_R = sin(theta + 45 deg)``: -45 deg is hard left,
0 deg is centre (0.707, 0.707), +45 deg is hard right, and ``g_L^2 + g_R^2 = 1``.
"""

from __future__ import annotations

import numpy as np

#: Pan range in degrees.
PAN_MIN_DEG, PAN_MAX_DEG = -45.0, 45.0


def pan_gains(pan_deg):
    """Left and right gains for a pan angle.

    Parameters
    ----------
    pan_deg : float or np.ndarray
        Pan angle(s) in degrees, clipped to [-45, 45].

    Returns
    -------
    (g_left, g_right) : tuple of float or np.ndarray, same shape as ``pan_deg``
    """
    theta = np.radians(np.clip(pan_deg, PAN_MIN_DEG, PAN_MAX_DEG) + 45.0)
    return np.cos(theta), np.sin(theta)


def pan_mono(solo: np.ndarray, pan_deg, gain) -> np.ndarray:
    """Place a mono signal in the stereo image.

    Parameters
    ----------
    solo : np.ndarray [shape=(n,)]
    pan_deg, gain : float or np.ndarray [shape=(n,)]
        Pan angle in degrees and linear gain, constant or per sample.

    Returns
    -------
    np.ndarray [shape=(n, 2), dtype=float32]
        ``[gain g_L solo, gain g_R solo]``.
    """
    g_l, g_r = pan_gains(pan_deg)
    out = np.empty((solo.shape[0], 2), np.float32)
    out[:, 0] = solo * (gain * g_l)
    out[:, 1] = solo * (gain * g_r)
    return out


def pan_from_gains(g_left: float, g_right: float) -> float:
    """Pan angle (degrees) whose constant-power gains have the ratio ``g_right / g_left``."""
    return float(np.degrees(np.arctan2(g_right, g_left)) - 45.0)
