"""Harmony: chord qualities, scales and song forms.

Pitch classes are integers 0..11 (0 = C). Beats are quarter notes; every form is in 4/4.
Progressions are written as scale degrees relative to the key ("2:m7 5:7" = ii7 V7), one
``|``-separated field per bar, one or two chords per bar.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEY_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")

#: Chord tones (semitones above the root) of each quality.
CHORD_TONES: dict[str, tuple[int, ...]] = {
    "maj7": (0, 4, 7, 11), "6": (0, 4, 7, 9), "m7": (0, 3, 7, 10), "m6": (0, 3, 7, 9),
    "7": (0, 4, 7, 10), "7b9": (0, 4, 7, 10), "m7b5": (0, 3, 6, 10), "dim7": (0, 3, 6, 9),
}
#: Chord-scale of each quality (semitones above the root).
SCALES: dict[str, tuple[int, ...]] = {
    "maj7": (0, 2, 4, 5, 7, 9, 11), "6": (0, 2, 4, 5, 7, 9, 11),
    "m7": (0, 2, 3, 5, 7, 9, 10), "m6": (0, 2, 3, 5, 7, 9, 11),
    "7": (0, 2, 4, 5, 7, 9, 10), "7b9": (0, 1, 4, 5, 7, 8, 10),
    "m7b5": (0, 1, 3, 5, 6, 8, 10), "dim7": (0, 2, 3, 5, 6, 8, 9, 11),
}
#: Rootless comping voicing material: guide tones first, then tensions.
VOICING_TONES: dict[str, tuple[int, ...]] = {
    "maj7": (4, 11, 2, 7), "6": (4, 9, 2, 7), "m7": (3, 10, 2, 5), "m6": (3, 9, 2, 7),
    "7": (4, 10, 2, 9), "7b9": (4, 10, 1, 8), "m7b5": (3, 10, 6, 5), "dim7": (3, 9, 6, 0),
}
BLUES_SCALE = (0, 3, 5, 6, 7, 10)
_DEGREES = {"1": 0, "b2": 1, "2": 2, "b3": 3, "3": 4, "4": 5, "#4": 6, "b5": 6,
            "5": 7, "b6": 8, "6": 9, "b7": 10, "7": 11}

_RHYTHM_A = "1:6 6:m7|2:m7 5:7|1:6 6:m7|2:m7 5:7|1:7|4:6 #4:dim7|1:6 5:7|1:6"
_RHYTHM_B = "3:7|3:7|6:7|6:7|2:7|2:7|5:7|5:7"
_STD_A = "1:maj7|6:7|2:m7|5:7|3:m7|6:7|2:m7|5:7"
_STD_B = "5:m7|1:7|4:maj7|4:maj7|4:m7|b7:7|2:m7|5:7"
_BAL_A = "1:maj7 6:m7|2:m7 5:7|3:m7 6:7|2:m7 5:7|1:maj7 1:7|4:maj7 b7:7|3:m7 6:7b9|2:m7 5:7"
_BAL_B = "4:maj7|4:m7 b7:7|3:m7|6:7b9|2:m7|5:7|3:m7 6:7|2:m7 5:7"
_BOS_A = "1:maj7|1:maj7|2:7|2:7|2:m7|b2:7|1:maj7|b2:7"
_BOS_B = "4:maj7|4:maj7|b7:7|b7:7|3:m7|6:7b9|2:m7|5:7"

#: Song forms: name -> (progression, section labels per 8/12/16-bar block).
FORMS: dict[str, str] = {
    "jazz_blues_12": "1:7|4:7|1:7|5:m7 1:7|4:7|#4:dim7|1:7|6:7b9|2:m7|5:7|1:7 6:7|2:m7 5:7",
    "basic_blues_12": "1:7|4:7|1:7|1:7|4:7|4:7|1:7|1:7|5:7|4:7|1:7|5:7",
    "minor_blues_12": "1:m6|1:m6|1:m6|1:m6|4:m7|4:m7|1:m6|1:m6|b6:7|5:7b9|1:m6|2:m7b5 5:7b9",
    "rhythm_changes_aaba_32": "|".join([_RHYTHM_A, _RHYTHM_A, _RHYTHM_B, _RHYTHM_A]),
    "standard_aaba_32": "|".join([_STD_A, _STD_A, _STD_B, _STD_A]),
    "ii_v_i_cycle_16": ("2:m7|5:7|1:maj7|1:maj7|1:m7|4:7|b7:maj7|b7:maj7|b7:m7|b3:7|"
                        "b6:maj7|b6:maj7|2:m7b5|5:7b9|1:maj7|1:maj7"),
    "ballad_aaba_32": "|".join([_BAL_A, _BAL_A, _BAL_B, _BAL_A]),
    "bossa_aaba_32": "|".join([_BOS_A, _BOS_A, _BOS_B, _BOS_A]),
    "minor_bossa_16": "1:m7|1:m7|4:m7|4:m7|2:m7b5|5:7b9|1:m7|1:m7|4:m7|b7:7|b3:maj7|b6:maj7|2:m7b5|5:7b9|1:m7|5:7b9",
    "dixie_16": "1:6|1:6|5:7|5:7|1:6|1:6|2:7|5:7|1:6|1:7|4:6|#4:dim7|1:6 6:7|2:7 5:7|1:6|5:7",
    "dixie_aaba_32": "|".join(["1:6|1:6|1:6|1:7|4:6|4:6|1:6|5:7"] * 2 + ["6:7|6:7|2:7|2:7|5:7|5:7|1:6|5:7"]
                              + ["1:6|1:6|1:6|1:7|4:6|#4:dim7|1:6 5:7|1:6"]),
}


@dataclass(frozen=True)
class Chord:
    """One chord of a progression.

    Attributes
    ----------
    root : int
        Pitch class 0..11.
    quality : str
        Key of :data:`CHORD_TONES`.
    start : float
        Start, beats from the start of the track's timeline.
    beats : float
        Duration in beats.
    """

    root: int
    quality: str
    start: float
    beats: float

    @property
    def end(self) -> float:
        return self.start + self.beats

    def tones(self) -> np.ndarray:
        """Chord-tone pitch classes, shape (4,)."""
        return (self.root + np.array(CHORD_TONES[self.quality])) % 12

    def scale(self) -> np.ndarray:
        """Chord-scale pitch classes, shape (7,) or (8,)."""
        return (self.root + np.array(SCALES[self.quality])) % 12


def parse_form(form: str) -> list[list[tuple[int, str]]]:
    """Bars of a form as ``[[(degree_semitones, quality), ...], ...]``."""
    bars = []
    for field in FORMS[form].split("|"):
        chords = []
        for tok in field.split():
            deg, qual = tok.split(":")
            chords.append((_DEGREES[deg], qual))
        bars.append(chords)
    return bars


def progression(form: str, key: int, n_bars: int, start_bar: int = 0) -> list[Chord]:
    """Chords for ``n_bars`` bars of a repeated form, starting at bar ``start_bar`` of it.

    Parameters
    ----------
    form : str
        Key of :data:`FORMS`.
    key : int
        Tonic pitch class.
    n_bars : int
        Number of 4/4 bars to cover.
    start_bar : int
        Bar of the form the timeline starts at (the form wraps around).

    Returns
    -------
    list of Chord
        Consecutive chords, first one at beat 0.
    """
    bars = parse_form(form)
    out: list[Chord] = []
    for b in range(n_bars):
        bar = bars[(start_bar + b) % len(bars)]
        dur = 4.0 / len(bar)
        for j, (deg, qual) in enumerate(bar):
            root = (key + deg) % 12
            if out and out[-1].root == root and out[-1].quality == qual:
                last = out.pop()
                out.append(Chord(root, qual, last.start, last.beats + dur))
            else:
                out.append(Chord(root, qual, 4.0 * b + j * dur, dur))
    return out


def chord_at(chords: list[Chord], beat: float) -> Chord:
    """The chord sounding at ``beat`` (the last one past the end)."""
    for c in chords:
        if c.start <= beat < c.end:
            return c
    return chords[-1]


def pitches_in_range(pcs, low: int, high: int) -> np.ndarray:
    """All MIDI notes in ``[low, high]`` whose pitch class is in ``pcs``, sorted, shape (k,)."""
    pcs = set(int(p) % 12 for p in pcs)
    return np.array([n for n in range(low, high + 1) if n % 12 in pcs], dtype=int)
