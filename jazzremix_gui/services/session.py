"""Session files: the input, model versions and every pan/gain edit, as JSON, so work can resume.

Format (``.jrs``, UTF-8 JSON)::

    {"format": "jazzremix-session", "version": 1, "input": "/abs/path.flac", "input_sha256": "...",
     "separator_version": "...", "mixer_version": "...",
     "mix": {"pan_deg": -15.0, "gain": 0.8, "automation": false,
             "sections": [{"start", "end", "active", "pan_deg", "gain", "suggested_pan_deg", "suggested_gain"}]}}
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from jazzremix_gui.core.errors import JazzRemixError

FORMAT = "jazzremix-session"
SUFFIX = ".jrs"


class SessionError(JazzRemixError):
    """A session file cannot be read or written."""


def session_dict(track) -> dict:
    p = track.processed
    return {"format": FORMAT, "version": 1, "input": str(track.path.resolve()),
            "input_sha256": track.decoded.sha256 if track.decoded else "",
            "separator_version": p.separator_version if p else "", "mixer_version": p.mixer_version if p else "",
            "mix": track.state.to_json() if track.state else {}}


def save_session(path, track) -> Path:
    """Write a ready track's session atomically."""
    path = Path(path)
    text = json.dumps(session_dict(track), indent=2)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise SessionError(f"{path}: cannot save the session ({exc.strerror})") from None
    return path


def load_session(path) -> dict:
    """Read and check a session file; the input path is resolved relative to the file when relative."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SessionError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError:
        raise SessionError(f"{path}: not a Jazz Remix session (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or "input" not in data:
        raise SessionError(f"{path}: not a Jazz Remix session")
    inp = Path(data["input"])
    data["input"] = str(inp if inp.is_absolute() else (path.parent / inp))
    if not Path(data["input"]).exists():
        raise SessionError(f"{path}: its recording {data['input']} no longer exists")
    return data
