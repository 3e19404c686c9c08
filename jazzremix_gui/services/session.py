"""Session files: the input, model versions and every pan/gain edit, as JSON, so work can resume.

Format (``.jrs``, UTF-8 JSON)::

    {"format": "jazzremix-session", "version": 2, "input": "/abs/path.flac", "input_sha256": "...",
     "separator_version": "...", "mixer_version": "...", "gain_convention": "as-recorded", "solo_level": 1.41,
     "solo_side_deg": null, "wiener_step": null, "adapted": false, "adapt_steps": null,
     "mix": {"pan_deg": -15.0, "gain": 0.8, "automation": false,
             "sections": [{"start", "end", "active", "pan_deg", "gain", "suggested_pan_deg", "suggested_gain"}],
             "solo_silent": [[12.0, 30.5]]}}

Version 2 gains follow the gain convention (1.0 = the solo as loud as recorded, see
:mod:`core.signal.panlaw`). Version 1 files stored the gain applied to the bare mono solo; they
are converted when the track's solo level ``k`` is known: ``gain = gain_v1 / k``, which
renders exactly the same remix (:func:`mix_for`). ``solo_side_deg`` (optional, -45..45): the solo's pan as the
engineer gave it (*Solo side...*; :func:`core.models.with_solo_side`), null or absent where the separator read it.
``wiener_step`` (optional): the Wiener step the stems were made with where Preferences chose one, ``"pan-aware"`` or
``"plain"`` (:func:`core.models.with_wiener_step`); null or absent: the separator's own. ``adapted`` (optional,
default false): the stems came from the separator adapted to the recording (``training.adapt``), in
``adapt_steps`` optimiser steps (optional; a session that says ``adapted`` alone was saved when every adaptation took
:data:`core.models.ADAPT_STEPS_UNSAID`). ``mono_comb`` (optional, default true): false where Preferences left mono
material without the pitch comb (:func:`core.models.without_mono_comb`). ``render`` and the app use them all, so they
separate as the app did.
``mix.solo_silent`` (optional): spans ``[start, end]`` in seconds where the engineer says the solo rests
(:mod:`core.signal.solo_rests`; the app's *Solo silent in the loop region*).
"""

from __future__ import annotations

import json
from pathlib import Path

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files.atomic import write_text
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.core.models import ADAPT_STEPS_UNSAID
from jazzremix_gui.core.signal.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG
from jazzremix_gui.services import validation as v

FORMAT = "jazzremix-session"
#: Current format version (2: gains relative to the recording).
VERSION = 2
SUFFIX = ".jrs"
#: ``wiener_step`` in a session for each choice of :func:`core.models.with_wiener_step` (None: the model's own).
WIENER_STEPS = {None: None, True: "pan-aware", False: "plain"}


def wiener_step_of(data: dict) -> bool | None:
    """The :func:`core.models.with_wiener_step` choice a (checked) session records."""
    return {text: choice for choice, text in WIENER_STEPS.items()}.get(data.get("wiener_step"))


def adapt_steps_of(data: dict) -> int:
    """In how many optimiser steps a (checked) session's stems came from the separator adapted to the recording; 0:
    not adapted."""
    if not data.get("adapted"):
        return 0
    return int(data.get("adapt_steps") or ADAPT_STEPS_UNSAID)


class SessionError(JazzRemixError):
    """A session file cannot be read or written."""


def session_dict(track) -> dict:
    p = track.processed
    return {"format": FORMAT, "version": VERSION, "input": str(track.path.resolve()),
            "input_sha256": track.decoded.sha256 if track.decoded else "",
            "separator_version": p.separator_version if p else "", "mixer_version": p.mixer_version if p else "",
            "gain_convention": "as-recorded", "solo_level": p.stems.solo_level if p else None,
            "solo_side_deg": getattr(track, "solo_side", None),
            "wiener_step": WIENER_STEPS.get(getattr(track, "wiener_step", None)),
            "adapted": bool(getattr(track, "adapted", 0)), "adapt_steps": getattr(track, "adapted", 0) or None,
            "mono_comb": p.mono_comb if p else True,
            "mix": track.state.to_json() if track.state else {}}


def save_session(path, track) -> Path:
    """Write a ready track's session atomically."""
    path = Path(path)
    text = json.dumps(session_dict(track), indent=2)
    try:
        write_text(path, text)
    except OSError as exc:
        raise SessionError(describe_os_error(exc, "cannot save the session", path)) from None
    return path


def replace_problem(path, recordings=()) -> str | None:
    """Why the app's Save Session must not write ``path`` (None: it may): one of the open ``recordings``, or an
    existing file that is not a Jazz Remix session (a recording, a document: never replaced by a session)."""
    path = Path(path)
    try:
        if any(path.exists() and path.samefile(r) for r in recordings if Path(r).exists()):
            return f"{path} is a recording that is open; a session is saved beside it, never over it"
        if path.exists():
            read_session(path)
    except SessionError:
        return f"{path} exists and is not a Jazz Remix session: it is not replaced; choose another name"
    except OSError as exc:
        return describe_os_error(exc, "cannot save the session", path)
    return None


#: Largest session file read (the app's sessions are a few kB; a larger file is refused without reading).
MAX_BYTES = 1 << 20
#: Most sections a session may hold, and most spans of the solo silent.
MAX_SECTIONS = 10000


def _check_mix(mix: dict) -> None:
    """Raise :class:`~services.validation.Invalid` when a session's ``mix`` is not what the app writes."""
    v.number(mix, "pan_deg", PAN_MIN_DEG, PAN_MAX_DEG, "mix.", required=False)
    v.number(mix, "gain", GAIN_MIN, GAIN_MAX, "mix.", required=False)
    v.flag(mix, "automation", "mix.", required=False)
    for i, sec in enumerate(v.sequence(mix, "sections", MAX_SECTIONS, "mix.", required=False, default=[])):
        where = f"mix.sections[{i}]"
        if not isinstance(sec, dict):
            raise v.Invalid(f"{where} is {v.describe(sec)}, not an object")
        where += "."
        start = v.number(sec, "start", 0.0, 1e7, where, required=False, default=0.0)
        end = v.number(sec, "end", 0.0, 1e7, where, required=False, default=start)
        if end < start:
            raise v.Invalid(f"{where}end ({end:g}) is before its start ({start:g})")
        v.flag(sec, "active", where, required=False)
        v.number(sec, "pan_deg", PAN_MIN_DEG, PAN_MAX_DEG, where)
        v.number(sec, "gain", GAIN_MIN, GAIN_MAX, where)
        v.number(sec, "suggested_pan_deg", PAN_MIN_DEG, PAN_MAX_DEG, where, required=False)
        v.number(sec, "suggested_gain", GAIN_MIN, GAIN_MAX, where, required=False)
    for i, span in enumerate(v.sequence(mix, "solo_silent", MAX_SECTIONS, "mix.", required=False, default=[])):
        where = f"mix.solo_silent[{i}]"
        if not (isinstance(span, list) and len(span) == 2):
            raise v.Invalid(f"{where} is {v.describe(span)}, not [start, end]")
        start = v.number({"start": span[0]}, "start", 0.0, 1e7, where + ".")
        end = v.number({"end": span[1]}, "end", 0.0, 1e7, where + ".")
        if end <= start:
            raise v.Invalid(f"{where} ends ({end:g}) before it starts ({start:g})")


def check_session(data) -> dict:
    """Check a decoded session against the format; returns it (a dict), or raises with the reason.

    Types and finite ranges (pan -45..45 deg, gain 0..2, for the track and every section),
    the version a whole number (``"2"`` is refused, not read as newer).

    Raises
    ------
    services.validation.Invalid
        The first thing that is wrong, in words (``mix.pan_deg is NaN``).
    SessionError
        A session of a newer version than this program reads.
    """
    if not isinstance(data, dict):
        raise v.Invalid(f"the file holds {v.describe(data)}, not an object")
    if data.get("format") != FORMAT:
        raise v.Invalid("format is missing" if "format" not in data else f"format is {v.describe(data['format'])}")
    version = v.integer(data, "version", 1, 1 << 31, required=False, default=1)
    if version > VERSION:
        raise SessionError(f"made by a newer Jazz Remix (session version {version}); please update")
    v.text(data, "input", nonempty=True)
    for key in ("input_sha256", "separator_version", "mixer_version", "gain_convention"):
        v.text(data, key, required=False)
    if data.get("solo_level") is not None:
        v.number(data, "solo_level", 0.0, 100.0)
    if data.get("solo_side_deg") is not None:
        v.number(data, "solo_side_deg", PAN_MIN_DEG, PAN_MAX_DEG)
    if data.get("wiener_step") not in WIENER_STEPS.values():
        raise v.Invalid(f"wiener_step is {v.describe(data['wiener_step'])}, not \"pan-aware\", \"plain\" or null")
    if data.get("adapted") is not None and not isinstance(data["adapted"], bool):
        raise v.Invalid(f"adapted is {v.describe(data['adapted'])}, not true or false")
    if data.get("adapt_steps") is not None:
        v.integer(data, "adapt_steps", 1, 100000)
    if not isinstance(data.get("mono_comb", True), bool):
        raise v.Invalid(f"mono_comb is {v.describe(data['mono_comb'])}, not true or false")
    _check_mix(v.mapping(data, "mix", required=False, default={}))
    return data


def read_session(path) -> dict:
    """Read and check a session file (the recording it names may be missing).

    Refused with one line, without reading: a FIFO, a device, a folder, a file over 1 MB.
    Refused after reading: anything that is not the format (:func:`check_session`).

    Raises
    ------
    SessionError
        ``PATH: not a valid Jazz Remix session (REASON)``, or the operating system's reason.
    """
    path = Path(path)
    try:
        data = check_session(v.parse_json(v.read_regular(path, MAX_BYTES)))
    except OSError as exc:
        raise SessionError(describe_os_error(exc, "cannot read", path)) from None
    except v.Invalid as exc:
        raise SessionError(f"{path}: not a valid Jazz Remix session ({exc})") from None
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
    return data


def load_session(path) -> dict:
    """Read and check a session file (:func:`read_session`); the input path is resolved relative to the
    file when relative, and must exist (a recording of that name beside the session file is taken where the
    path it names is gone: the two were moved together)."""
    path = Path(path)
    data = read_session(path)
    inp = Path(data["input"])
    data["input"] = str(inp if inp.is_absolute() else (path.parent / inp))
    beside = path.parent / inp.name
    if not Path(data["input"]).exists() and inp.name and beside.is_file():  # moved together, e.g. a project folder
        data["input"] = str(beside)
    if not Path(data["input"]).exists():
        raise SessionError(f"{path}: its recording {data['input']} no longer exists")
    return data


def mix_for(data: dict, solo_level: float) -> dict:
    """The session's ``mix`` in the current gain convention, given the track's solo level ``k``.

    Version 1 gains (applied to the bare mono solo) become ``gain / k``, clipped to the
    codebook's 0 .. 2; the remix sounds the same (up to that clip). Version 2 passes through.
    """
    mix = dict(data.get("mix", {}))
    if data.get("version", 1) >= 2:
        return mix

    def conv(g):
        return float(min(max(float(g) / solo_level, 0.0), 2.0))

    if "gain" in mix:
        mix["gain"] = conv(mix["gain"])
    mix["sections"] = [dict(s, gain=conv(s["gain"]), **({"suggested_gain": conv(s["suggested_gain"])}
                                                         if "suggested_gain" in s else {}))
                       for s in mix.get("sections", [])]
    return mix
