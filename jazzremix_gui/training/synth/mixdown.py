"""Mixdown of rendered parts: pan positions, levels and the solo's activity.

Pan law (DESIGN.md §1.7, constant power): ``g_L = cos(theta + 45 deg)``,
``g_R = sin(theta + 45 deg)``; -45 deg is hard left, 0 centre, +45 hard right.

Levels: every part is first normalised to unit RMS, then scaled by its random level. The
solo level ``solo_level_db`` is ``20 log10(RMS of the solo's mono source over its active
spans / RMS of the accompaniment's mid over the whole track)``, before degradations.

Solo-level profiles (``--level-profile``), both one uniform draw ``u`` of the mix generator,
so a track differs between profiles only in its solo level:

- ``wide``: uniform in -8 .. +8 dB (``synth-1.0``'s draw, bit for bit).
- ``real`` (default): a normal of mean :data:`REAL_LEVEL_MEAN_DB` and deviation
  :data:`REAL_LEVEL_SD_DB` truncated at +-:data:`REAL_LEVEL_TRUNC` deviations (inverse CDF
  of ``u``), calibrated on the nine real small-group segments of ``../shared/real-jazz``
  (``scripts/calibrate_solo_level.py``, results in ``docs/solo_level_calibration.json``): their
  recorded balance ``L(solo) - L(accompaniment)`` (BS.1770 over the solo's active spans),
  measured on the shipped separator's stems and corrected by the separator's median bias on
  24 synthetic tracks with known stems (-2.1 LU: it under-estimates the solo), is 1.4 LU on
  average with a spread of 3.9 LU, of which 2.8 LU is the separator's own error, leaving
  sqrt(3.9^2 - 2.8^2) = 2.8 LU. On synthetic tracks the balance is
  1.04 * solo_level_db - 0.98 LU with a residual spread of 1.8 LU (arrangement, reverb,
  degradations), so a level of N(2.3, 2.1) dB gives balances of about N(1.4, 2.8) LU.
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d

RATE = 44100

#: The ``real`` solo-level profile (dB): mean, deviation and truncation in deviations (see above).
REAL_LEVEL_MEAN_DB, REAL_LEVEL_SD_DB, REAL_LEVEL_TRUNC = 2.3, 2.1, 2.5
LEVEL_PROFILES = ("real", "wide")


def solo_level_db(rng: np.random.Generator, profile: str = "real") -> float:
    """Draw the solo level (dB, see the module docstring) with one uniform draw of ``rng``."""
    if profile == "wide":
        return round(float(rng.uniform(-8, 8)), 3)
    if profile != "real":
        raise ValueError(f"unknown solo-level profile '{profile}' (real or wide)")
    from scipy.special import ndtr, ndtri

    lo, hi = ndtr(-REAL_LEVEL_TRUNC), ndtr(REAL_LEVEL_TRUNC)
    z = float(ndtri(lo + (hi - lo) * rng.random()))
    return round(REAL_LEVEL_MEAN_DB + REAL_LEVEL_SD_DB * z, 3)


def pan_gains(pan_deg: float) -> tuple[float, float]:
    """Constant-power gains ``(g_L, g_R)`` for a pan angle in degrees (-45..45)."""
    th = np.deg2rad(pan_deg + 45.0)
    return float(np.cos(th)), float(np.sin(th))


def gains_to_pan(g_left: float, g_right: float) -> float:
    """Inverse of :func:`pan_gains` (degrees) for non-negative gains."""
    return float(np.rad2deg(np.arctan2(g_right, g_left)) - 45.0)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


def activity(mono: np.ndarray, rate: int = RATE, floor_db: float = -45.0, min_gap: float = 0.3,
             min_len: float = 0.08) -> list[list[float]]:
    """Spans where a signal sounds.

    Parameters
    ----------
    mono : numpy.ndarray
        Shape (n,), the solo's mono source.
    floor_db : float
        Frames (1024 samples, hop 512) quieter than the loudest frame by more than this
        are silent.
    min_gap, min_len : float
        Gaps shorter than ``min_gap`` seconds are bridged; spans shorter than ``min_len``
        seconds dropped.

    Returns
    -------
    list of [float, float]
        ``[start, end]`` in seconds, sorted, disjoint.
    """
    hop = 512
    n = len(mono) // hop
    if n == 0:
        return []
    fr = np.sqrt(np.mean(np.square(mono[: n * hop].reshape(n, hop), dtype=np.float64), axis=1))
    fr = np.maximum(fr, np.concatenate([fr[1:], [0.0]]))
    if fr.max() <= 0:
        return []
    on = fr > fr.max() * 10 ** (floor_db / 20)
    gap = int(round(min_gap * rate / hop))
    size = 2 * (gap // 2) + 1                       # closing: dilate, then erode
    on = maximum_filter1d(on.astype(np.uint8), size=size) > 0
    on = ~(maximum_filter1d((~on).astype(np.uint8), size=size) > 0)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(np.int8), [0]])))
    spans = []
    for a, b in zip(edges[::2], edges[1::2]):
        s, e = a * hop / rate, min(b * hop, len(mono)) / rate
        if e - s >= min_len:
            spans.append([round(s, 3), round(e, 3)])
    return spans


def mix(solo_render: np.ndarray, acc_renders: dict[str, np.ndarray], rng: np.random.Generator,
        level_profile: str = "real") -> tuple[np.ndarray, np.ndarray, dict]:
    """Place the solo and the accompaniment parts in the stereo field.

    Parameters
    ----------
    solo_render : numpy.ndarray
        Shape (n, 2), the solo as FluidSynth rendered it.
    acc_renders : dict of str to numpy.ndarray
        Part name -> render, shape (n, 2) each.
    rng : numpy.random.Generator
    level_profile : {'real', 'wide'}
        Distribution of the solo level (module docstring).

    Returns
    -------
    solo : numpy.ndarray
        Shape (n, 2) float64, the panned solo.
    acc : numpy.ndarray
        Shape (n, 2) float64, the accompaniment.
    info : dict
        ``pan_deg``, ``solo_level_db``, ``activity`` and per-part ``accompaniment_mix``.
    """
    n = solo_render.shape[0]
    acc = np.zeros((n, 2))
    parts_info = {}
    for name, x in acc_renders.items():
        r = _rms(x)
        if r < 1e-7:
            continue
        x = x.astype(np.float64) / r
        if name == "drums":
            level = rng.uniform(-6, 0)
            width = rng.uniform(0.3, 1.0)
            mid, side = (x[:, 0] + x[:, 1]) / 2, (x[:, 0] - x[:, 1]) / 2 * width
            bal = rng.uniform(-20, 20)
            gl, gr = pan_gains(bal)
            y = np.stack([(mid + side) * gl, (mid - side) * gr], axis=1) * np.sqrt(2)
            parts_info[name] = {"level_db": round(level, 2), "pan_deg": round(bal, 1), "width": round(width, 3)}
        else:
            spread = 15.0 if name == "bass" else 40.0
            pan = rng.uniform(-spread, spread)
            level = rng.uniform(-3, 3) if name == "bass" else rng.uniform(-8, 0)
            gl, gr = pan_gains(pan)
            m = x.mean(axis=1)
            y = np.stack([m * gl, m * gr], axis=1) * np.sqrt(2)
            parts_info[name] = {"level_db": round(level, 2), "pan_deg": round(pan, 1)}
        acc += y * 10 ** (level / 20)
    acc_rms = _rms(acc.mean(axis=1))
    solo_mono = solo_render.astype(np.float64).mean(axis=1)
    spans = activity(solo_mono)
    active = np.zeros(n, bool)
    for s, e in spans:
        active[int(s * RATE): int(e * RATE)] = True
    solo_rms = _rms(solo_mono[active]) if active.any() else _rms(solo_mono)
    level_db = solo_level_db(rng, level_profile)
    solo_mono *= acc_rms / max(solo_rms, 1e-9) * 10 ** (level_db / 20)
    pan = 0.0 if rng.random() < 0.2 else round(float(rng.uniform(-45, 45)), 3)
    gl, gr = pan_gains(pan)
    solo = np.stack([solo_mono * gl, solo_mono * gr], axis=1)
    info = {"pan_deg": pan, "solo_level_db": level_db, "activity": spans,
            "accompaniment_mix": parts_info}
    return solo, acc, info
