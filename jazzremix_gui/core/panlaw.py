"""Constant-power pan law (DESIGN.md §1.7) and the pan and gain ranges, for every caller.

``g_L = cos(theta + 45 deg)``, ``g_R = sin(theta + 45 deg)``: -45 deg is hard left,
0 deg is centre (0.707, 0.707), +45 deg is hard right, and ``g_L^2 + g_R^2 = 1``.
The array form (:func:`pan_gains`) serves offline rendering; the scalar form
(:func:`pan_gains_scalar`, pure ``math``) serves the audio callback. Pan and gain are
clamped (:func:`clamp_pan`, :func:`clamp_gain`) or checked (:func:`check_pan_gain`) here only.
"""

from __future__ import annotations

import math

import numpy as np

#: Pan range in degrees.
PAN_MIN_DEG, PAN_MAX_DEG = -45.0, 45.0
#: Linear solo gain range (mute .. +6 dB).
GAIN_MIN, GAIN_MAX = 0.0, 2.0


def clamp_pan(pan_deg: float) -> float:
    """Pan angle limited to [-45, 45] degrees (NaN stays NaN)."""
    return min(max(pan_deg, PAN_MIN_DEG), PAN_MAX_DEG)


def clamp_gain(gain: float) -> float:
    """Linear gain limited to [0, 2] (NaN stays NaN)."""
    return min(max(gain, GAIN_MIN), GAIN_MAX)


def check_pan_gain(pan_deg, gain, what: str) -> tuple[float, float]:
    """``(pan, gain)`` as floats, or ValueError naming ``what`` when either is out of range or not finite."""
    pan, g = float(pan_deg), float(gain)
    if not (np.isfinite(pan) and np.isfinite(g)) or not PAN_MIN_DEG <= pan <= PAN_MAX_DEG \
            or not GAIN_MIN <= g <= GAIN_MAX:
        raise ValueError(f"{what}: pan must be in {PAN_MIN_DEG:g}..{PAN_MAX_DEG:g} deg and gain in "
                         f"{GAIN_MIN:g}..{GAIN_MAX:g}, got {pan}, {g}")
    return pan, g


def pan_gains_scalar(pan_deg: float) -> tuple[float, float]:
    """:func:`pan_gains` of one angle with ``math`` only (no array: safe in the audio callback)."""
    theta = math.radians(clamp_pan(pan_deg) + 45.0)
    return math.cos(theta), math.sin(theta)


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
