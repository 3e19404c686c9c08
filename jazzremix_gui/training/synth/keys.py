"""Keyboard comping the training generator's styles never give (``synth --comp-keys P``): the chord part played on
an organ or an electric piano, the organ often holding each voicing until the next.

Why: on the validation generator's tracks (:mod:`.val_arrangement`, which comps on organs and electric pianos too)
the separator most often takes such a part for the solo (docs/SEPARATOR_V3.md, "Keys in the accompaniment"); the
training generator comps only on piano, guitars and banjo. These parts are rendered from the training soundfonts
(their GM organ and electric piano programs), by this module's code, not the validation generator's.
"""

from __future__ import annotations

import numpy as np

from .timing import Part

#: (instrument name, GM program): drawbar and percussive organ, a Rhodes-like and a chorused electric piano.
KEYS = (("organ", 16), ("organ", 17), ("electric_piano", 4), ("electric_piano", 5))
#: Probability that an organ holds each voicing until the next hit (a pad) instead of playing it as written.
HELD = 0.7
#: The longest a held note lasts (s), and the gap it leaves before the next hit (s).
LONGEST_S, GAP_S = 4.0, 0.03


def held(notes: list) -> list:
    """``notes`` (``(start_s, duration_s, pitch, velocity)``) each lengthened to the next later onset (less
    :data:`GAP_S`; at most :data:`LONGEST_S`), never shortened."""
    onsets = np.unique(np.round([n[0] for n in notes], 3))
    out = []
    for start, dur, pitch, vel in notes:
        later = onsets[onsets > round(start, 3) + 0.05]
        until = (later[0] - GAP_S) if later.size else start + LONGEST_S
        out.append((start, max(dur, min(until - start, LONGEST_S)), pitch, vel))
    return out


def as_keys(part: Part, rng: np.random.Generator) -> str:
    """Play the chord part ``part`` on keys (changes it in place); returns what it became, for meta.json
    (``organ 16 held``, ``electric_piano 4``)."""
    name, program = KEYS[int(rng.integers(len(KEYS)))]
    part.instrument, part.program = name, program
    hold = name == "organ" and rng.random() < HELD
    if hold:
        part.notes = held(part.notes)
    return f"{name} {program}" + (" held" if hold else "")
