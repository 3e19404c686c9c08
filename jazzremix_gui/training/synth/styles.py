"""Style presets: tempo range, feel, forms and rhythm-section choices."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """Parameters of one style.

    Attributes
    ----------
    name : str
        Key used in meta.json.
    tempo : tuple of float
        (low, high) tempo range in beats per minute.
    swing : tuple of float
        (low, high) swing ratio: position of the off-beat eighth inside the beat
        (0.5 = straight, 0.667 = triplet swing).
    forms : tuple of str
        Keys of :data:`theory.FORMS`.
    bass : str
        ``walk`` | ``two_beat`` | ``bossa`` | ``ballad`` (bass-line generator).
    comp : tuple of str
        Comping instruments to choose from (keys of ``instruments.COMP_INSTRUMENTS``).
    drums : str
        ``swing`` | ``bebop`` | ``brushes`` | ``bossa`` | ``two_beat`` (drum pattern).
    tuba_prob : float
        Probability that a tuba plays the bass part.
    eighths : float
        Share of eighth-note (vs quarter / long) rhythm cells in the solo.
    """

    name: str
    tempo: tuple[float, float]
    swing: tuple[float, float]
    forms: tuple[str, ...]
    bass: str
    comp: tuple[str, ...]
    drums: str
    tuba_prob: float = 0.0
    eighths: float = 0.5


STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style("medium_swing", (110, 200), (0.6, 0.68),
              ("jazz_blues_12", "rhythm_changes_aaba_32", "standard_aaba_32", "ii_v_i_cycle_16"),
              "walk", ("piano", "jazz_guitar", "guitar"), "swing", eighths=0.55),
        Style("bebop", (200, 300), (0.54, 0.6),
              ("rhythm_changes_aaba_32", "jazz_blues_12", "ii_v_i_cycle_16", "standard_aaba_32"),
              "walk", ("piano", "jazz_guitar"), "bebop", eighths=0.7),
        Style("ballad", (58, 80), (0.6, 0.7), ("ballad_aaba_32",),
              "ballad", ("piano", "jazz_guitar"), "brushes", eighths=0.35),
        Style("blues", (80, 170), (0.62, 0.7),
              ("basic_blues_12", "jazz_blues_12", "minor_blues_12"),
              "walk", ("piano", "guitar", "jazz_guitar"), "swing", eighths=0.45),
        Style("latin_bossa", (110, 160), (0.5, 0.52), ("bossa_aaba_32", "minor_bossa_16"),
              "bossa", ("guitar", "piano"), "bossa", eighths=0.45),
        Style("dixieland", (150, 250), (0.58, 0.66),
              ("dixie_16", "dixie_aaba_32", "basic_blues_12"),
              "two_beat", ("banjo", "piano"), "two_beat", tuba_prob=0.5, eighths=0.5),
    )
}
"""The six styles, keyed by name."""
