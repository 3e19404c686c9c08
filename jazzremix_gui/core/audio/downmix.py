"""Multi-channel input folded to stereo: ITU-R BS.775 for 5.1 and 7.1, a documented fold for 3 to 8 channels.

Jazz Remix separates a stereo (or mono) mixture. Files with more channels (4-channel
transfers, 5.1 and 7.1 remasters) are downmixed as they are read, with one warning line
(:func:`describe`) saying which layout was assumed and what was done.

Channel order: when the file names its channels (a WAVE_FORMAT_EXTENSIBLE channel mask,
a CAF layout: libsndfile's channel map), that map is used. Otherwise the WAV default
order for the count (Microsoft's WAVE_FORMAT_EXTENSIBLE speaker order, as SMPTE ST 2036-2
/ ITU-R BS.2051 number them) is assumed:

===  ==============================  =========================================
 n   layout assumed                  why
===  ==============================  =========================================
 3   L R C                           3/0, the front of BS.775
 4   L R Ls Rs (quad)                WAVE's default 4-channel mask; quadraphonic
                                     transfers are the 4-channel jazz sources
 5   L R C Ls Rs (5.0)               3/2 without LFE
 6   L R C LFE Ls Rs (5.1)           SMPTE / WAVE order
 7   L R C LFE Cs Ls Rs (6.1)        WAVE order (back centre before the sides)
 8   L R C LFE Lb Rb Ls Rs (7.1)     WAVE order (backs, then sides)
===  ==============================  =========================================

Coefficients (ITU-R BS.775-3, Table 2 "3/2 -> 2/0"): ``Lo = L + 0.7071 C + 0.7071 Ls``,
``Ro = R + 0.7071 C + 0.7071 Rs``. The 7.1 backs go with the sides of their own side
(0.7071 each); a back centre (6.1) splits at 0.5 into both. The LFE is dropped, as
BS.775 does (it carries no content a stereo playback needs, and adding it unfiltered
would only muddy the bass the separator sees). No normalisation: the front channels
keep their level, so a stereo-compatible mix stays as it was; overs are float here and
the outputs' clip mode (:mod:`core.audio.headroom`) deals with them.
"""

from __future__ import annotations

import os

import numpy as np
import soundfile as sf
from soundfile import _ffi, _snd

#: -3 dB, BS.775's weight of the centre and surround channels.
MINUS_3DB = float(np.sqrt(0.5))

#: Position name -> (weight into left, weight into right).
WEIGHTS = {
    "L": (1.0, 0.0), "R": (0.0, 1.0), "C": (MINUS_3DB, MINUS_3DB), "LFE": (0.0, 0.0),
    "Ls": (MINUS_3DB, 0.0), "Rs": (0.0, MINUS_3DB), "Lb": (MINUS_3DB, 0.0), "Rb": (0.0, MINUS_3DB),
    "Cs": (0.5, 0.5), "Lc": (1.0, 0.0), "Rc": (0.0, 1.0), "M": (MINUS_3DB, MINUS_3DB),
    "T": (0.5, 0.5), "Ltf": (MINUS_3DB, 0.0), "Rtf": (0.0, MINUS_3DB), "Ctf": (0.5, 0.5),
    "Ltb": (MINUS_3DB, 0.0), "Rtb": (0.0, MINUS_3DB), "Ctb": (0.5, 0.5),
}

#: Default layout per channel count (no channel map in the file).
DEFAULT_LAYOUTS = {
    3: ("L", "R", "C"),
    4: ("L", "R", "Ls", "Rs"),
    5: ("L", "R", "C", "Ls", "Rs"),
    6: ("L", "R", "C", "LFE", "Ls", "Rs"),
    7: ("L", "R", "C", "LFE", "Cs", "Ls", "Rs"),
    8: ("L", "R", "C", "LFE", "Lb", "Rb", "Ls", "Rs"),
}
#: Common names of the default layouts.
LAYOUT_NAMES = {3: "3.0", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}

#: libsndfile's SF_CHANNEL_MAP_* positions -> our names (sndfile.h order).
SF_POSITIONS = {1: "M", 2: "L", 3: "R", 4: "C", 5: "L", 6: "R", 7: "C", 8: "Cs", 9: "Lb", 10: "Rb", 11: "LFE",
                12: "Lc", 13: "Rc", 14: "Ls", 15: "Rs", 16: "T", 17: "Ltf", 18: "Rtf", 19: "Ctf", 20: "Ltb",
                21: "Rtb", 22: "Ctb"}
#: libsndfile's command that reads a file's channel map.
SFC_GET_CHANNEL_MAP_INFO = 0x1100
#: Most channels a file may have (a documented fold exists up to here).
MAX_CHANNELS = 8


def file_channel_map(path) -> list | None:
    """libsndfile's channel map of a file (``SF_CHANNEL_MAP_*`` per channel), or None when it has none."""
    from jazzremix_gui.core.audio.damage import decoder_output

    try:
        with decoder_output(), sf.SoundFile(os.fsencode(path)) as f:
            buf = _ffi.new("int[]", f.channels)
            if _snd.sf_command(f._file, SFC_GET_CHANNEL_MAP_INFO, buf, _ffi.sizeof(buf)) != 1:
                return None
            return list(buf)
    except (sf.LibsndfileError, RuntimeError, AttributeError):  # AttributeError: a soundfile without these internals
        return None


def layout_for(channels: int, channel_map=None) -> tuple[str, ...]:
    """Position names of a file's channels: its own map when complete and known, else :data:`DEFAULT_LAYOUTS`.

    Parameters
    ----------
    channels : int
        3 .. :data:`MAX_CHANNELS`.
    channel_map : sequence of int, optional
        libsndfile's ``SF_CHANNEL_MAP_*`` codes, one per channel (zeros or None: no map; a
        map naming a position twice or an unknown one is ignored).
    """
    if channel_map is not None and len(channel_map) == channels and all(c in SF_POSITIONS for c in channel_map):
        names = tuple(SF_POSITIONS[c] for c in channel_map)
        if len(set(channel_map)) == channels:  # a position twice: a broken map, not a layout
            return names
    return DEFAULT_LAYOUTS[channels]


def matrix(layout) -> np.ndarray:
    """The ``(channels, 2)`` float32 downmix matrix of a layout (rows: input channels; columns: L, R)."""
    return np.array([WEIGHTS[name] for name in layout], np.float32)


def to_stereo(block: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """Downmix a ``(m, channels)`` block with a :func:`matrix`; returns ``(m, 2)`` float32."""
    return np.asarray(block, np.float32) @ mix


def describe(channels: int, layout) -> str:
    """What was done, for the warning line and the app: layout, coefficients, the LFE."""
    default = tuple(layout) == DEFAULT_LAYOUTS[channels]
    name = f"{LAYOUT_NAMES[channels]}, assumed order" if default else "the file's channel map, read order"
    lfe = "; LFE dropped" if "LFE" in layout else ""
    return (f"{channels} channels ({name} {' '.join(layout)}) downmixed to stereo with ITU-R BS.775 coefficients "
            f"(centre and surrounds at -3 dB){lfe}")


def short(channels: int, layout) -> str:
    """A few words for a track list: ``5.1 downmixed to stereo``."""
    default = tuple(layout) == DEFAULT_LAYOUTS[channels]
    return f"{LAYOUT_NAMES[channels] if default else f'{channels} channels'} downmixed to stereo"
