"""Tags (title, artist, album, date, genre, track number, ...) carried from an input to every file made from it.

Written twice, so that every tool finds them: libsndfile's string fields when the file is opened
(WAV LIST/INFO, AIFF NAME/AUTH/ANNO, Vorbis comments, the encoder's ID3), then, once the file is
closed, the complete set through mutagen (:func:`write_tags`): ID3v2.4 in MP3 and in an ``id3``
chunk of WAV and AIFF (what DAWs and players read there), Vorbis comments in FLAC and OGG.
libsndfile alone drops album, date, genre and track number in AIFF and MP3.

Read (:func:`read_tags`) through mutagen first (ID3 dates, Vorbis comments, MP4 atoms...), then
libsndfile for what mutagen does not read (WAV LIST/INFO). Each output's title names its stem,
``"<title> (solo)"``, and the comment names the software and model versions that made it.
"""

from __future__ import annotations

import os

import soundfile as sf

from jazzremix_gui import __version__
from jazzremix_gui.core.errors import AudioWriteError

#: The software tag of every file Jazz Remix writes.
SOFTWARE = f"Jazz Remix {__version__}"

#: libsndfile string fields, in soundfile's names.
FIELDS = ("title", "artist", "album", "date", "genre", "tracknumber", "copyright", "license", "comment", "software")
#: Fields an output takes over from its input unchanged (title, comment and software are rewritten).
CARRIED = ("artist", "album", "date", "genre", "tracknumber", "copyright", "license")
#: ID3v2 text frames of the fields (the comment is a COMM frame).
ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "date": "TDRC", "genre": "TCON",
              "tracknumber": "TRCK", "copyright": "TCOP", "software": "TSSE"}
#: Vorbis comment names of the fields (FLAC, OGG); ``software`` is the ENCODER comment.
VORBIS_NAMES = {**{k: k.upper() for k in FIELDS}, "software": "ENCODER"}
#: MP4/M4A atoms of the fields (read only).
MP4_ATOMS = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb", "date": "\xa9day", "genre": "\xa9gen",
             "comment": "\xa9cmt", "copyright": "cprt", "software": "\xa9too"}


def _text(value) -> str:
    """One tag value as text: lists joined, ID3 frames and timestamps as their text, track pairs as ``n/total``."""
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, int) for v in value):  # MP4 trkn (number, total)
            return f"{value[0]}/{value[1]}" if value[1] else str(value[0])
        return "; ".join(_text(v) for v in value if _text(v))
    if hasattr(value, "text"):
        return _text(value.text)
    return str(value).strip()


#: mutagen's file types (module, class) to try for each container libsndfile reads. ``mutagen.File`` with no
#: list imports and scores all of its twenty-odd types: 30-38 ms of a command's start where one type takes 16
#: (docs/SPEED.md).
MUTAGEN_TYPES = {"WAV": [("wave", "WAVE")], "WAVEX": [("wave", "WAVE")], "RF64": [("wave", "WAVE")],
                 "AIFF": [("aiff", "AIFF")], "FLAC": [("flac", "FLAC")], "MP3": [("mp3", "MP3")],
                 "OGG": [("oggvorbis", "OggVorbis"), ("oggopus", "OggOpus"), ("oggflac", "OggFLAC")]}


def _mutagen_tags(path, container: str | None = None) -> dict:
    """The fields mutagen reads in ``path`` (empty when it reads none); ``container``: libsndfile's name of its
    format, whose types of :data:`MUTAGEN_TYPES` are tried first (all of mutagen's when none of them takes it)."""
    import importlib

    import mutagen

    try:
        kinds = [getattr(importlib.import_module(f"mutagen.{m}"), c) for m, c in MUTAGEN_TYPES.get(container, [])]
        with open(os.fsencode(path), "rb") as fh:  # a file object: any file name the system takes (non-UTF-8 too)
            f = mutagen.File(fh, options=kinds) if kinds else None
            if f is None:
                fh.seek(0)
                f = mutagen.File(fh)
    except Exception:  # noqa: BLE001 - tags are a nicety: a file mutagen cannot parse has none here
        return {}
    if f is None or f.tags is None:
        return {}
    from mutagen.id3 import ID3

    out, t = {}, f.tags
    keys = set(t.keys())
    if isinstance(t, ID3):  # MP3, and the id3 chunk of WAV and AIFF
        for field, frame in ID3_FRAMES.items():
            if frame in t:
                out[field] = _text(t[frame])
        comments = t.getall("COMM") if hasattr(t, "getall") else []
        if comments:
            out["comment"] = _text(comments[0])
    elif any(k.startswith("\xa9") or k in ("trkn", "cprt") for k in keys):  # MP4
        for field, atom in MP4_ATOMS.items():
            if atom in t:
                out[field] = _text(t[atom])
        if "trkn" in t:
            out["tracknumber"] = _text(t["trkn"][0])
    else:  # Vorbis comments (FLAC, OGG, Opus) and other key = value tags
        lower = {k.lower(): k for k in keys}
        for field, name in VORBIS_NAMES.items():
            key = lower.get(name.lower()) or lower.get(field)
            if key is not None:
                out[field] = _text(t[key])
        if "date" not in out and "year" in lower:
            out["date"] = _text(t[lower["year"]])
    return {k: v for k, v in out.items() if v}


def _soundfile_tags(path) -> tuple[dict, str | None]:
    """The fields libsndfile reads in ``path`` and its name of the container (None where it cannot open it)."""
    from jazzremix_gui.core.audio.damage import decoder_output

    try:
        with decoder_output(), sf.SoundFile(os.fsencode(path)) as f:  # mpg123 talks on stderr when it opens a file
            meta, container = f.copy_metadata(), f.format
    except Exception:  # noqa: BLE001 - tags are a nicety: a file libsndfile reads without them has none
        return {}, None
    return {k: str(v).strip() for k, v in meta.items() if k in FIELDS and str(v).strip()}, container


def read_tags(path) -> dict:
    """The input's tags as ``{field: text}`` (fields of :data:`FIELDS`; empty when it has none).

    mutagen's reading wins (it reads ID3 dates, genres and track numbers that libsndfile drops);
    libsndfile's fills in the rest (a WAV's LIST/INFO chunk).
    """
    fields, container = _soundfile_tags(path)
    return {**fields, **_mutagen_tags(path, container)}


def output_tags(input_tags: dict, name: str, stem: str, models: dict | None = None, software: str = SOFTWARE) -> dict:
    """Tags of one output file.

    Parameters
    ----------
    input_tags : dict
        From :func:`read_tags`.
    name : str
        The input's name without extension (the title when the input has none).
    stem : str
        ``solo``, ``accompaniment`` or ``remix`` (``solo, residual`` ...).
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


def _id3(tags: dict):
    from mutagen import id3

    frames = id3.ID3()
    for field, frame in ID3_FRAMES.items():
        if tags.get(field):
            frames.add(getattr(id3, frame)(encoding=3, text=[tags[field]]))
    if tags.get("comment"):
        frames.add(id3.COMM(encoding=3, lang="eng", desc="", text=[tags["comment"]]))
    if tags.get("license"):
        frames.add(id3.TXXX(encoding=3, desc="LICENSE", text=[tags["license"]]))
    return frames


def write_tags(path, fmt: str, tags: dict) -> None:
    """Write ``tags`` into the finished file ``path`` of format ``fmt`` (``wav``, ``flac``, ``aiff``, ``mp3``, ``ogg``).

    The name of ``path`` does not matter (a temporary ``.part`` file is tagged before its rename).
    Raises AudioWriteError when the file cannot be tagged (it is then not complete either).
    """
    tags = {k: _unicode(str(v)) for k, v in tags.items() if k in FIELDS and v}
    if not tags:
        return
    from mutagen import MutagenError

    try:  # through a file object: any file name the system takes (non-UTF-8 too)
        with open(os.fsencode(path), "rb+") as fh:
            _write_into(fh, fmt, tags)
    except (MutagenError, OSError) as exc:
        raise AudioWriteError(f"{os.fsdecode(path)}: cannot write its tags ({exc})") from None


def _unicode(text: str) -> str:
    """``text`` as valid Unicode: bytes of a non-UTF-8 file name (surrogate escapes) become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _write_into(fh, fmt: str, tags: dict) -> None:
    if fmt in ("flac", "ogg"):
        from mutagen.flac import FLAC
        from mutagen.oggvorbis import OggVorbis

        f = FLAC(fh) if fmt == "flac" else OggVorbis(fh)
        if f.tags is None:
            f.add_tags()
        f.tags.clear()
        for field, value in tags.items():
            f.tags[VORBIS_NAMES[field]] = [value]
        fh.seek(0)
        f.save(fh)
        return
    frames = _id3(tags)
    if fmt == "mp3":
        frames.save(fh, v2_version=4)
        return
    from mutagen.aiff import AIFF
    from mutagen.wave import WAVE

    f = WAVE(fh) if fmt == "wav" else AIFF(fh)
    if f.tags is None:
        f.add_tags()
    f.tags.clear()
    for frame in frames.values():
        f.tags.add(frame)
    fh.seek(0)
    f.save(fh, v2_version=4)
