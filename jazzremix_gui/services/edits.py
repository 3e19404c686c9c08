"""Each recording's pan/gain edits, kept so that opening it again continues where the engineer stopped.

One session-format file per recording (:mod:`services.session`), named by the input's
SHA-256 under ``core.files.paths.data_dir()/edits``: a renamed or moved file keeps its edits, and
clearing the results cache never deletes work. The app writes it a moment after every change
(autosave), so a crash or a kill loses at most that moment.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jazzremix_gui.core.files import paths
from jazzremix_gui.services import session

log = logging.getLogger(__name__)


def edits_path(sha256: str) -> Path:
    return paths.data_dir() / "edits" / f"{sha256}{session.SUFFIX}"


def save(track) -> Path | None:
    """Write a ready track's edits atomically; ``None`` when the folder is not writable (logged by the caller)."""
    if track.decoded is None or track.state is None:
        return None
    target = edits_path(track.decoded.sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return session.save_session(target, track)
    except (OSError, session.SessionError):
        return None


def load(sha256: str) -> dict | None:
    """The saved edits of the recording with this SHA-256 (a session dict), or ``None``."""
    path = edits_path(sha256)
    if not path.exists():
        return None
    try:
        return session.read_session(path)
    except session.SessionError as exc:  # damaged: the track starts from the suggestion, said in the log
        log.warning("%s", exc)
        return None


def forget(sha256: str) -> None:
    """Delete the saved edits (the track starts again from the suggestion next time)."""
    edits_path(sha256).unlink(missing_ok=True)
