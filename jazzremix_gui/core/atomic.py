"""Temporary-file-then-rename: the one way Jazz Remix writes a file.

A file appears at its path only when complete (a failed or cancelled write leaves the
old file, or nothing); a new file gets the mode the umask allows (0644 under umask 022,
like any tool writing with ``open()``), and an overwritten file keeps its mode.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux ``/proc``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: the only portable way (briefly set, then restored)
    os.umask(mask)
    return mask


def final_mode(path) -> int:
    """Mode a write to ``path`` ends with: the existing file's, else ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


class TempFile:
    """A temporary file beside ``path`` that :meth:`commit` renames onto it and :meth:`discard` deletes.

    Parameters
    ----------
    path : str or Path
        The file to write.
    suffix : str
        Ending of the temporary name (some writers need one, e.g. ``.npz`` or ``.onnx``).

    Raises
    ------
    OSError
        When the folder cannot be written; callers turn it into their own error type.
    """

    def __init__(self, path, suffix: str = ".part"):
        self.path = Path(path)
        folder = self.path.parent if str(self.path.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=suffix, dir=folder)
        os.close(fd)
        self.tmp = Path(tmp)

    def commit(self) -> Path:
        """Give the finished file its mode (:func:`final_mode`) and rename it into place."""
        try:
            os.chmod(self.tmp, final_mode(self.path))
            os.replace(self.tmp, self.path)
        except OSError:
            self.discard()
            raise
        return self.path

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


@contextmanager
def atomic_path(path, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (a :class:`TempFile`); leaving normally replaces ``path``."""
    t = TempFile(path, suffix)
    try:
        yield t.tmp
        t.commit()
    finally:
        t.discard()


def write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; returns ``path``."""
    return write_bytes(path, text.encode("utf-8"))
