"""Tags (title, artist, album, date, ...) carried from an input to every file made from it.

Read and written through libsndfile's string fields: WAV (LIST/INFO), FLAC and OGG
(Vorbis comments) keep them all; AIFF and MP3 (ID3v2) keep title, artist and comment
(libsndfile drops album and date there).
Each output's title names its stem, ``"<title> (solo)"``, and the comment names the
software and model versions that made it.
"""

from __future__ import annotations

import os

import soundfile as sf

from jazzremix_gui import __version__

#: The software tag of every file Jazz Remix writes.
SOFTWARE = f"Jazz Remix {__version__}"

#: libsndfile string fields, in soundfile's names.
FIELDS = ("title", "artist", "album", "date", "genre", "tracknumber", "copyright", "license", "comment", "software")
#: Fields an output takes over from its input unchanged (title, comment and software are rewritten).
CARRIED = ("artist", "album", "date", "genre", "tracknumber", "copyright", "license")


def read_tags(path) -> dict:
    """The input's tags as ``{field: text}`` (empty when it has none or libsndfile cannot read them)."""
    from jazzremix_gui.core.audio.damage import decoder_output

    try:
        with decoder_output(), sf.SoundFile(os.fsencode(path)) as f:  # mpg123 talks on stderr when it opens a file
            meta = f.copy_metadata()
    except Exception:  # noqa: BLE001 - tags are a nicety: a file libsndfile reads without them has none
        return {}
    return {k: str(v) for k, v in meta.items() if k in FIELDS and str(v).strip()}


def output_tags(input_tags: dict, name: str, stem: str, models: dict | None = None, software: str = SOFTWARE) -> dict:
    """Tags of one output file.

    Parameters
    ----------
    input_tags : dict
        From :func:`read_tags`.
    name : str
        The input's name without extension (the title when the input has none).
    stem : str
        ``solo``, ``accompaniment`` or ``remix``.
    models : dict, optional
        ``{"separator": version, "mixer": version}``; empty versions are left out.
    software : str
        Default :data:`SOFTWARE`, e.g. ``"Jazz Remix 0.4.0"``.
    """
    out = {k: input_tags[k] for k in CARRIED if input_tags.get(k)}
    out["title"] = f"{input_tags.get('title') or name} ({stem})"
    used = ", ".join(f"{k} {v}" for k, v in (models or {}).items() if v)
    out["comment"] = f"{stem} made by {software}" + (f" ({used})" if used else "")
    out["software"] = software
    return out


def apply_tags(soundfile_obj, tags: dict) -> None:
    """Set tags on a file open for writing (before its first sample: FLAC and OGG need them first)."""
    for key, value in tags.items():
        if key in FIELDS and value:
            try:
                setattr(soundfile_obj, key, value)
            except Exception:  # noqa: BLE001 - a field this format cannot hold is skipped, never fatal
                pass
