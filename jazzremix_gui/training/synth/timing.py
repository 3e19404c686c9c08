"""Notes, controller events, swing and humanisation.

Generators work in beats; :class:`Feel` maps beats to seconds (tempo, swing, timing
jitter) so every part of a track shares one groove.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Part:
    """One rendered part (one MIDI channel, one stem).

    Attributes
    ----------
    name : str
        Part name (``solo``, ``bass``, ``comp``, ``drums``, ``horn1`` ...).
    instrument : str
        Instrument name for meta.json.
    program : int
        GM program; ``bank`` 128 for drum kits.
    notes : list of tuple
        ``(start_s, duration_s, pitch, velocity)``.
    bends : list of tuple
        ``(time_s, value)``, value -8192..8191 (range +-2 semitones).
    ccs : list of tuple
        ``(time_s, controller, value)``.
    drum : bool
        Render on the percussion channel.
    """

    name: str
    instrument: str
    program: int
    bank: int = 0
    notes: list = field(default_factory=list)
    bends: list = field(default_factory=list)
    ccs: list = field(default_factory=list)
    drum: bool = False


class Feel:
    """Beat -> seconds mapping with swing and humanised timing.

    Parameters
    ----------
    tempo : float
        Beats per minute.
    swing : float
        Off-beat eighth position inside the beat (0.5 straight .. 0.7 heavy swing).
    rng : numpy.random.Generator
        Source of the timing jitter.
    jitter_ms : float
        Standard deviation of the per-note timing jitter, milliseconds.
    """

    def __init__(self, tempo: float, swing: float, rng: np.random.Generator, jitter_ms: float = 8.0):
        self.tempo = float(tempo)
        self.swing = float(swing)
        self.rng = rng
        self.jitter = jitter_ms / 1000.0
        self.spb = 60.0 / self.tempo

    def swung(self, beat) -> np.ndarray:
        """Swing-warped beat positions (same shape as ``beat``)."""
        beat = np.asarray(beat, dtype=float)
        whole = np.floor(beat)
        f = beat - whole
        r = self.swing
        warped = np.where(f < 0.5, f * 2 * r, r + (f - 0.5) * 2 * (1 - r))
        return whole + warped

    def seconds(self, beat, humanise: float = 1.0, lay_back_ms: float = 0.0) -> np.ndarray:
        """Seconds of beat positions, swung and jittered.

        Parameters
        ----------
        beat : array_like
            Beat positions, shape (n,).
        humanise : float
            Scale of the jitter (0 = quantised).
        lay_back_ms : float
            Constant offset (players laying back behind the beat), milliseconds.
        """
        t = self.swung(beat) * self.spb + lay_back_ms / 1000.0
        if humanise > 0:
            t = t + self.rng.normal(0.0, self.jitter * humanise, size=np.shape(t))
        return np.maximum(t, 0.0)

    def notes(self, part: Part, beats, durs, pitches, vels, humanise: float = 1.0,
              lay_back_ms: float = 0.0, vel_jitter: float = 6.0) -> None:
        """Append notes given in beats to ``part`` (durations in beats, velocities 1..127)."""
        beats = np.asarray(beats, dtype=float)
        if beats.size == 0:
            return
        on = self.seconds(beats, humanise, lay_back_ms)
        off = self.seconds(beats + np.asarray(durs, dtype=float), 0.0, lay_back_ms)
        dur = np.maximum(off - on, 0.03)
        v = np.asarray(vels, dtype=float) + self.rng.normal(0.0, vel_jitter, size=beats.shape)
        v = np.clip(np.round(v), 1, 127).astype(int)
        for a, d, p, vv in zip(on, dur, np.broadcast_to(pitches, beats.shape), v):
            part.notes.append((float(a), float(d), int(p), int(vv)))
