"""A solo voice that is not a soundfont: additive synthesis from the part's notes (separator v3, #21).

Every soundfont the project trains on is a set of recorded samples, and a separator trained on
them learns those recordings (docs/SEPARATOR_V3.md: more steps on them lower the unseen
figures). This voice draws a new instrument per track instead: a harmonic series whose
amplitudes follow a random spectral envelope (a tilt and one to three resonances, the
synthesiser's :func:`.timbre.colour_response` read at each harmonic), a random share of the
even harmonics (from clarinet-like to brass-like), an attack and a release, vibrato with a
delayed onset, pitch bends from the part, and breath noise shaped by the same envelope. The
validation set's FM soundfont stays unseen (it is a different synthesis and a validation-only
file).

Returns the same ``(n, 2)`` float32 array as :func:`.render.render_part` (the voice is mono,
the mixdown pans it).
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.training.synth.timbre import colour_response
from jazzremix_gui.training.synth.timing import Part

RATE = 44100
#: Harmonics at most (and never above 20 kHz).
MAX_HARMONICS = 40
_N_FFT = 8192


def draw_voice(rng: np.random.Generator) -> dict:
    """The random instrument of one track: envelope, harmonics, articulation, vibrato, breath."""
    mag, colour = colour_response(_N_FFT, rng, RATE, scale=2.0)
    return {"mag": mag, "colour": colour, "tilt_per_harmonic_db": float(rng.uniform(-9.0, -2.0)),
            "even": float(rng.uniform(0.05, 1.0)), "attack_s": float(rng.uniform(0.01, 0.08)),
            "release_s": float(rng.uniform(0.03, 0.15)), "vibrato_hz": float(rng.uniform(4.0, 6.5)),
            "vibrato_cents": float(rng.uniform(0.0, 30.0)), "vibrato_delay_s": float(rng.uniform(0.1, 0.4)),
            "breath_db": float(rng.uniform(-45.0, -20.0))}


def describe(voice: dict) -> dict:
    """What meta.json records of a voice (its envelope as drawn, not the response array)."""
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in voice.items() if k != "mag"}


def _bend_semitones(part: Part, t: np.ndarray) -> np.ndarray:
    """The part's pitch bend (semitones, range +-2) at times ``t`` (s): each bend holds until the next."""
    if not part.bends:
        return np.zeros_like(t)
    times = np.array([b[0] for b in part.bends])
    values = np.array([b[1] for b in part.bends], np.float64) / 8192.0 * 2.0
    idx = np.searchsorted(times, t, side="right") - 1
    return np.where(idx >= 0, values[np.maximum(idx, 0)], 0.0)


def render_part(part: Part, n_samples: int, voice: dict, rng: np.random.Generator) -> np.ndarray:
    """Render ``part``'s notes with ``voice`` (:func:`draw_voice`).

    Returns
    -------
    numpy.ndarray
        float32, shape (n_samples, 2), 44.1 kHz, the same in both channels.
    """
    out = np.zeros(n_samples, np.float64)
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / RATE)
    for start, dur, pitch, vel in part.notes:
        a = int(round(start * RATE))
        if a >= n_samples:
            continue
        length = min(n_samples - a, int(round((dur + voice["release_s"]) * RATE)))
        if length <= 1:
            continue
        t = np.arange(length) / RATE
        semis = pitch - 69 + _bend_semitones(part, start + t)
        vib = voice["vibrato_cents"] / 100.0 * np.sin(2 * np.pi * voice["vibrato_hz"] * t) \
            * np.clip((t - voice["vibrato_delay_s"]) / 0.2, 0.0, 1.0)
        f0 = 440.0 * 2 ** ((semis + vib) / 12.0)
        phase = 2 * np.pi * np.cumsum(f0) / RATE + rng.uniform(0, 2 * np.pi)
        n_h = int(min(MAX_HARMONICS, 20000.0 // max(float(f0.max()), 1.0)))
        if n_h < 1:
            continue
        k = np.arange(1, n_h + 1)
        base = float(f0[0])
        amp = np.interp(k * base, freqs, voice["mag"]) * 10 ** (voice["tilt_per_harmonic_db"] * np.log2(k) / 20)
        amp[1::2] *= voice["even"]  # harmonics 2, 4, ...
        tone = np.zeros(length)
        for kk, g in zip(k, amp):
            tone += g * np.sin(kk * phase)
        breath = rng.standard_normal(length) * 10 ** (voice["breath_db"] / 20) * float(np.sqrt(np.sum(amp ** 2)))
        env = np.minimum(1.0, t / voice["attack_s"])
        held = int(round(dur * RATE))
        if held < length:
            env[held:] *= np.exp(-(t[held:] - dur) / (voice["release_s"] / 4))
        out[a:a + length] += (tone + breath) * env * (vel / 127.0)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    out = out / peak * 0.5 if peak > 0 else out  # the mixdown sets the level
    return np.repeat(out.astype(np.float32)[:, None], 2, axis=1)
