"""General-MIDI instruments used by the synthesiser, with idiomatic ranges.

Ranges are MIDI note numbers (60 = middle C, written at sounding pitch) and are the
comfortable solo ranges, a little inside the extremes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Instrument:
    """One instrument.

    Attributes
    ----------
    name : str
        Key used in meta.json.
    program : int
        General-MIDI program (0-based).
    low, high : int
        Idiomatic range, MIDI note numbers (sounding pitch).
    wind : bool
        Breath instrument: gets swells, scoops and falls.
    vibrato : bool
        Gets pitch-bend vibrato on long notes.
    sustain : bool
        Can sustain a note (False for plucked/struck: vibraphone, guitar, piano).
    """

    name: str
    program: int
    low: int
    high: int
    wind: bool = True
    vibrato: bool = True
    sustain: bool = True


SOLO_INSTRUMENTS: dict[str, Instrument] = {
    i.name: i
    for i in (
        Instrument("trumpet", 56, 55, 82),
        Instrument("muted_trumpet", 59, 55, 80),
        Instrument("cornet", 56, 55, 77),
        Instrument("clarinet", 71, 52, 86),
        Instrument("soprano_sax", 64, 56, 85),
        Instrument("alto_sax", 65, 49, 80),
        Instrument("tenor_sax", 66, 44, 75),
        Instrument("baritone_sax", 67, 36, 68),
        Instrument("trombone", 57, 40, 72),
        Instrument("flute", 73, 60, 93),
        Instrument("vibraphone", 11, 53, 89, wind=False, vibrato=False, sustain=False),
        Instrument("guitar", 26, 48, 84, wind=False, vibrato=False, sustain=False),
        Instrument("piano", 0, 55, 91, wind=False, vibrato=False, sustain=False),
        Instrument("violin", 40, 55, 93, wind=False, vibrato=True, sustain=True),
    )
}
"""The solo instruments (14), keyed by name."""

#: Wind instruments that can play horn backgrounds / counter-lines (section voices).
SECTION_INSTRUMENTS: dict[str, Instrument] = {
    n: SOLO_INSTRUMENTS[n]
    for n in ("trumpet", "muted_trumpet", "clarinet", "alto_sax", "tenor_sax",
              "baritone_sax", "trombone", "flute")
}

#: Rhythm-section instruments (accompaniment).
PIANO = Instrument("piano", 0, 48, 79, wind=False, vibrato=False, sustain=False)
GUITAR = Instrument("guitar", 25, 48, 72, wind=False, vibrato=False, sustain=False)
JAZZ_GUITAR = Instrument("jazz_guitar", 26, 48, 72, wind=False, vibrato=False, sustain=False)
BANJO = Instrument("banjo", 105, 48, 74, wind=False, vibrato=False, sustain=False)
BASS = Instrument("acoustic_bass", 32, 28, 55, wind=False, vibrato=False, sustain=False)
TUBA = Instrument("tuba", 58, 28, 53, vibrato=False)
COMP_INSTRUMENTS = {i.name: i for i in (PIANO, GUITAR, JAZZ_GUITAR, BANJO)}

DRUM_CHANNEL = 9
#: GM percussion keys.
KICK, SIDE_STICK, SNARE, CLOSED_HH, PEDAL_HH, OPEN_HH = 36, 37, 38, 42, 44, 46
CRASH, RIDE, RIDE_BELL, LOW_TOM, HIGH_TOM, WOODBLOCK = 49, 51, 53, 45, 50, 76
#: GS/GM2 drum-kit programs on bank 128: 0 standard, 32 jazz, 40 brush.
KIT_STANDARD, KIT_JAZZ, KIT_BRUSH = 0, 32, 40
