"""Accompaniment lines: bass (walking, two-beat, bossa, ballad), chord comping
(piano, guitar, banjo) and horn-section backgrounds / counter-lines."""
from __future__ import annotations

import numpy as np

from .instruments import BASS, COMP_INSTRUMENTS, SECTION_INSTRUMENTS, Instrument
from .styles import Style
from .theory import VOICING_TONES, Chord, chord_at, pitches_in_range
from .timing import Feel, Part


def _nearest(pcs, ref: float, lo: int, hi: int) -> int:
    cand = pitches_in_range(pcs, lo, hi)
    return int(cand[np.argmin(np.abs(cand - ref))])


def bass_part(mode: str, chords: list[Chord], feel: Feel, total_beats: float,
              rng: np.random.Generator, inst: Instrument = BASS) -> Part:
    """Bass line. ``mode``: ``walk`` | ``two_beat`` | ``bossa`` | ``ballad``.

    Returns a :class:`Part` whose notes are in ``inst``'s range; beats in 4/4 bars.
    """
    part = Part("bass", inst.name, inst.program)
    lo, hi = inst.low, inst.high
    prev = lo + 10
    beats, durs, pitches, vels = [], [], [], []
    n_beats = int(np.ceil(total_beats))
    if mode == "walk":
        for i in range(n_beats):
            ch, nxt = chord_at(chords, i + 0.01), chord_at(chords, i + 1.01)
            if abs(ch.start - i) < 1e-6 or i == 0:
                p = _nearest([ch.root], prev, lo, hi)
            elif nxt is not ch and abs(nxt.start - (i + 1)) < 1e-6:
                tgt = _nearest([nxt.root], prev, lo + 1, hi - 1)
                p = tgt + int(rng.choice([-1, 1, -2, 2, 7 - 12])) if rng.random() < 0.85 else \
                    _nearest(ch.tones(), prev + rng.integers(-3, 4), lo, hi)
            else:
                pool = ch.tones() if rng.random() < 0.6 else ch.scale()
                step = int(rng.choice([-4, -3, -2, 2, 3, 4]))
                p = _nearest(pool, prev + step, lo, hi)
                if p == prev:
                    p = _nearest(pool, prev - step, lo, hi)
            p = int(np.clip(p, lo, hi))
            beats.append(i); durs.append(0.92); pitches.append(p)
            vels.append(88 + 6 * (i % 2 == 0))
            prev = p
            if rng.random() < 0.04 and i + 1 < n_beats:          # skip-note ghost
                beats.append(i + 0.5); durs.append(0.3); pitches.append(p); vels.append(60)
    else:
        if mode == "two_beat":
            cells = ((0.0, 1.7, "root"), (2.0, 1.7, "fifth"))
        elif mode == "bossa":
            cells = ((0.0, 1.4, "root"), (1.5, 0.45, "fifth"), (2.0, 1.4, "fifth"), (3.5, 0.45, "root"))
        else:  # ballad
            cells = ((0.0, 1.9, "root"), (2.0, 1.9, "fifth"))
        for bar in range(0, n_beats, 4):
            for off, d, role in cells:
                pos = bar + off
                if pos >= total_beats:
                    break
                ch = chord_at(chords, pos + 0.01)
                new_chord = abs(ch.start - pos) < 1e-6
                pc = ch.root if role == "root" or new_chord else (ch.root + (7 if ch.quality not in ("m7b5", "dim7") else 6)) % 12
                p = _nearest([pc], prev, lo, hi)
                beats.append(pos); durs.append(d); pitches.append(p); vels.append(84)
                prev = p
    feel.notes(part, beats, durs, pitches, vels, humanise=0.6, vel_jitter=4.0)
    return part


def _voicing(ch: Chord, centre: float, n: int, lo: int, hi: int, rng) -> list[int]:
    tones = [(ch.root + t) % 12 for t in VOICING_TONES[ch.quality][:n]]
    out, ref = [], centre - 5
    for pc in sorted(tones, key=lambda x: (x - centre) % 12):
        p = _nearest([pc], ref, lo, hi)
        while out and p <= out[-1]:
            p += 12
        out.append(p)
        ref = p + 3
    while max(out) > hi + 4:
        out = [x - 12 for x in out]
    return out


def _comp_rhythm(style: Style, inst: str, rng) -> list[tuple[float, float, float]]:
    """One bar (or two) of comping hits: (onset_beat, duration_beats, velocity)."""
    if inst == "banjo":
        return [(b, 0.45, 68 + 10 * (b % 2)) for b in range(4)]
    if style.name == "latin_bossa":
        return [(0, 0.9, 60), (1.5, 0.9, 62), (3.0, 0.9, 60), (4.5, 0.9, 62), (6.0, 1.2, 60)]
    if inst in ("guitar", "jazz_guitar") and style.name in ("medium_swing", "blues", "dixieland") \
            and rng.random() < 0.7:
        return [(b, 0.55, 60 + 8 * (b % 2)) for b in range(4)]          # Freddie Green
    if style.name == "ballad":
        return [(0, 1.9, 50), (2.0, 1.9, 45)] if rng.random() < 0.6 else [(0, 3.8, 50)]
    options = [[(0, 1.0, 62), (1.5, 0.6, 66)], [(1.0, 0.4, 60), (3.0, 0.4, 62)],
               [(1.5, 0.5, 64), (3.5, 0.8, 66)], [(0, 2.0, 58)], [(2.5, 0.5, 64)], []]
    if style.name == "bebop":
        options += [[(0.5, 0.3, 64)], [(1.5, 0.3, 62)], []]
    return options[rng.integers(len(options))]


def comp_part(inst_name: str, style: Style, chords: list[Chord], feel: Feel,
              total_beats: float, rng: np.random.Generator) -> Part:
    """Chord comping on piano, guitar or banjo (4-note rootless or 3-note shell voicings)."""
    inst = COMP_INSTRUMENTS[inst_name]
    program = 24 if (style.name == "latin_bossa" and inst_name == "guitar") else inst.program
    part = Part("comp", inst_name, program)
    n = 3 if inst_name in ("guitar", "jazz_guitar", "banjo") else 4
    centre = rng.uniform(inst.low + 8, inst.high - 8)
    beats, durs, pitches, vels = [], [], [], []
    bar = 0.0
    while bar < total_beats:
        pattern = _comp_rhythm(style, inst_name, rng)
        span = 8.0 if style.name == "latin_bossa" else 4.0
        for off, d, v in pattern:
            pos = bar + off
            if pos >= total_beats:
                break
            ch = chord_at(chords, pos + (0.51 if (pos % 1) > 0.4 else 0.01))
            voice = _voicing(ch, centre, n, inst.low, inst.high, rng)
            if style.name == "ballad" and inst_name == "piano":
                voice = [_nearest([ch.root], 40, 33, 47)] + voice
            strum = 0.012 if n == 3 else 0.0
            for k, p in enumerate(voice):
                beats.append(pos + k * strum * feel.tempo / 60.0)
                durs.append(d); pitches.append(p); vels.append(v - 3 * k)
        bar += span
    feel.notes(part, beats, durs, pitches, vels, humanise=0.5, vel_jitter=5.0)
    return part


def horn_parts(style: Style, chords: list[Chord], feel: Feel, total_beats: float,
               rng: np.random.Generator, solo_name: str, twin: Instrument | None = None,
               prefix: str = "horn") -> tuple[list[Part], str]:
    """Horn-section backgrounds or counter-lines by 1-3 wind instruments other than the solo.

    Parameters
    ----------
    twin : Instrument, optional
        Every voice of the section plays this instrument (the solo's own: a section voiced like the
        soloist, :mod:`.lookalike`) instead of 1-3 other wind instruments.
    prefix : str
        Part names are ``{prefix}1``, ``{prefix}2`` ...

    Returns
    -------
    parts : list of Part
        One part per horn (``horn1``, ``horn2`` ...).
    mode : str
        ``pads`` | ``riff`` | ``counterline``.
    """
    mode = str(rng.choice(["pads", "riff", "counterline"], p=[0.45, 0.3, 0.25]))
    n = 1 if mode == "counterline" else int(rng.integers(2, 4))
    if twin is None:
        pool = [k for k in SECTION_INSTRUMENTS if k != solo_name and
                not (k.endswith("trumpet") and solo_name in ("trumpet", "muted_trumpet", "cornet"))]
        names = [str(x) for x in rng.choice(pool, size=n, replace=False)]
        insts = SECTION_INSTRUMENTS
    else:
        names, insts = [twin.name] * n, {twin.name: twin}
    parts = []
    spans = []                                           # sections where the horns play
    b = float(4 * rng.integers(0, 3))
    while b < total_beats:
        ln = float(4 * rng.integers(2, 5))
        spans.append((b, min(b + ln, total_beats)))
        b += ln + float(4 * rng.integers(1, 4))
    riff = [(o, d) for o, d in [(0.0, 0.4), (0.5, 0.4), (1.5, 1.0), (3.0, 0.4), (3.5, 0.9),
                                (4.5, 0.5), (5.5, 1.5)] if rng.random() < 0.7] or [(0.0, 1.0)]
    for h, name in enumerate(names):
        inst = insts[name]
        part = Part(f"{prefix}{h + 1}", name, inst.program)
        centre = inst.low + rng.uniform(0.3, 0.6) * (inst.high - inst.low)
        prev = centre
        beats, durs, pitches, vels = [], [], [], []
        for s0, s1 in spans:
            if mode == "riff":
                hits = [(s0 + k * 8 + o, d) for k in range(int((s1 - s0) // 8) + 1) for o, d in riff]
            elif mode == "pads":
                hits = [(c.start, c.beats) for c in chords if s0 <= c.start < s1]
            else:
                hits = [(x, float(rng.choice([1.0, 2.0, 2.0, 3.0, 4.0]))) for x in np.arange(s0, s1, 2.0)
                        if rng.random() < 0.8]
            for pos, d in hits:
                if pos >= s1:
                    continue
                ch = chord_at(chords, pos + 0.01)
                tones = VOICING_TONES[ch.quality]
                pc = (ch.root + tones[min(h, len(tones) - 1)]) % 12 if mode != "counterline" \
                    else (ch.root + int(rng.choice(tones[:3]))) % 12
                p = _nearest([pc], prev, inst.low, inst.high)
                beats.append(pos); durs.append(min(d, s1 - pos) * 0.95); pitches.append(p)
                vels.append(58 if mode == "pads" else 72)
                prev = 0.7 * p + 0.3 * centre
        feel.notes(part, beats, durs, pitches, vels, humanise=0.7, vel_jitter=5.0)
        for t, d, p, v in part.notes:
            if d > 0.5:
                part.ccs.extend([(t, 11, 70), (t + d * 0.5, 11, 105), (t + d * 0.95, 11, 75)])
                part.bends.append((t, 0))
                rate, depth = rng.uniform(4.5, 6.0), rng.uniform(10, 25)
                for x in np.arange(t + 0.25, t + d, 0.02):
                    part.bends.append((float(x), int(depth / 200 * 8192 * np.sin(2 * np.pi * rate * (x - t)))))
                part.bends.append((t + d, 0))
        parts.append(part)
    return parts, mode
