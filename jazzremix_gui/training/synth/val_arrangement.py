"""The validation-only arrangement generator (``jazzremix synth --generator val``).

A separator validated on tracks made by the code that made its training data can learn
the generator (its voicings, bass lines, drum patterns) rather than the instruments. This
module is a second, independent generator, written without the training generator's
modules (it imports none of ``arrangement``, ``comping``, ``solo_lines``, ``drums``,
``styles``, ``theory`` or ``instruments``, and from ``timing`` only the :class:`Part` record;
``tests/test_val_generator.py`` checks it), used only for validation sets and never by
training:

* its own idioms (:data:`IDIOMS`): jazz waltz in 3/4, shuffle blues, modal vamp,
  latin (montuno), stride two-feel, slow ballad in 12/8 feel, each with its own tempo
  range, meter and swing;
* its own harmony: minor blues, rhythm-style turnarounds, two-chord modal vamps and
  descending ii-V chains (:data:`PROGRESSIONS`), in root-position semitone arithmetic;
* its own comping: shell voicings (3rd and 7th), quartal stacks, block chords, organ pads
  and montuno figures; its own bass lines: chromatic-approach walking, pedal ostinati,
  tumbao, root-fifth two-feel; its own drum patterns (waltz ride, shuffle, brushes in
  12/8, cascara, stride);
* a motif-based solo: a short motif transposed and varied over the changes, with runs,
  long tones and rests;
* its own instrument table (:data:`VAL_SOLOISTS`: twelve solo instruments, harmonica
  among them; electric piano and organ among the compers).

Parts are the renderer's :class:`~.timing.Part` records (``(start_s, dur_s, pitch,
velocity)`` notes), the only type shared with training, so the same renderer, mixdown
and degradations make the audio. Everything is drawn from the ``rng`` given.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .timing import Part

#: Name written into meta.json and dataset.json for tracks of this generator.
VAL_GENERATOR = "val-1.0"

#: (name, GM program, low, high, breath instrument)
VAL_SOLOISTS = (
    ("trumpet", 56, 56, 80, True), ("muted_trumpet", 59, 57, 79, True), ("clarinet", 71, 53, 84, True),
    ("soprano_sax", 64, 58, 84, True), ("alto_sax", 65, 51, 79, True), ("tenor_sax", 66, 46, 74, True),
    ("baritone_sax", 67, 38, 66, True), ("trombone", 57, 42, 70, True), ("flute", 73, 62, 91, True),
    ("vibraphone", 11, 55, 86, False), ("jazz_guitar", 26, 50, 82, False), ("harmonica", 22, 58, 86, True),
)
#: Compers: (name, GM program)
VAL_COMPERS = (("piano", 0), ("bright_piano", 1), ("electric_piano", 4), ("organ", 16), ("jazz_guitar", 26),
               ("nylon_guitar", 24))
#: Background horns: (name, GM program, low, high)
VAL_HORNS = (("trumpet", 56, 60, 77), ("trombone", 57, 45, 65), ("tenor_sax", 66, 50, 70),
             ("alto_sax", 65, 55, 74), ("french_horn", 60, 50, 70), ("clarinet", 71, 58, 79))

# chord qualities: intervals above the root (3rd, 5th, 7th, tension)
QUALITIES = {"maj7": (4, 7, 11, 14), "m7": (3, 7, 10, 14), "7": (4, 7, 10, 9), "m7b5": (3, 6, 10, 14),
             "dim7": (3, 6, 9, 14), "m6": (3, 7, 9, 14), "7alt": (4, 8, 10, 15), "sus": (5, 7, 10, 14)}
#: Progressions: one (degree in semitones above the key, quality, beats) per chord.
PROGRESSIONS = {
    "minor_blues": [(0, "m7", 4)] * 4 + [(5, "m7", 4)] * 2 + [(0, "m7", 4)] * 2
                   + [(8, "7", 4), (7, "7alt", 4), (0, "m7", 4), (7, "7alt", 4)],
    "rhythm_a": [(0, "maj7", 2), (9, "m7", 2), (2, "m7", 2), (7, "7", 2)] * 3
                + [(0, "maj7", 2), (0, "7", 2), (5, "maj7", 2), (6, "dim7", 2),
                   (0, "maj7", 2), (7, "7", 2), (0, "maj7", 4)],
    "modal_vamp": [(0, "m7", 8), (2, "m7", 8)] * 2 + [(0, "sus", 8), (10, "maj7", 8)],
    "iiv_chain": [(2, "m7", 2), (7, "7", 2), (0, "maj7", 4), (0, "m7", 2), (5, "7", 2), (10, "maj7", 4),
                  (10, "m7", 2), (3, "7", 2), (8, "maj7", 4), (1, "m7b5", 2), (6, "7alt", 2), (2, "m7", 2),
                  (7, "7", 2)],
    "minor_descent": [(0, "m7", 4), (0, "m6", 4), (10, "7", 4), (9, "m7b5", 4), (8, "maj7", 4), (7, "7alt", 4),
                      (0, "m7", 8)],
}


@dataclass(frozen=True)
class Idiom:
    """One validation idiom: meter, tempo range, swing, harmony and rhythm-section choices."""

    name: str
    meter: int                # beats per bar
    tempo: tuple[float, float]
    swing: tuple[float, float]  # off-beat position inside the beat (0.5 straight)
    progressions: tuple[str, ...]
    bass: str                 # walk | pedal | tumbao | root_fifth
    comp: str                 # shells | quartal | block | pads | montuno | stride
    drums: str                # waltz | shuffle | brushes12 | cascara | stride
    density: float            # share of short notes in the solo


IDIOMS = {i.name: i for i in (
    Idiom("jazz_waltz", 3, (120, 200), (0.58, 0.66), ("rhythm_a", "iiv_chain"), "walk", "shells", "waltz", 0.55),
    Idiom("shuffle_blues", 4, (90, 150), (0.64, 0.7), ("minor_blues",), "walk", "pads", "shuffle", 0.5),
    Idiom("modal", 4, (150, 240), (0.54, 0.62), ("modal_vamp",), "pedal", "quartal", "shuffle", 0.7),
    Idiom("latin", 4, (160, 230), (0.5, 0.52), ("minor_descent", "iiv_chain"), "tumbao", "montuno", "cascara", 0.6),
    Idiom("stride", 4, (170, 260), (0.6, 0.68), ("rhythm_a",), "root_fifth", "stride", "stride", 0.6),
    Idiom("ballad_12_8", 4, (58, 80), (0.62, 0.68), ("minor_descent", "iiv_chain"), "root_fifth", "block",
          "brushes12", 0.35),
)}


class Clock:
    """Beats to seconds: tempo, swing of the off-beat eighth and a small random push/drag."""

    def __init__(self, tempo: float, swing: float, rng: np.random.Generator, sloppiness_s: float):
        self.spb, self.swing, self.rng, self.slop = 60.0 / tempo, swing, rng, sloppiness_s

    def at(self, beat: float, loose: float = 1.0) -> float:
        whole = np.floor(beat)
        f = beat - whole
        f = f * 2 * self.swing if f < 0.5 else self.swing + (f - 0.5) * 2 * (1 - self.swing)
        return max(0.0, (whole + f) * self.spb + float(self.rng.normal(0, self.slop * loose)))

    def add(self, part: Part, beat: float, beats: float, pitch: int, vel: float, loose: float = 1.0) -> None:
        t0 = self.at(beat, loose)
        t1 = max(self.at(beat + beats, 0.0) - 0.01, t0 + 0.04)
        part.notes.append((t0, t1 - t0, int(pitch), int(np.clip(round(vel), 1, 127))))


def chord_timeline(prog: list, key: int, total_beats: float, start: int) -> list[tuple[float, float, int, str]]:
    """``(beat, beats, root pitch class, quality)`` for the whole track, looping the progression."""
    out, beat, i = [], 0.0, start % len(prog)
    while beat < total_beats:
        deg, q, n = prog[i]
        out.append((beat, float(n), (key + deg) % 12, q))
        beat += n
        i = (i + 1) % len(prog)
    return out


def _fit(pc: int, low: int, high: int, near: float) -> int:
    """The pitch of class ``pc`` in ``[low, high]`` closest to ``near``."""
    cands = [p for p in range(low, high + 1) if p % 12 == pc % 12]
    return min(cands, key=lambda p: abs(p - near)) if cands else int(np.clip(near, low, high))


def chord_tones(root: int, q: str) -> list[int]:
    return [root % 12] + [(root + iv) % 12 for iv in QUALITIES[q]]


def solo_line(inst, chords, clk: Clock, idiom: Idiom, rng, total_beats: float) -> Part:
    """Motif-based solo: a 3-6 note motif, transposed to each chord's tones, varied, with rests."""
    name, prog, low, high, breath = inst
    part = Part("solo", name, prog)
    centre = (low + high) / 2
    motif = [(float(rng.choice([0.5, 0.5, 1.0, 1.5] if rng.random() < idiom.density else [1.0, 2.0, 3.0])),
              int(rng.integers(0, 5)), int(rng.choice([-1, 1]))) for _ in range(int(rng.integers(3, 7)))]
    beat, prev = float(rng.choice([0.0, 0.5, 1.0])), centre
    for c_beat, c_len, root, q in chords:
        tones = chord_tones(root, q)
        if beat >= c_beat + c_len:
            continue
        if rng.random() < 0.18:                                  # breathe: skip this chord
            beat = c_beat + c_len + float(rng.choice([0.0, 0.5]))
            continue
        shift = int(rng.integers(-2, 3))
        run = rng.random() < 0.2 * idiom.density
        for dur, step, sign in (motif if not run else [(0.5, k, 1) for k in range(8)]):
            if beat >= min(c_beat + c_len, total_beats):
                break
            pc = tones[(step + shift) % len(tones)]
            target = prev + sign * float(rng.uniform(1, 5)) if not run else prev + 2
            pitch = _fit(pc, low, high, target if low + 3 < target < high - 3 else centre)
            vel = rng.uniform(70, 105) + (8 if dur >= 2 else 0)
            clk.add(part, beat, dur * (0.92 if breath else 1.0), pitch, vel)
            if breath and dur >= 2 and rng.random() < 0.5:       # a slow pitch-bend vibrato on long tones
                t0, spb = clk.at(beat, 0.0), clk.spb
                for k in range(int(dur * spb / 0.05)):
                    part.bends.append((t0 + 0.3 + 0.05 * k, int(350 * np.sin(2 * np.pi * 5.2 * 0.05 * k))))
                part.bends.append((t0 + dur * spb, 0))
            prev = pitch
            beat += dur
        if rng.random() < 0.3:                                   # vary the motif for the next chord
            k = int(rng.integers(len(motif)))
            d, s, g = motif[k]
            motif[k] = (d, (s + int(rng.integers(1, 3))) % 5, -g)
    return part


def bass_line(kind: str, chords, clk: Clock, meter: int, rng, tuba: bool) -> Part:
    part = Part("bass", "tuba" if tuba else "fretless_bass" if rng.random() < 0.3 else "acoustic_bass",
                58 if tuba else 35 if rng.random() < 0.3 else 32)
    lo, hi = 28, 52
    prev = 40.0
    for i, (c_beat, c_len, root, q) in enumerate(chords):
        nxt = chords[i + 1][2] if i + 1 < len(chords) else root
        r = _fit(root, lo, hi, prev)
        fifth = _fit(root + QUALITIES[q][1], lo, hi, r + 5)
        if kind == "walk":
            n = int(c_len)
            tones = [r] + [_fit(t, lo, hi, r + 4) for t in chord_tones(root, q)[1:3]]
            for k in range(n):
                p = r if k == 0 else (_fit(nxt, lo, hi, r) + int(rng.choice([-1, 1])) if k == n - 1
                                      else int(rng.choice(tones)))
                clk.add(part, c_beat + k, 0.9, int(np.clip(p, lo, hi)), rng.uniform(80, 100), 0.6)
        elif kind == "pedal":
            for k in np.arange(0, c_len, 1.5):
                clk.add(part, c_beat + k, 1.2, r if rng.random() < 0.7 else fifth, rng.uniform(85, 100), 0.4)
        elif kind == "tumbao":
            for k in np.arange(0, c_len, 2.0):
                clk.add(part, c_beat + k + 1.5, 1.5, _fit(nxt, lo, hi, r) if k + 2 >= c_len else r,
                        rng.uniform(85, 105), 0.4)
                clk.add(part, c_beat + k + 1.0, 0.5, fifth, rng.uniform(70, 90), 0.4)
        else:  # root_fifth
            for k in range(0, int(c_len), 2 if meter == 4 else 3):
                clk.add(part, c_beat + k, 1.6, r if (k // 2) % 2 == 0 else fifth, rng.uniform(80, 100), 0.5)
        prev = r
    return part


def comp_part(kind: str, comper, chords, clk: Clock, meter: int, rng) -> Part:
    part = Part("comp", comper[0], comper[1])
    for c_beat, c_len, root, q in chords:
        iv = QUALITIES[q]
        base = _fit(root, 48, 59, 53)
        if kind == "shells":
            voicing = [base + iv[0], base + iv[2]] if rng.random() < 0.5 else [base + iv[2] - 12, base + iv[0] + 12]
        elif kind == "quartal":
            top = _fit(root + iv[3], 60, 72, 66)
            voicing = [top - 10, top - 5, top]
        elif kind == "block":
            voicing = [base + iv[0], base + iv[1], base + iv[2], base + iv[3]]
        elif kind == "pads":
            voicing = [base + iv[0], base + iv[2], base + 12 + iv[1]]
        elif kind == "montuno":
            voicing = [base + iv[0], base + iv[1] + 12]
        else:  # stride: a low root then a mid chord
            voicing = [base + iv[0], base + iv[1], base + iv[2]]
        if kind == "pads":
            for p in voicing:
                clk.add(part, c_beat, c_len - 0.1, p, rng.uniform(50, 70), 0.2)
        elif kind == "montuno":
            for k in np.arange(0, c_len, 0.5):
                if rng.random() < 0.75:
                    clk.add(part, c_beat + k, 0.4, voicing[int(k * 2) % 2], rng.uniform(60, 85), 0.3)
        elif kind == "stride":
            for k in range(int(c_len)):
                if k % 2 == 0:
                    clk.add(part, c_beat + k, 0.8, _fit(root, 36, 47, 41), rng.uniform(70, 90), 0.4)
                else:
                    for p in voicing:
                        clk.add(part, c_beat + k, 0.6, p, rng.uniform(60, 80), 0.4)
        else:
            hits = [0.0] if meter == 3 else []
            for k in np.arange(0.5 if meter == 4 else 1.0, c_len, 1.0 if meter == 3 else 1.5):
                if rng.random() < 0.6:
                    hits.append(float(k))
            for h in hits or [0.0]:
                dur = float(rng.choice([0.4, 0.9, 1.8]))
                for p in voicing:
                    clk.add(part, c_beat + h, min(dur, c_len - h), p, rng.uniform(55, 80), 0.4)
    return part


# GM percussion keys (the renderer's kit convention)
_KICK, _RIM, _SNARE, _CHH, _PHH, _RIDE, _CRASH, _TOM, _COWBELL, _CLAVE = 36, 37, 38, 42, 44, 51, 49, 45, 56, 75


def drum_part(kind: str, clk: Clock, meter: int, total_beats: float, rng) -> Part:
    part = Part("drums", f"drums_{kind}", 0, bank=128, drum=True)
    n_bars = int(np.ceil(total_beats / meter))
    for bar in range(n_bars):
        b = float(bar * meter)
        hits: list[tuple[float, int, float]] = []
        if kind == "waltz":
            hits += [(0, _RIDE, 80), (1, _RIDE, 70), (1.66, _RIDE, 50), (2, _RIDE, 70), (1, _PHH, 60), (2, _PHH, 60)]
            hits += [(0, _KICK, 45)] + ([(2.5, _SNARE, 50)] if rng.random() < 0.3 else [])
        elif kind == "shuffle":
            for k in range(meter):
                hits += [(k, _RIDE, 78), (k + 0.5, _RIDE, 52)]
            hits += [(1, _SNARE, 70), (3, _SNARE, 70), (0, _KICK, 60), (2, _KICK, 55), (1, _PHH, 55), (3, _PHH, 55)]
        elif kind == "brushes12":
            for k in np.arange(0, meter, 1 / 3):
                hits.append((float(k), _SNARE, 25 + 10 * (abs(k % 1) < 0.01)))
            hits += [(1, _SNARE, 50), (3, _SNARE, 50), (0, _KICK, 30)]
        elif kind == "cascara":
            for k in (0, 0.5, 1.5, 2, 2.5, 3, 3.5) if bar % 2 == 0 else (0, 1, 1.5, 2.5, 3):
                hits.append((k, _RIM, 62))
            hits += [(0, _CLAVE, 55), (1.5, _CLAVE, 55), (3, _CLAVE, 55)] if bar % 2 == 0 else [(1, _CLAVE, 55),
                                                                                                  (2, _CLAVE, 55)]
            hits += [(1.5, _KICK, 70), (3, _KICK, 62), (2, _COWBELL, 40)]
        else:  # stride: snare backbeat with hi-hat
            hits += [(0, _KICK, 70), (2, _KICK, 65), (1, _SNARE, 72), (3, _SNARE, 72)]
            hits += [(k / 2, _CHH, 45 + 10 * (k % 2 == 0)) for k in range(2 * meter)]
        if bar % 8 == 7 and rng.random() < 0.5:                   # a fill into the next section
            hits += [(meter - 1 + k / 4, int(rng.choice([_SNARE, _TOM])), 60 + 6 * k) for k in range(4)]
        if bar % 8 == 0 and bar > 0:
            hits.append((0, _CRASH, 75))
        for x, key, vel in hits:
            if b + x < total_beats:
                clk.add(part, b + x, 0.25, key, vel + rng.normal(0, 4), 0.4)
    return part


def horn_pads(chords, clk: Clock, rng, solo_name: str) -> list[Part]:
    """Two or three background horns holding chord tones, one held note per chord change."""
    pool = [h for h in VAL_HORNS if h[0] != solo_name]
    picks = rng.choice(len(pool), size=int(rng.integers(2, 4)), replace=False)
    parts = []
    for n, k in enumerate(picks):
        name, prog, low, high = pool[int(k)]
        part = Part(f"horn{n + 1}", name, prog)
        for c_beat, c_len, root, q in chords:
            if rng.random() < 0.35:
                continue
            tone = chord_tones(root, q)[1 + (n % 3)]
            clk.add(part, c_beat + float(rng.choice([0.0, 0.5])), max(0.5, c_len - 0.5),
                    _fit(tone, low, high, (low + high) / 2), rng.uniform(55, 75), 0.3)
        parts.append(part)
    return parts


def plan_val_track(seconds: float, rng: np.random.Generator):
    """Plan one validation track.

    Parameters
    ----------
    seconds : float
        Length in seconds.
    rng : numpy.random.Generator
        Source of every choice.

    Returns
    -------
    parts : list of Part
        ``parts[0]`` is the solo; the rest are accompaniment.
    info : dict
        JSON-ready description (idiom, tempo, meter, key, progression, instruments).
    """
    idiom = IDIOMS[str(rng.choice(sorted(IDIOMS)))]
    soloist = VAL_SOLOISTS[int(rng.integers(len(VAL_SOLOISTS)))]
    tempo = float(round(rng.uniform(*idiom.tempo)))
    clk = Clock(tempo, float(rng.uniform(*idiom.swing)), rng, float(rng.uniform(0.004, 0.014)))
    key = int(rng.integers(12))
    prog_name = str(rng.choice(idiom.progressions))
    prog = PROGRESSIONS[prog_name]
    total_beats = seconds / clk.spb + idiom.meter
    chords = chord_timeline(prog, key, total_beats, int(rng.integers(len(prog))))
    comper = VAL_COMPERS[int(rng.integers(len(VAL_COMPERS)))]
    parts = [solo_line(soloist, chords, clk, idiom, rng, total_beats),
             bass_line(idiom.bass, chords, clk, idiom.meter, rng, tuba=idiom.name == "stride" and rng.random() < 0.4),
             comp_part(idiom.comp, comper, chords, clk, idiom.meter, rng),
             drum_part(idiom.drums, clk, idiom.meter, total_beats, rng)]
    horns = rng.random() < 0.4
    if horns:
        parts += horn_pads(chords, clk, rng, soloist[0])
    for p in parts:
        p.notes = [n for n in p.notes if n[0] < seconds - 0.05]
    info = {"style": idiom.name, "meter": idiom.meter, "tempo": tempo, "swing_ratio": round(clk.swing, 4),
            "key": int(key), "form": prog_name, "instrument": soloist[0], "solo_program": soloist[1],
            "accompaniment_instruments": [p.instrument for p in parts[1:]], "horn_backgrounds": bool(horns)}
    return parts, info
