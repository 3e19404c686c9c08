"""The improvised solo line: phrases of chord tones, scale steps and approach notes.

The line is monophonic so pitch bends (vibrato, scoops, falls) apply to one note at a
time. Between phrases the soloist rests; sometimes it drops out for whole bars.
"""
from __future__ import annotations

import numpy as np

from .instruments import Instrument
from .styles import Style
from .theory import BLUES_SCALE, Chord, chord_at, pitches_in_range
from .timing import Feel, Part

#: Rhythm cells: onsets inside one beat (fractions), each with its note length in beats.
_CELLS = {
    "quarter": ((0.0, 1.0),),
    "eighths": ((0.0, 0.5), (0.5, 0.5)),
    "push": ((0.5, 0.5),),
    "triplet": ((0.0, 1 / 3), (1 / 3, 1 / 3), (2 / 3, 1 / 3)),
    "sixteenths": ((0.0, 0.25), (0.25, 0.25), (0.5, 0.25), (0.75, 0.25)),
    "rest": (),
}


def _cell_weights(style: Style, tempo: float) -> dict[str, float]:
    e = style.eighths
    w = {"quarter": 1.0 - e * 0.7, "eighths": 2.0 * e, "push": 0.25, "triplet": 0.15,
         "sixteenths": 0.0, "rest": 0.12}
    if tempo < 110:
        w["sixteenths"] = 0.35 if tempo < 85 else 0.15
        w["triplet"] = 0.35
    if tempo > 240:
        w["triplet"] = 0.0
    return w


def _bend_value(cents: float) -> int:
    return int(np.clip(round(cents / 200.0 * 8192), -8192, 8191))


def _add_vibrato(part: Part, start: float, dur: float, rate: float, cents: float) -> None:
    t0 = start + min(0.18, dur * 0.35)
    times = np.arange(t0, start + dur - 0.02, 0.015)
    if times.size < 4:
        return
    ramp = np.clip((times - t0) / 0.25, 0.0, 1.0)
    vals = cents * ramp * np.sin(2 * np.pi * rate * (times - t0))
    part.bends.extend((float(t), _bend_value(v)) for t, v in zip(times, vals))
    part.bends.append((float(start + dur), 0))


def _add_glide(part: Part, t: float, length: float, c0: float, c1: float) -> None:
    times = np.linspace(t, t + length, 8)
    part.bends.extend((float(x), _bend_value(c)) for x, c in zip(times, np.linspace(c0, c1, 8)))


def solo_part(inst: Instrument, style: Style, chords: list[Chord], feel: Feel, key: int,
              total_beats: float, rng: np.random.Generator) -> tuple[Part, list[list[float]]]:
    """Generate the solo.

    Parameters
    ----------
    inst : Instrument
        Solo instrument (range, vibrato, wind).
    style : Style
        Track style (rhythm-cell weights).
    chords : list of Chord
        Progression covering ``total_beats``.
    feel : Feel
        Beat -> seconds mapping.
    key : int
        Tonic pitch class (for the blues scale).
    total_beats : float
        Length of the timeline in beats.
    rng : numpy.random.Generator

    Returns
    -------
    part : Part
        The solo part (notes, bends, expression CCs).
    phrases : list of [float, float]
        Planned phrase spans in beats (the activity comes from the rendered notes).
    """
    part = Part("solo", inst.name, inst.program)
    weights = _cell_weights(style, feel.tempo)
    names = list(weights)
    p = np.array([weights[n] for n in names])
    p = p / p.sum()
    lo, hi = inst.low, inst.high
    centre = lo + 0.55 * (hi - lo)
    pitch = int(round(centre + rng.normal(0, 3)))
    vib_rate = rng.uniform(4.8, 6.5)
    vib_cents = rng.uniform(12, 35) if inst.name != "violin" else rng.uniform(15, 30)
    beat = min(float(rng.choice([0.0, 0.0, 1.0, 2.0, 4.0, 8.0])), float(np.floor(2.5 / feel.spb)))
    phrases: list[list[float]] = []
    spb = feel.spb
    while beat < total_beats:
        if phrases and rng.random() < 0.15:              # drop out for whole bars
            beat = 4.0 * np.ceil((beat + 4.0 * rng.integers(2, 9)) / 4.0)
            continue
        # phrase length: about 1.5 .. 9 s, whole beats
        length = float(np.clip(np.round(rng.uniform(1.5, 9.0) / spb), 2, 32))
        end = min(beat + length, total_beats)
        dyn = rng.uniform(55, 105)
        use_blues = style.name == "blues" and rng.random() < 0.5
        direction = int(rng.choice([-1, 1]))
        onsets: list[tuple[float, float, int]] = []
        pending = None
        b = beat
        while b < end:
            cell = _CELLS[names[rng.choice(len(names), p=p)]]
            for frac, ln in cell:
                pos = b + frac
                if pos >= end:
                    break
                ch = chord_at(chords, pos)
                if rng.random() < 0.2 or pitch > hi - 3 or pitch < lo + 3:
                    direction = -1 if pitch > centre else 1
                    if rng.random() < 0.3:
                        direction = -direction if lo + 3 <= pitch <= hi - 3 else direction
                if pending is not None:
                    new = pending
                    pending = None
                elif frac == 0.0:
                    cand = pitches_in_range(ch.tones(), lo, hi)
                    goal = pitch + direction * rng.integers(1, 5)
                    new = int(cand[np.argmin(np.abs(cand - goal) + (cand == pitch) * 3)])
                else:
                    pcs = BLUES_SCALE if use_blues else ch.scale()
                    if use_blues:
                        pcs = (np.array(pcs) + key) % 12
                    cand = pitches_in_range(pcs, lo, hi)
                    step = 1 if rng.random() < 0.8 else 2
                    if direction > 0:
                        idx = np.searchsorted(cand, pitch, "right") + step - 1
                    else:
                        idx = np.searchsorted(cand, pitch, "left") - step
                    new = int(cand[int(np.clip(idx, 0, len(cand) - 1))])
                    nxt = chord_at(chords, np.floor(pos) + 1.0)
                    if rng.random() < 0.25:                      # chromatic approach
                        tgt = pitches_in_range(nxt.tones(), lo + 1, hi - 1)
                        if tgt.size:
                            t = int(tgt[np.argmin(np.abs(tgt - (new + direction)))])
                            new, pending = t - direction, t
                new = int(np.clip(new, lo, hi))
                onsets.append((pos, ln, new))
                pitch = new
            b += 1.0
        if len(onsets) < 2:
            beat = end + 1.0
            continue
        pos = np.array([o[0] for o in onsets])
        lens = np.array([o[1] for o in onsets])
        pitches = np.array([o[2] for o in onsets])
        # articulation: legato for most, some short notes; last note held
        art = np.where(rng.random(len(pos)) < 0.2, rng.uniform(0.35, 0.6, len(pos)),
                       rng.uniform(0.85, 1.0, len(pos)))
        if not inst.sustain:
            art = np.maximum(art, 0.9)
        gaps = np.diff(np.append(pos, pos[-1] + lens[-1]))
        durs = np.minimum(lens, gaps) * art
        durs[-1] = lens[-1] + rng.choice([0.0, 0.5, 1.0, 1.5])
        # dynamics: phrase arch, accents on high notes and off-beats
        shape = np.sin(np.pi * (0.2 + 0.6 * (pos - pos[0]) / max(pos[-1] - pos[0], 1e-3)))
        vel = dyn + 12 * shape + 0.8 * (pitches - pitches.mean()) + 8 * ((pos % 1) > 0.4)
        start_idx = len(part.notes)
        feel.notes(part, pos, durs, pitches, vel, humanise=1.0, lay_back_ms=rng.uniform(0, 20))
        notes = part.notes[start_idx:]
        t_on = notes[0][0]
        if inst.wind:
            part.ccs.append((max(t_on - 0.05, 0.0), 11, int(rng.integers(95, 120))))
        for k, (t, d, n, v) in enumerate(notes):
            part.bends.append((t, 0))
            if inst.wind and (k == 0 or v > dyn + 15) and rng.random() < 0.3:
                _add_glide(part, t, rng.uniform(0.04, 0.09), -rng.uniform(60, 130), 0.0)
            if inst.vibrato and d > 0.3:
                _add_vibrato(part, t, d, vib_rate, vib_cents * rng.uniform(0.7, 1.3))
        t, d, n, v = notes[-1]
        if inst.wind and d > 0.3:
            if rng.random() < 0.2 and inst.name in ("trumpet", "trombone", "alto_sax", "tenor_sax"):
                _add_glide(part, t + d * 0.6, d * 0.4, 0.0, -rng.uniform(150, 200))
                part.bends.append((t + d + 0.01, 0))
            else:                                                  # diminuendo
                for x, e in zip(np.linspace(t + d * 0.4, t + d, 6), np.linspace(110, 60, 6)):
                    part.ccs.append((float(x), 11, int(e)))
        phrases.append([float(pos[0]), float(pos[-1] + durs[-1])])
        rest = float(rng.choice([1.0, 1.5, 2.0, 2.0, 3.0, 4.0, 6.0, 8.0]))
        beat = end + max(rest, float(np.ceil(rng.uniform(0.4, 1.2) / spb)))   # breathe
    return part, phrases
