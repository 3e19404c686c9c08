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

Two more kinds (``--solo-voices``) make the spectrum move within a note, as real instruments' do:

- ``struck``: plucked or struck strings; each harmonic decays at its own rate (the higher, the
  faster: ``tau_k = tau_1 / k^beta``), partials are stretched by a stiff string's inharmonicity
  (``f_k = k f_0 sqrt(1 + B k^2)``), a short attack, damped at the note's end;
- ``blown``: reeds and brass; the tilt follows the note's envelope and velocity (brighter when
  louder, duller as it starts and fades) and the resonances drift in frequency during the note.

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
#: Kinds of voice (:func:`draw_voice`); ``harmonic`` is the first one (a static spectrum per note).
KINDS = ("harmonic", "struck", "blown")


def draw_voice(rng: np.random.Generator, kind: str = "harmonic") -> dict:
    """The random instrument of one track: envelope, harmonics, articulation, vibrato, breath.

    ``kind`` (one of :data:`KINDS`): ``harmonic`` draws exactly what it always drew; the others draw
    those values, then their own.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown voice kind {kind!r} (one of {', '.join(KINDS)})")
    mag, colour = colour_response(_N_FFT, rng, RATE, scale=2.0)
    voice = {"mag": mag, "colour": colour, "tilt_per_harmonic_db": float(rng.uniform(-9.0, -2.0)),
             "even": float(rng.uniform(0.05, 1.0)), "attack_s": float(rng.uniform(0.01, 0.08)),
             "release_s": float(rng.uniform(0.03, 0.15)), "vibrato_hz": float(rng.uniform(4.0, 6.5)),
             "vibrato_cents": float(rng.uniform(0.0, 30.0)), "vibrato_delay_s": float(rng.uniform(0.1, 0.4)),
             "breath_db": float(rng.uniform(-45.0, -20.0))}
    if kind == "struck":
        voice.update(type="struck", decay_s=float(rng.uniform(0.3, 3.0)), decay_exponent=float(rng.uniform(0.4, 1.5)),
                     inharmonicity=float(10 ** rng.uniform(-5.0, -3.3)), attack_s=float(rng.uniform(0.001, 0.008)),
                     vibrato_cents=0.0, breath_db=float(rng.uniform(-60.0, -35.0)))
    elif kind == "blown":
        voice.update(type="blown", brightness_db=float(rng.uniform(2.0, 7.0)),
                     formant_drift_oct=float(rng.uniform(0.0, 0.4)), drift_hz=float(rng.uniform(0.5, 3.0)))
    return voice


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


def _tone(voice: dict, k: np.ndarray, amp: np.ndarray, phase: np.ndarray, t: np.ndarray, env: np.ndarray,
          vel: int, freqs: np.ndarray, base: float) -> np.ndarray:
    """One note's harmonics ``k`` (amplitudes ``amp`` at the note's start), by the voice's kind."""
    tone = np.zeros(t.shape[0])
    kind = voice.get("type", "harmonic")
    if kind == "struck":  # own decay per partial, stretched partials (phase grows with the partial's frequency)
        stretch = np.sqrt(1.0 + voice["inharmonicity"] * k.astype(np.float64) ** 2)
        tau = voice["decay_s"] / k ** voice["decay_exponent"]
        for kk, g, st, ta in zip(k, amp, stretch, tau):
            if kk * base * st < 20000.0:
                tone += g * np.exp(-t / ta) * np.sin(kk * st * phase)
        return tone
    if kind == "blown":  # brighter with the envelope and the velocity, resonances drifting
        bright = voice["brightness_db"] * (env * (0.5 + 0.5 * vel / 127.0) - 0.5)  # dB per octave of harmonic
        warp = 2.0 ** (voice["formant_drift_oct"] * np.sin(2 * np.pi * voice["drift_hz"] * t + 2 * np.pi * t[-1]))
        tilt = 10 ** (voice["tilt_per_harmonic_db"] * np.log2(k) / 20)
        for kk, tl in zip(k, tilt):
            g = np.interp(kk * base / warp, freqs, voice["mag"]) * tl * (voice["even"] if kk % 2 == 0 else 1.0)
            tone += g * 10 ** (bright * np.log2(kk) / 20) * np.sin(kk * phase)
        return tone
    for kk, g in zip(k, amp):
        tone += g * np.sin(kk * phase)
    return tone


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
        env = np.minimum(1.0, t / voice["attack_s"])
        held = int(round(dur * RATE))
        if held < length:
            env[held:] *= np.exp(-(t[held:] - dur) / (voice["release_s"] / 4))
        tone = _tone(voice, k, amp, phase, t, env, vel, freqs, base)
        breath = rng.standard_normal(length) * 10 ** (voice["breath_db"] / 20) * float(np.sqrt(np.sum(amp ** 2)))
        out[a:a + length] += (tone + breath) * env * (vel / 127.0)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    out = out / peak * 0.5 if peak > 0 else out  # the mixdown sets the level
    return np.repeat(out.astype(np.float32)[:, None], 2, axis=1)
