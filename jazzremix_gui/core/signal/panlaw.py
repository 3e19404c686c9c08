"""Constant-power pan law (DESIGN.md §1.7) and the pan and gain ranges, for every caller.

``g_L = cos(theta + 45 deg)``, ``g_R = sin(theta + 45 deg)``: -45 deg is hard left,
0 deg is centre (0.707, 0.707), +45 deg is hard right, and ``g_L^2 + g_R^2 = 1``.
The array form (:func:`pan_gains`) serves offline rendering; the scalar form
(:func:`pan_gains_scalar`, pure ``math``) serves the audio callback. Pan and gain are
clamped (:func:`clamp_pan`, :func:`clamp_gain`) or checked (:func:`check_pan_gain`) here only.


The gain convention "gain 1.0 = as recorded": the remix places the mono solo estimate ``s`` as
(see ``docs/ARCHITECTURE.md``)::

    remix = [k gain g_L(pan) s,  k gain g_R(pan) s] + accompaniment

where ``k`` is the recording's *solo level*, ``k = sqrt((E_L + E_R) / E_mid)``, with
``E_c`` the energy of the solo as it sits in input channel ``c`` and ``E_mid`` the energy
of ``s``. Then gain 1.0 keeps the solo exactly as loud as recorded (BS.1770 sums channel
powers, so at any pan), and the codebook's 0.0 .. 2.0 reads mute .. +6 dB relative to the
recording. A mono recording (or a centred solo) has ``k = sqrt(2)``: pan 0, gain 1.0 gives
the input back. :func:`solo_weights` and :func:`place_solo` are the one place this is
computed; the pipeline, the playback renderer, exports and the UI all use them.
"""

from __future__ import annotations

import math

import numpy as np

#: Pan range in degrees.
PAN_MIN_DEG, PAN_MAX_DEG = -45.0, 45.0
#: Solo gain range relative to the recording (mute .. +6 dB).
GAIN_MIN, GAIN_MAX = 0.0, 2.0
#: Solo level of a mono recording or a centred solo; also the value used when it is unknown.
SOLO_LEVEL_DEFAULT = math.sqrt(2.0)
#: Range the solo level is clamped to (sqrt(2) centred .. 2 hard-panned).
SOLO_LEVEL_MIN, SOLO_LEVEL_MAX = math.sqrt(2.0), 2.0


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
    held = _held_runs(pan_deg)
    if held is not None:  # per-sample automation holds each value for a section: the law once per run
        values, lengths = held
        g_l, g_r = pan_gains(values)
        return np.repeat(g_l, lengths), np.repeat(g_r, lengths)
    theta = np.radians(np.clip(pan_deg, PAN_MIN_DEG, PAN_MAX_DEG) + 45.0)
    return np.cos(theta), np.sin(theta)


def _held_runs(x):
    """``(values, lengths)`` of the runs of equal values of a long 1-D array that changes in at most one sample
    in 16 (a section held between ramps); None otherwise (a scalar, a short array, a moving one)."""
    if not isinstance(x, np.ndarray) or x.ndim != 1 or x.shape[0] < 1024:
        return None
    starts = np.flatnonzero(x[1:] != x[:-1]) + 1
    if starts.size > x.shape[0] // 16:
        return None
    starts = np.concatenate([[0], starts])
    return x[starts], np.diff(np.append(starts, x.shape[0]))


def solo_level(e_left: float, e_right: float, e_mid: float) -> float:
    """The recording's solo level ``k = sqrt((E_L + E_R) / E_mid)``, clamped to [sqrt(2), 2].

    Parameters
    ----------
    e_left, e_right : float
        Energy of the solo as it sits in the left and right input channels (any common scale).
    e_mid : float
        Energy of the mono solo estimate, same scale.

    Returns
    -------
    float
        :data:`SOLO_LEVEL_DEFAULT` when the energies are zero or not finite (silence).
    """
    total = e_left + e_right
    if not (math.isfinite(total) and math.isfinite(e_mid)) or e_mid <= 1e-20 or total <= 1e-20:
        return SOLO_LEVEL_DEFAULT
    return min(max(math.sqrt(total / e_mid), SOLO_LEVEL_MIN), SOLO_LEVEL_MAX)


def solo_weights(pan_deg, gain, level: float = SOLO_LEVEL_DEFAULT):
    """Left and right weights of the mono solo in the remix: ``k gain g_L(pan)``, ``k gain g_R(pan)``.

    Parameters
    ----------
    pan_deg, gain : float or np.ndarray [shape=(n,)]
        Pan (degrees) and gain relative to the recording (1.0 = as recorded), constant or per sample.
    level : float
        The recording's solo level ``k`` (:attr:`Stems.solo_level`).

    Returns
    -------
    (w_left, w_right) : float or np.ndarray, same shape as the inputs
        Plain floats for scalar inputs (no allocation: safe in the audio callback).
    """
    if isinstance(pan_deg, float | int) and isinstance(gain, float | int):
        g_l, g_r = pan_gains_scalar(float(pan_deg))
    else:
        g_l, g_r = pan_gains(pan_deg)
    scale = level * gain
    return scale * g_l, scale * g_r


def place_solo(solo: np.ndarray, pan_deg, gain, level: float = SOLO_LEVEL_DEFAULT) -> np.ndarray:
    """The mono solo placed in the stereo image under the gain convention.

    Parameters
    ----------
    solo : np.ndarray [shape=(n,)]
    pan_deg, gain : float or np.ndarray [shape=(n,)]
        Pan in degrees and gain relative to the recording, constant or per sample.
    level : float
        The recording's solo level ``k``.

    Returns
    -------
    np.ndarray [shape=(n, 2), dtype=float32]
        ``[w_L solo, w_R solo]`` with the weights of :func:`solo_weights`.
    """
    w_l, w_r = solo_weights(pan_deg, gain, level)
    out = np.empty((solo.shape[0], 2), np.float32)
    out[:, 0] = solo * w_l
    out[:, 1] = solo * w_r
    return out


def pan_mono(solo: np.ndarray, pan_deg, gain) -> np.ndarray:
    """The bare pan law ``[gain g_L solo, gain g_R solo]`` (``k = 1``; the labels of ``policy-1.0`` use it)."""
    return place_solo(solo, pan_deg, gain, 1.0)


def pan_from_gains(g_left: float, g_right: float) -> float:
    """Pan angle (degrees) whose constant-power gains have the ratio ``g_right / g_left``."""
    return float(np.degrees(np.arctan2(g_right, g_left)) - 45.0)


def pan_text(pan: float) -> str:
    """A pan in degrees as the app and the side chosen by pitch say it: ``-30`` -> ``30° L``, ``0`` -> ``C``,
    ``12.5`` -> ``12.5° R``."""
    if abs(pan) < 0.05:
        return "C"
    return f"{abs(pan):.1f}".rstrip("0").rstrip(".") + f"° {'L' if pan < 0 else 'R'}"
