"""Damage that real transfers of old jazz show, beyond :mod:`.degrade`: 78 rpm surface
noise, broadcast bandwidth, tape hiss and tape dropouts.

Applied after :func:`.degrade.degrade`, keeping ``mixture = solo + accompaniment``:
the broadcast band-pass is linear and applied to both stems; a dropout is a gain curve
``g[n]`` applied to both stems; surface noise and hiss are added to the accompaniment
(as the other noises are), so a separator learns to leave them out of the solo.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

RATE = 44100


def _rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x)) + 1e-20))


def _r(x, nd=3):
    return round(float(x), nd)


def broadcast_sos(rng, rate: int = RATE) -> tuple[np.ndarray, dict]:
    """Steep band-pass of an AM broadcast or transcription chain (8th order)."""
    lo, hi = rng.uniform(100, 300), rng.uniform(3000, 5500)
    sos = butter(4, [lo / (rate / 2), hi / (rate / 2)], btype="band", output="sos")
    return sos, {"low_hz": _r(lo, 1), "high_hz": _r(hi, 1), "order": 8}


def dropout_gain(n: int, rng, rate: int = RATE) -> tuple[np.ndarray, dict]:
    """Gain curve (n, 1) with 1-6 tape dropouts of 30-300 ms, -6..-25 dB, smooth edges."""
    g = np.ones(n)
    events = []
    for _ in range(int(rng.integers(1, 7))):
        dur, depth = rng.uniform(0.03, 0.3), rng.uniform(-25, -6)
        c = rng.uniform(0, n / rate)
        t = (np.arange(n) / rate - c) / (dur / 2)
        shape = np.exp(-0.5 * t ** 6 * 4)               # flat bottom, smooth edges
        g *= 1 - (1 - 10 ** (depth / 20)) * shape
        events.append({"at_s": _r(c, 2), "dur_s": _r(dur), "depth_db": _r(depth, 1)})
    return g[:, None], {"dropouts": events}


def surface_noise(n: int, ch: int, rng, level_rms: float, rate: int = RATE) -> tuple[np.ndarray, dict]:
    """78 rpm surface noise: band-limited noise pulsing with the rotation, a once-per-turn
    click (a scratch) and low rumble; shape (n, ch), RMS ``level_rms``."""
    rpm = rng.uniform(76, 80)
    rot = rpm / 60.0
    t = np.arange(n) / rate
    w = rng.standard_normal((n, ch))
    w = sosfilt(butter(2, [rng.uniform(500, 1500) / (rate / 2), rng.uniform(5000, 9000) / (rate / 2)],
                       btype="band", output="sos"), w, axis=0)
    w *= (1 + rng.uniform(0.2, 0.7) * np.sin(2 * np.pi * rot * t + rng.uniform(0, 6.3)))[:, None]
    w /= _rms(w)
    clicks = np.zeros((n, ch))
    phase = rng.uniform(0, 1 / rot)
    at = (np.arange(phase, n / rate, 1 / rot) * rate).astype(int)
    clicks[at[at < n], :] = rng.uniform(8, 25)
    clicks = lfilter(np.exp(-np.arange(40) / 6.0), [1.0], clicks, axis=0)
    rumble = sosfilt(butter(2, 40 / (rate / 2), output="sos"), rng.standard_normal((n, ch)), axis=0)
    rumble *= rng.uniform(0.3, 1.0) / _rms(rumble)
    noise = w + clicks + rumble
    return noise / _rms(noise) * level_rms, {"rpm": _r(rpm, 2)}


def tape_hiss(n: int, ch: int, rng, level_rms: float, rate: int = RATE) -> np.ndarray:
    """Tape hiss: white noise with a gentle high shelf (first-order high-pass blended in)."""
    h = rng.standard_normal((n, ch))
    h = h + 2.0 * sosfilt(butter(1, 3000 / (rate / 2), "high", output="sos"), h, axis=0)
    return h / _rms(h) * level_rms


def old_media(solo: np.ndarray, acc: np.ndarray, mono: bool, rng, strength: float = 1.0
              ) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Apply the old-media damage with random parameters.

    Parameters
    ----------
    solo, acc : numpy.ndarray
        Shape (n, 2) float64 stems after :func:`.degrade.degrade`.
    mono : bool
        The track was collapsed to mono (noises are then mono too).
    rng : numpy.random.Generator
    strength : float
        Probability scale (0 = nothing).

    Returns
    -------
    solo, acc : numpy.ndarray
        Shape (n, 2) float64.
    steps : list of dict
    """
    n = len(solo)
    steps: list[dict] = []
    u = rng.random(4)
    if u[0] < 0.15 * strength:
        sos, info = broadcast_sos(rng)
        solo, acc = sosfilt(sos, solo, axis=0), sosfilt(sos, acc, axis=0)
        steps.append({"type": "broadcast_band", **info})
    if u[1] < 0.15 * strength:
        g, info = dropout_gain(n, rng)
        solo, acc = solo * g, acc * g
        steps.append({"type": "tape_dropouts", **info})
    mix_rms = _rms(solo + acc)
    ch = 1 if mono else 2
    noise = np.zeros((n, ch))
    if u[2] < 0.25 * strength:
        db = rng.uniform(-36, -16)
        s, info = surface_noise(n, ch, rng, mix_rms * 10 ** (db / 20))
        noise += s
        steps.append({"type": "surface_noise_78rpm", "level_db": _r(db, 2), **info})
    if u[3] < 0.25 * strength:
        db = rng.uniform(-48, -26)
        noise += tape_hiss(n, ch, rng, mix_rms * 10 ** (db / 20))
        steps.append({"type": "tape_hiss", "level_db": _r(db, 2)})
    if steps and noise.any():
        acc = acc + (np.repeat(noise, 2, axis=1) if mono else noise)
    return solo, acc, steps
