"""Per-part timbre augmentation: every instrument gets its own colour and its own room.

A General-MIDI soundfont has one sample set per instrument, so a separator trained on
two or three soundfonts can learn the samples rather than the instrument. Before the
mixdown each rendered part (solo, bass, comping, drums, horns) gets, each with its own
random draw:

* a random spectral tilt (-3..+3 dB per octave around 1 kHz) and one to three
  resonances (peaks or notches of -8..+8 dB, a third to a whole octave wide), applied as
  one zero-phase frequency response;
* a slight detune (-12..+12 cents, by resampling) or a chorus (a second voice with a
  slowly modulated 8-25 ms delay) for pitched parts;
* a room of its own (decaying-noise impulse response, RT60 0.15-1.2 s, 5-35 % wet).

All steps are linear in the part's signal and happen before parts are summed into the
stems, so ``mixture = solo + accompaniment`` is untouched.
"""
from __future__ import annotations

import numpy as np

from .degrade import resample_at, reverb, room_ir

RATE = 44100


def _r(x, nd=3):
    return round(float(x), nd)


def colour_response(n_fft: int, rng, rate: int = RATE, scale: float = 1.0) -> tuple[np.ndarray, dict]:
    """Magnitude response (``n_fft // 2 + 1`` bins) of a tilt and 1-3 resonances.

    ``scale`` multiplies the ranges of the tilt (-3..+3 dB per octave) and of the
    resonance gains (-8..+8 dB); the result is clipped to -24..+18 dB.
    """
    f = np.fft.rfftfreq(n_fft, 1.0 / rate)
    octs = np.log2(np.maximum(f, 20.0) / 1000.0)
    tilt = rng.uniform(-3.0, 3.0) * scale
    db = tilt * octs
    res = []
    for _ in range(int(rng.integers(1, 4))):
        fc, gain, width = (np.exp(rng.uniform(np.log(150), np.log(8000))), rng.uniform(-8, 8) * scale,
                           rng.uniform(0.33, 1.0))
        db = db + gain * np.exp(-0.5 * ((octs - np.log2(fc / 1000.0)) / (width / 2)) ** 2)
        res.append({"hz": _r(fc, 1), "db": _r(gain, 2), "octaves": _r(width)})
    db = np.clip(db, -24.0, 18.0)
    return 10 ** (db / 20), {"tilt_db_per_octave": _r(tilt, 2), "resonances": res}


def apply_response(x: np.ndarray, mag: np.ndarray, n_fft: int) -> np.ndarray:
    """Zero-phase filtering of ``x`` (n, 2) by ``mag`` over the whole signal (zero padded)."""
    spec = np.fft.rfft(x, n=n_fft, axis=0)
    return np.fft.irfft(spec * mag[:, None], n=n_fft, axis=0)[: len(x)]


def detune(x: np.ndarray, cents: float) -> np.ndarray:
    """Play ``x`` (n, 2) faster or slower by ``cents`` (same length; silence past the end)."""
    n = len(x)
    pos = np.arange(n) * 2 ** (cents / 1200.0)
    y = resample_at(x, np.minimum(pos, n - 1))
    y[pos > n - 1] = 0.0
    return y


def chorus(x: np.ndarray, rng, rate: int = RATE) -> tuple[np.ndarray, dict]:
    """``x + mix * x(t - d(t))`` with a slowly modulated delay ``d``; ``x`` (n, 2)."""
    n = len(x)
    base, depth, lfo, wet = rng.uniform(0.008, 0.025), rng.uniform(0.0005, 0.003), rng.uniform(0.2, 1.5), rng.uniform(0.2, 0.5)
    t = np.arange(n) / rate
    d = base + depth * np.sin(2 * np.pi * lfo * t + rng.uniform(0, 6.3))
    pos = np.clip((t - d) * rate, 0, n - 1)
    y = (x + wet * resample_at(x, pos)) / (1 + wet)
    return y, {"delay_s": _r(base, 4), "depth_s": _r(depth, 4), "rate_hz": _r(lfo), "wet": _r(wet)}


def augment_part(x: np.ndarray, pitched: bool, rng, strength: float = 1.0) -> tuple[np.ndarray, list[dict]]:
    """Colour, detune/chorus and room for one rendered part.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (n, 2) float32/64, one part as FluidSynth rendered it.
    pitched : bool
        False for drums (no detune or chorus).
    rng : numpy.random.Generator
    strength : float
        Probability scale of every step (0 = unchanged).

    Returns
    -------
    y : numpy.ndarray
        Shape (n, 2) float64.
    steps : list of dict
        What was applied (``type`` key), for meta.json.
    """
    y = x.astype(np.float64)
    steps: list[dict] = []
    u = rng.random(4)
    if u[0] < 0.7 * strength:
        n_fft = 1 << int(np.ceil(np.log2(len(y) + 4096)))
        mag, info = colour_response(n_fft, rng)
        y = apply_response(y, mag, n_fft)
        steps.append({"type": "colour", **info})
    if pitched and u[1] < 0.35 * strength:
        cents = rng.uniform(-12, 12)
        y = detune(y, cents)
        steps.append({"type": "detune", "cents": _r(cents, 2)})
    elif pitched and u[1] < 0.55 * strength:
        y, info = chorus(y, rng)
        steps.append({"type": "chorus", **info})
    if u[2] < 0.6 * strength:
        rt60, pre, wet = rng.uniform(0.15, 1.2), rng.uniform(0.0, 0.02), rng.uniform(0.05, 0.35)
        y = reverb(y, room_ir(rng, rt60, pre, mono=False), wet)
        steps.append({"type": "room", "rt60_s": _r(rt60), "predelay_s": _r(pre), "wet": _r(wet)})
    return y, steps
