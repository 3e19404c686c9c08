"""Drum-kit parts: swing ride, bebop, brushes, bossa and two-beat patterns (GM keys)."""
from __future__ import annotations

import numpy as np

from .instruments import (CLOSED_HH, CRASH, KICK, KIT_BRUSH, KIT_JAZZ, KIT_STANDARD, PEDAL_HH,
                          RIDE, RIDE_BELL, SIDE_STICK, SNARE)
from .timing import Feel, Part


def drum_part(mode: str, feel: Feel, total_beats: float, form_bars: int, start_bar: int,
              rng: np.random.Generator) -> Part:
    """Drums for ``total_beats`` beats.

    Parameters
    ----------
    mode : str
        ``swing`` | ``bebop`` | ``brushes`` | ``bossa`` | ``two_beat``.
    feel : Feel
    total_beats : float
    form_bars : int
        Bars per chorus (a crash marks the top of each chorus).
    start_bar : int
        Bar of the form the timeline starts at.
    rng : numpy.random.Generator
    """
    kit = {"brushes": KIT_BRUSH, "bossa": KIT_STANDARD}.get(mode, KIT_JAZZ if rng.random() < 0.6 else KIT_STANDARD)
    part = Part("drums", f"drums_{mode}", kit, bank=128, drum=True)
    ev: list[tuple[float, float, int, float]] = []
    ride = RIDE_BELL if rng.random() < 0.1 else RIDE
    n_bars = int(np.ceil(total_beats / 4))
    for bar in range(n_bars):
        b = 4.0 * bar
        if (start_bar + bar) % form_bars == 0 and mode != "brushes" and bar > 0:
            ev.append((b, 1.0, CRASH, 80))
        if mode in ("swing", "bebop"):
            for x, v in ((0, 70), (1, 82), (1.5, 55), (2, 70), (3, 82), (3.5, 55)):
                ev.append((b + x, 0.3, ride, v))
            ev += [(b + 1, 0.2, PEDAL_HH, 65), (b + 3, 0.2, PEDAL_HH, 65)]
            ev += [(b + x, 0.2, KICK, 35) for x in range(4)]                 # feathering
            for x in (0.5, 1.5, 2.5, 3.5, 1.0, 3.0):                          # snare comping
                if rng.random() < (0.22 if mode == "bebop" else 0.12):
                    ev.append((b + x, 0.2, SNARE, rng.uniform(40, 80)))
            if mode == "bebop" and rng.random() < 0.15:
                ev.append((b + float(rng.choice([1.5, 2.5, 3.5])), 0.2, KICK, 95))
        elif mode == "brushes":
            for x in np.arange(0, 4, 1 / 3):                                   # swirl
                ev.append((b + x, 0.3, SNARE, 28 + 8 * ((x % 1) < 0.1)))
            ev += [(b + 1, 0.4, SNARE, 55), (b + 3, 0.4, SNARE, 55)]
            ev += [(b + 1, 0.2, PEDAL_HH, 50), (b + 3, 0.2, PEDAL_HH, 50), (b, 0.2, KICK, 35)]
        elif mode == "bossa":
            ev += [(b + x / 2, 0.2, CLOSED_HH, 55 + 10 * (x % 2 == 0)) for x in range(8)]
            ev += [(b + x, 0.3, SIDE_STICK, 70) for x in ((0, 1.5, 3.0) if bar % 2 == 0 else (1.0, 2.5))]
            ev += [(b, 0.4, KICK, 70), (b + 1.5, 0.2, KICK, 55), (b + 2, 0.4, KICK, 70), (b + 3.5, 0.2, KICK, 55)]
        else:  # two_beat (dixieland)
            ev += [(b, 0.3, KICK, 80), (b + 2, 0.3, KICK, 75)]
            ev += [(b + 1, 0.3, SNARE, 78), (b + 3, 0.3, SNARE, 78)]
            ev += [(b + x, 0.2, CLOSED_HH, 50) for x in (0, 1, 1.5, 2, 3, 3.5)]
            if rng.random() < 0.2:
                ev += [(b + 3 + k / 8, 0.1, SNARE, 45 + 5 * k) for k in range(8)]   # press roll
    ev = [e for e in ev if e[0] < total_beats]
    beats = np.array([e[0] for e in ev])
    feel.notes(part, beats, [e[1] for e in ev], np.array([e[2] for e in ev]),
               [e[3] for e in ev], humanise=0.5, vel_jitter=5.0)
    return part
