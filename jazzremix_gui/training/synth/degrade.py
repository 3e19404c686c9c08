"""Old-recording degradations that keep ``mixture = solo + accompaniment`` exact.

How the identity is kept
------------------------
* Linear steps (mono collapse / narrow stereo, room reverb, band-limiting, wow and
  flutter) are linear operators ``L``; they are applied identically to both stems, so
  ``L(s) + L(a) = L(s + a)`` up to float rounding.
* Nonlinear steps (compression, tape/valve saturation) are computed on the mixture
  ``m = s + a`` as a time-varying gain ``g[n, c]`` (``f(m) = g * m``; for saturation
  ``g = tanh(k m) / (k m)``, for compression a smoothed gain-reduction curve) and the same
  gain multiplies both stems: ``g s + g a = f(m)``. The solo stem therefore carries the
  solo exactly as it sits in the degraded mixture.
* Noises (hiss, crackle and clicks, hum) are added to the accompaniment only.
At the end the caller forms the mixture as the float32 sum of the float32 stems, so the
written files satisfy the identity sample for sample.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import butter, fftconvolve, lfilter, sosfilt

RATE = 44100


def _rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x)) + 1e-20))


def _r(x, nd=3):
    return round(float(x), nd)


def stereo_width(x: np.ndarray, width: float) -> np.ndarray:
    """Scale the side signal: 0 = mono collapse, 1 = unchanged. ``x`` shape (n, 2)."""
    mid = (x[:, 0] + x[:, 1]) * 0.5
    side = (x[:, 0] - x[:, 1]) * 0.5 * width
    return np.stack([mid + side, mid - side], axis=1)


def room_ir(rng, rt60: float, predelay: float, mono: bool, rate: int = RATE) -> np.ndarray:
    """Seeded room impulse response: exponentially decaying noise, shape (k, 2)."""
    n = int(rt60 * rate)
    t = np.arange(n) / rate
    env = np.exp(-6.9 * t / rt60)
    noise = rng.standard_normal((n, 1 if mono else 2))
    b, a = butter(1, 6000 / (rate / 2))                      # air absorption
    ir = lfilter(b, a, noise * env[:, None], axis=0)
    ir /= np.sqrt(np.sum(ir ** 2, axis=0, keepdims=True))
    ir = np.concatenate([np.zeros((int(predelay * rate), ir.shape[1])), ir])
    return np.repeat(ir, 2, axis=1) if mono else ir


def reverb(x: np.ndarray, ir: np.ndarray, wet: float) -> np.ndarray:
    """``(1 - wet) x + wet (x * ir)`` per channel, same length as ``x`` (n, 2)."""
    y = np.stack([fftconvolve(x[:, c], ir[:, c])[: len(x)] for c in range(2)], axis=1)
    return (1 - wet) * x + wet * y


def band_sos(era: str, rng, rate: int = RATE) -> tuple[np.ndarray, dict]:
    """Band-limiting filter (second-order sections) for a recording era."""
    if era == "acoustic":          # horn recording, ~1900-1925
        lo, hi, order = rng.uniform(180, 350), rng.uniform(2500, 4000), 4
    elif era == "electrical":      # microphone + disc, ~1925-1950
        lo, hi, order = rng.uniform(50, 120), rng.uniform(5000, 8500), 3
    else:                          # early tape / LP
        lo, hi, order = rng.uniform(30, 60), rng.uniform(10000, 15000), 2
    sos = butter(order, [lo / (rate / 2), hi / (rate / 2)], btype="band", output="sos")
    return sos, {"era": era, "low_hz": _r(lo, 1), "high_hz": _r(hi, 1), "order": order}


def wow_flutter_positions(n: int, rng, rate: int = RATE) -> tuple[np.ndarray, dict]:
    """Read positions (samples, shape (n,)) of a speed-modulated playback."""
    t = np.arange(n) / rate
    fw, dw = rng.uniform(0.3, 1.2), rng.uniform(0.0005, 0.003)      # wow: rate Hz, speed depth
    ff, df = rng.uniform(5, 12), rng.uniform(0.0001, 0.0006)        # flutter
    pw, pf = rng.uniform(0, 2 * np.pi, 2)
    delay = dw / (2 * np.pi * fw) * np.sin(2 * np.pi * fw * t + pw) + df / (2 * np.pi * ff) * np.sin(2 * np.pi * ff * t + pf)
    pos = np.clip((t + delay - delay[0]) * rate, 0, n - 1)
    return pos, {"wow_hz": _r(fw), "wow_depth": _r(dw, 5), "flutter_hz": _r(ff), "flutter_depth": _r(df, 5)}


def resample_at(x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Linear interpolation of each channel of ``x`` (n, 2) at fractional ``pos`` (n,)."""
    i = np.floor(pos).astype(np.int64)
    i1 = np.minimum(i + 1, len(x) - 1)
    f = (pos - i)[:, None]
    return x[i] * (1 - f) + x[i1] * f


def compressor_gain(m: np.ndarray, thr_db: float, ratio: float, tau: float, rate: int = RATE) -> np.ndarray:
    """Gain curve (n, 1) of an RMS compressor computed on the mixture ``m`` (n, 2)."""
    p = np.mean(m ** 2, axis=1)
    a = np.exp(-1.0 / (tau * rate))
    env = np.sqrt(np.maximum(lfilter([1 - a], [1, -a], p), 1e-20))
    thr = 10 ** (thr_db / 20) * np.max(env)
    g = np.where(env > thr, (env / thr) ** (1.0 / ratio - 1.0), 1.0)
    return g[:, None]


def saturation_gain(m: np.ndarray, drive: float) -> np.ndarray:
    """Per-sample gain (n, 2) such that ``gain * m = tanh(drive m) / drive``."""
    z = drive * m
    safe = np.where(np.abs(z) < 1e-6, 1.0, z)
    return np.where(np.abs(z) < 1e-6, 1.0, np.tanh(safe) / safe)


def _noises(n: int, rng, mix_rms: float, mono: bool, out: list, rate: int = RATE) -> np.ndarray:
    ch = 1 if mono else 2
    noise = np.zeros((n, ch))
    if rng.random() < 0.4:                                              # hiss
        db = rng.uniform(-50, -28)
        h = rng.standard_normal((n, ch))
        h = sosfilt(butter(1, rng.uniform(1500, 4000) / (rate / 2), "high", output="sos"), h, axis=0)
        noise += h / _rms(h) * mix_rms * 10 ** (db / 20)
        out.append({"type": "hiss", "level_db": _r(db, 2)})
    if rng.random() < 0.35:                                             # crackle + clicks
        rate_hz, db = rng.uniform(5, 60), rng.uniform(-30, -12)
        k = rng.poisson(rate_hz * n / rate)
        at = rng.integers(0, n, k)
        amp = rng.pareto(3.0, k) * mix_rms * 10 ** (db / 20) * rng.choice([-1, 1], k)
        imp = np.zeros((n, ch))
        imp[at, :] = amp[:, None] if mono else amp[:, None] * rng.uniform(0.5, 1.0, (k, 2))
        kern = np.exp(-np.arange(24) / rng.uniform(2, 6))
        noise += lfilter(kern, [1.0], imp, axis=0)
        out.append({"type": "crackle", "rate_hz": _r(rate_hz, 1), "level_db": _r(db, 2)})
    if rng.random() < 0.2:                                              # mains hum
        f0, db = float(rng.choice([50.0, 60.0])), rng.uniform(-50, -30)
        t = np.arange(n) / rate
        hum = sum(a * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.3)) for h, a in ((1, 1), (2, 0.5), (3, 0.3), (5, 0.1)))
        noise += (hum / _rms(hum) * mix_rms * 10 ** (db / 20))[:, None]
        out.append({"type": "hum", "freq_hz": f0, "level_db": _r(db, 2)})
    return np.repeat(noise, 2, axis=1) if mono else noise


def degrade(solo: np.ndarray, acc: np.ndarray, rng: np.random.Generator, strength: float = 1.0
            ) -> tuple[np.ndarray, np.ndarray, list[dict], float]:
    """Apply a random chain of degradations.

    Parameters
    ----------
    solo, acc : numpy.ndarray
        Shape (n, 2) float64 stems, 44.1 kHz.
    rng : numpy.random.Generator
    strength : float
        Probability scale of every step (0 = clean, 1 = default mix of clean and old).

    Returns
    -------
    solo, acc : numpy.ndarray
        Degraded stems, shape (n, 2) float64; their sum is the degraded mixture.
    steps : list of dict
        The steps applied, in order, with their parameters (``type`` key).
    width : float
        Stereo width applied (0 = mono, 1 = full), to compute the solo's effective pan.
    """
    n = len(solo)
    steps: list[dict] = []
    width = 1.0
    u = rng.random(8)                              # one draw per step keeps choices independent
    if u[7] < 0.12:                                # some tracks stay clean studio mixes
        return solo, acc, steps, width
    if u[0] < 0.18 * strength:
        width = 0.0
        steps.append({"type": "mono_collapse"})
    elif u[0] < 0.33 * strength:
        width = _r(rng.uniform(0.1, 0.6))
        steps.append({"type": "narrow_stereo", "width": width})
    if width != 1.0:
        solo, acc = stereo_width(solo, width), stereo_width(acc, width)
    mono = width == 0.0
    if u[1] < 0.5 * strength:
        rt60, pre, wet = rng.uniform(0.3, 1.8), rng.uniform(0.0, 0.03), rng.uniform(0.08, 0.35)
        ir = room_ir(rng, rt60, pre, mono)
        solo, acc = reverb(solo, ir, wet), reverb(acc, ir, wet)
        steps.append({"type": "room_reverb", "rt60_s": _r(rt60), "predelay_s": _r(pre), "wet": _r(wet)})
    if u[2] < 0.45 * strength:
        era = str(rng.choice(["acoustic", "electrical", "tape"], p=[0.3, 0.45, 0.25]))
        sos, info = band_sos(era, rng)
        solo, acc = sosfilt(sos, solo, axis=0), sosfilt(sos, acc, axis=0)
        steps.append({"type": "band_limit", **info})
    if u[3] < 0.3 * strength:
        pos, info = wow_flutter_positions(n, rng)
        solo, acc = resample_at(solo, pos), resample_at(acc, pos)
        steps.append({"type": "wow_flutter", **info})
    if u[4] < 0.3 * strength:
        thr, ratio, tau = rng.uniform(-18, -6), rng.uniform(2, 6), rng.uniform(0.02, 0.2)
        g = compressor_gain(solo + acc, thr, ratio, tau)
        solo, acc = solo * g, acc * g
        steps.append({"type": "compression", "threshold_db": _r(thr, 2), "ratio": _r(ratio, 2), "tau_s": _r(tau)})
    if u[5] < 0.3 * strength:
        m = solo + acc
        drive = rng.uniform(0.8, 2.5) / max(np.max(np.abs(m)), 1e-9)
        g = saturation_gain(m, drive)
        solo, acc = solo * g, acc * g
        steps.append({"type": "saturation", "drive_x_peak": _r(drive * np.max(np.abs(m)))})
    mix_rms = _rms(solo + acc)
    extra: list[dict] = []
    if u[6] < strength:
        acc = acc + _noises(n, rng, mix_rms, mono, extra)
    steps.extend(extra)
    return solo, acc, steps, width
