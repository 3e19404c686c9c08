"""Session files: the input, model versions and every pan/gain edit, as JSON, so work can resume.

Format (``.jrs``, UTF-8 JSON)::

    {"format": "jazzremix-session", "version": 2, "input": "/abs/path.flac", "input_sha256": "...",
     "separator_version": "...", "mixer_version": "...", "gain_convention": "as-recorded", "solo_level": 1.41,
     "mix": {"pan_deg": -15.0, "gain": 0.8, "automation": false,
             "sections": [{"start", "end", "active", "pan_deg", "gain", "suggested_pan_deg", "suggested_gain"}]}}

Version 2 gains follow the gain convention (1.0 = the solo as loud as recorded, see
:mod:`core.signal.panlaw`). Version 1 files stored the gain applied to the bare mono solo; they
are converted when the track's solo level ``k`` is known: ``gain = gain_v1 / k``, which
renders exactly the same remix (:func:`mix_for`).
"""

from __future__ import annotations

import json
from pathlib import Path

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files.atomic import write_text
from jazzremix_gui.core.files.oserrors import describe_os_error

FORMAT = "jazzremix-session"
#: Current format version (2: gains relative to the recording).
VERSION = 2
SUFFIX = ".jrs"


class SessionError(JazzRemixError):
    """A session file cannot be read or written."""


def session_dict(track) -> dict:
    p = track.processed
    return {"format": FORMAT, "version": VERSION, "input": str(track.path.resolve()),
            "input_sha256": track.decoded.sha256 if track.decoded else "",
            "separator_version": p.separator_version if p else "", "mixer_version": p.mixer_version if p else "",
            "gain_convention": "as-recorded", "solo_level": p.stems.solo_level if p else None,
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


def load_session(path) -> dict:
    """Read and check a session file; the input path is resolved relative to the file when relative."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SessionError(describe_os_error(exc, "cannot read", path)) from None
    except ValueError:
        raise SessionError(f"{path}: not a Jazz Remix session (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or "input" not in data:
        raise SessionError(f"{path}: not a Jazz Remix session")
    version = data.get("version", 1)
    if not isinstance(version, int) or version > VERSION:
        raise SessionError(f"{path}: made by a newer Jazz Remix (session version {version}); please update")
    inp = Path(data["input"])
    data["input"] = str(inp if inp.is_absolute() else (path.parent / inp))
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
