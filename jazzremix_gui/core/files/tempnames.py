"""Names of Jazz Remix's temporary files and the processes that own them (see :mod:`core.files.atomic`).

``.NAME.jazzremix-<host>-<pid>-<random><suffix>``: ``<host>`` is six hex digits of a hash of
the machine's name, ``<pid>`` the writing process. :func:`owner_alive` says whether the owner
may still be running; files a process holds are registered and removed at its exit.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

#: Marks Jazz Remix's temporary files (with host and pid: see the module docstring).
MARK = "jazzremix"
HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_TEMP_RE = re.compile(rf"^\.(?P<target>.+)\.{MARK}-(?P<host>[0-9a-f]{{6}})-(?P<pid>\d+)-[a-z0-9_]{{8}}"
                      r"(?P<suffix>(\.[A-Za-z0-9]+)+)$")
_live: set[Path] = set()
_live_lock = threading.Lock()


#: Longest part of a target's name kept in its temporary names (bytes; names stay under the usual 255).
NAME_KEPT = 180


def fit(name: str) -> str:
    """``name`` cut to :data:`NAME_KEPT` bytes (whole characters) for a temporary name."""
    raw = name.encode("utf-8", "surrogateescape")
    return name if len(raw) <= NAME_KEPT else raw[:NAME_KEPT].decode("utf-8", "ignore")


def owner_prefix(target) -> str:
    """Start of the temporary names this process gives for ``target``: ``.NAME.jazzremix-<host>-<pid>-``."""
    return f".{fit(Path(target).name)}.{MARK}-{HOST}-{os.getpid()}-"


@dataclass(frozen=True)
class TempName:
    """A parsed temporary name: the target's file name, the owner's host hash and pid."""

    target: str
    host: str
    pid: int


def parse_temp_name(name: str) -> TempName | None:
    """:class:`TempName` of a Jazz Remix temporary file name, or None for any other name."""
    m = _TEMP_RE.match(name)
    return TempName(m["target"], m["host"], int(m["pid"])) if m else None


def owner_alive(host: str, pid: int) -> bool:
    """False only when the owner certainly no longer exists (this machine, no such process)."""
    if host != HOST or pid == os.getpid() or os.name == "nt":  # Windows' os.kill(pid, 0) would send Ctrl+C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: exists, another user's
        return True
    return True


def register(path: Path) -> None:
    """Remember a temporary file of this process (removed at exit if still there)."""
    with _live_lock:
        _live.add(Path(path))


def unregister(path: Path) -> None:
    with _live_lock:
        _live.discard(Path(path))


@atexit.register
def discard_all() -> None:
    """Remove every temporary file this process still holds (exit after an interruption)."""
    with _live_lock:
        left = list(_live)
        _live.clear()
    for p in left:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


