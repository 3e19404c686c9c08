"""Look-alike material (#21): teach what the solo *does*, not what its samples sound like.

A separator trained on a few soundfonts can learn "these samples are the solo". On unseen
timbres it then hands accompaniment horns that sound like a solo instrument to the solo.
Two additions, each drawn per track with probability ``lookalike`` (``jazzremix synth
--lookalike P``):

* **soundfont swap**: the solo switches soundfont between its phrases (two sample sets of
  one instrument in one track), so no single sample set is "the solo";
* **twin section**: a sustaining solo (winds, violin) gets a background section of its own
  instrument in the accompaniment (pads, riffs or a counter-line in the same register;
  :func:`.comping.horn_parts` with ``twin``), so the same timbre is solo when it leads and
  accompaniment when it pads.

Both keep ``mixture = solo + accompaniment`` exact: they only choose which notes go to
which render.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .timing import Part

#: A rest of at least this many seconds between two solo notes ends a phrase.
PHRASE_GAP_S = 0.25


def phrases(notes: list) -> list[list]:
    """Split notes ``(start_s, duration_s, pitch, velocity)`` into phrases at rests.

    Returns
    -------
    list of list of tuple
        The notes in time order, grouped; a new phrase starts after a rest of at least
        :data:`PHRASE_GAP_S` (the previous notes' latest end to the next start).
    """
    out: list[list] = []
    end = -np.inf
    for n in sorted(notes):
        if not out or n[0] - end >= PHRASE_GAP_S:
            out.append([])
        out[-1].append(n)
        end = max(end, n[0] + n[1])
    return out


def split_solo(part: Part, rng: np.random.Generator) -> tuple[Part, Part, dict]:
    """Deal the solo's phrases alternately to two parts (to be rendered with two soundfonts).

    One phrase only: it is cut in two at its middle note. Pitch bends and controllers go to
    both parts (each part is rendered on its own channel, so they affect only its notes).

    Parameters
    ----------
    part : Part
        The solo.
    rng : numpy.random.Generator
        Decides which part takes the first phrase.

    Returns
    -------
    first, second : Part
        ``first`` keeps the solo's name, ``second`` is named ``{name}_b``; together they hold
        every note once.
    info : dict
        ``phrases`` (count) and ``second_share`` (the second part's share of the notes).
    """
    groups = phrases(part.notes)
    if len(groups) == 1 and len(groups[0]) > 1:
        k = len(groups[0]) // 2
        groups = [groups[0][:k], groups[0][k:]]
    start = int(rng.integers(2))
    a = [n for i, g in enumerate(groups) if (i + start) % 2 == 0 for n in g]
    b = [n for i, g in enumerate(groups) if (i + start) % 2 == 1 for n in g]
    first = dataclasses.replace(part, notes=a, bends=list(part.bends), ccs=list(part.ccs))
    second = dataclasses.replace(part, name=f"{part.name}_b", notes=b, bends=list(part.bends), ccs=list(part.ccs))
    return first, second, {"phrases": len(groups), "second_share": round(len(b) / max(len(part.notes), 1), 3)}


def other_soundfont(current: str, soundfonts: list[str], rng: np.random.Generator) -> str:
    """A soundfont of ``soundfonts`` other than ``current`` (``current`` itself if it is the only one)."""
    others = [s for s in soundfonts if s != current]
    return others[int(rng.integers(len(others)))] if others else current
