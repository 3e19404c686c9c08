"""One track's arrangement: style, key, tempo, form, solo and accompaniment parts.

Everything is drawn from ``SeedSequence([seed, index])`` so a track does not depend on
which worker makes it. Styles and solo instruments are dealt from shuffled decks (one
shuffle per block of 6 / 14 tracks) so every style and instrument appears in any run of
consecutive tracks of that length.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .comping import bass_part, comp_part, horn_parts
from .drums import drum_part
from .instruments import BASS, SOLO_INSTRUMENTS, TUBA
from .solo_lines import solo_part
from .styles import STYLES
from .theory import KEY_NAMES, parse_form, progression
from .timing import Feel, Part

STYLE_NAMES = tuple(STYLES)
SOLO_NAMES = tuple(SOLO_INSTRUMENTS)


@dataclass
class Arrangement:
    """A planned track (MIDI-like events, no audio).

    Attributes
    ----------
    parts : list of Part
        ``parts[0]`` is the solo; the rest are accompaniment.
    info : dict
        JSON-ready description (style, tempo, key, form, instruments ...).
    """

    parts: list[Part]
    info: dict = field(default_factory=dict)

    @property
    def solo(self) -> Part:
        return self.parts[0]

    @property
    def accompaniment(self) -> list[Part]:
        return self.parts[1:]


def track_seed_sequence(seed: int, index: int) -> np.random.SeedSequence:
    """The root seed sequence of track ``index`` of a run with ``--seed seed``.

    Different ``seed`` values never give the same ``(seed, index)`` entropy, so a training
    set and a validation set made with different seeds share no track.
    """
    return np.random.SeedSequence([int(seed), int(index)])


def _deal(seed: int, index: int, items: tuple, salt: int):
    n = len(items)
    block, pos = divmod(index, n)
    perm = np.random.default_rng(np.random.SeedSequence([int(seed), block, salt, n])).permutation(n)
    return items[perm[pos]]


def plan_track(seed: int, index: int, seconds: float, rng: np.random.Generator | None = None,
               extra_horns: float = 0.0, extra_rng: np.random.Generator | None = None,
               twin: float = 0.0, twin_rng: np.random.Generator | None = None) -> Arrangement:
    """Plan track ``index``.

    Parameters
    ----------
    seed, index : int
        Run seed and track index.
    seconds : float
        Track length in seconds (events past it are rendered then cut).
    rng : numpy.random.Generator, optional
        Source of randomness; default the arrangement child of
        :func:`track_seed_sequence`.
    extra_horns : float
        Probability of adding horn backgrounds or a counter-line to a track that drew none
        (the hard case for a separator: horns in the accompaniment). The draw comes from
        ``extra_rng``, so ``extra_horns=0`` plans exactly the tracks of synth-1.0.
    extra_rng : numpy.random.Generator, optional
        Required when ``extra_horns > 0``.
    twin : float
        Probability that a sustaining solo instrument (winds, violin) also gets a section of its own
        instrument in the accompaniment (parts ``twin1`` ...; :mod:`.lookalike`). Drawn from
        ``twin_rng`` after everything else, so ``twin=0`` plans the same tracks as before.
    twin_rng : numpy.random.Generator, optional
        Required when ``twin > 0``.
    """
    if rng is None:
        rng = np.random.default_rng(track_seed_sequence(seed, index).spawn(3)[0])
    style = STYLES[_deal(seed, index, STYLE_NAMES, 11)]
    solo_inst = SOLO_INSTRUMENTS[_deal(seed, index, SOLO_NAMES, 13)]
    tempo = float(round(rng.uniform(*style.tempo)))
    swing = float(rng.uniform(*style.swing))
    key = int(rng.integers(12))
    form = str(rng.choice(style.forms))
    form_bars = len(parse_form(form))
    start_bar = 0 if rng.random() < 0.5 else int(rng.integers(form_bars))
    total_beats = seconds * tempo / 60.0 + 2.0
    n_bars = int(np.ceil(total_beats / 4)) + 1
    chords = progression(form, key, n_bars, start_bar)
    feel = Feel(tempo, swing, rng, jitter_ms=float(rng.uniform(4, 12)))

    solo, _ = solo_part(solo_inst, style, chords, feel, key, total_beats, rng)
    bass_inst = TUBA if rng.random() < style.tuba_prob else BASS
    parts = [solo, bass_part(style.bass, chords, feel, total_beats, rng, bass_inst)]
    comp_name = str(rng.choice(style.comp))
    parts.append(comp_part(comp_name, style, chords, feel, total_beats, rng))
    if rng.random() < 0.25 and style.name not in ("dixieland",):            # second comper
        other = [c for c in style.comp if c != comp_name]
        if other:
            p2 = comp_part(str(rng.choice(other)), style, chords, feel, total_beats, rng)
            p2.name = "comp2"
            parts.append(p2)
    parts.append(drum_part(style.drums, feel, total_beats, form_bars, start_bar, rng))
    horn_prob = 0.6 if style.name == "dixieland" else 0.4
    horn_mode = None
    if rng.random() < horn_prob:
        horns, horn_mode = horn_parts(style, chords, feel, total_beats, rng, solo_inst.name)
        parts.extend(horns)
    elif extra_horns > 0 and extra_rng is not None and extra_rng.random() < extra_horns:
        horns, horn_mode = horn_parts(style, chords, feel, total_beats, rng, solo_inst.name)  # rng: last use
        parts.extend(horns)
    twin_mode = None
    if twin > 0 and twin_rng is not None and solo_inst.sustain and twin_rng.random() < twin:
        section, twin_mode = horn_parts(style, chords, feel, total_beats, twin_rng, solo_inst.name,
                                        twin=solo_inst, prefix="twin")
        parts.extend(section)
    for p in parts:                                 # cut events past the end
        p.notes = [n for n in p.notes if n[0] < seconds - 0.05]
    info = {
        "style": style.name, "tempo": tempo, "swing_ratio": round(swing, 4),
        "key": KEY_NAMES[key], "form": form, "form_start_bar": start_bar,
        "instrument": solo_inst.name, "solo_program": solo_inst.program,
        "accompaniment_instruments": [p.instrument for p in parts[1:]],
        "horn_backgrounds": horn_mode is not None, "horn_mode": horn_mode,
    }
    if twin_mode is not None:
        info["twin_section"] = {"instrument": solo_inst.name, "mode": twin_mode,
                                "voices": sum(p.name.startswith("twin") for p in parts)}
    return Arrangement(parts, info)
