"""Temporary-file-then-rename: the one way Jazz Remix writes a file.

A file appears at its path only when complete (a failed or cancelled write leaves the
old file, or nothing); a new file gets the mode the umask allows (0644 under umask 022,
like any tool writing with ``open()``), and an overwritten file keeps its mode.

Temporary files name their owner: ``.NAME.jazzremix-<host>-<pid>-<random>.part`` beside
``NAME`` (``<host>``: six hex digits of a hash of the machine's name). A job that ends
normally, with an error or by a signal removes its own (and, at exit, any still open); a
job killed outright (``kill -9``, power loss) cannot, so :func:`sweep` removes those later:
only files of exactly this pattern, written on this machine by a process that no longer
exists. A live job's files, another machine's (shared folders) and anything else are
never touched, names without an owner included: the first versions' temporary names
(``.NAME.XXXXXXXX.part``) cannot be told from a user's own files, so they stay.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from jazzremix_gui.core.files import commit
from jazzremix_gui.core.files.tempnames import (  # noqa: F401 (re-exported)
    HOST, MARK, NAME_KEPT, TempName, discard_all, fit, owner_alive, owner_prefix, parse_temp_name, register, unregister)

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


#: Folders this process has swept whole (:func:`sweep`); a :class:`TempFile` sweeps a new folder first.
_swept: set[str] = set()


class TempFile:
    """A temporary file beside ``path`` that :meth:`commit` renames onto it and :meth:`discard` deletes.

    The first one this process creates in a folder first removes the stale temporary files
    there (:func:`sweep`).

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
        if str(folder) not in _swept:  # once per folder and process: a folder of thousands of files stays cheap
            sweep(folder)
        fd, tmp = tempfile.mkstemp(prefix=owner_prefix(self.path), suffix=suffix, dir=folder)
        os.close(fd)
        self.tmp = Path(tmp)
        register(self.tmp)

    def prepare(self) -> None:
        """Give the finished file the mode it ends with (:func:`final_mode`), before any rename."""
        os.chmod(self.tmp, final_mode(self.path))

    def commit(self) -> Path:
        """Give the finished file its mode and rename it into place."""
        try:
            self.prepare()
            os.replace(self.tmp, self.path)
        except OSError:
            self.discard()
            raise
        unregister(self.tmp)
        return self.path

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)
        unregister(self.tmp)


def sweep(folder, target: str | None = None) -> list[tuple[Path, int]]:
    """Remove stale temporary files in ``folder`` (of ``target`` only, when given); returns ``[(path, bytes)]``.

    Unfinished commits of dead jobs are first completed or undone (:func:`core.files.commit.recover`),
    so no half pair is left. Never raises: a folder that cannot be listed is left as it is.
    """
    commit.recover()
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    if target is None:
        _swept.add(str(folder))
    for name in names:
        t = parse_temp_name(name)
        if t is None or (target is not None and t.target != fit(target)) or owner_alive(t.host, t.pid):
            continue
        p = Path(folder) / name
        try:
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
                continue
            whole = len(os.fsencode(t.target)) < NAME_KEPT - 4  # the target's name was not cut (UTF-8: 4 bytes)
            if name.endswith(".keep") and whole and not os.path.lexists(Path(folder) / t.target):
                os.replace(p, Path(folder) / t.target)  # an earlier file a dead commit moved aside: back it goes
                continue
        except OSError:
            continue
        removed += _unlink(p)
    return removed


def _unlink(p: Path) -> list[tuple[Path, int]]:
    """``[(p, its size)]`` once ``p`` (a file or link, never a folder) is removed; ``[]`` otherwise."""
    try:
        st = p.lstat()
        if stat.S_ISDIR(st.st_mode):
            return []
        p.unlink()
        return [(p, st.st_size)]
    except OSError:
        return []


def temps_of(target) -> list[Path]:
    """Every Jazz Remix temporary file of ``target``, whoever owns it (for a caller that knows the job is over)."""
    folder, name = Path(target).parent, fit(Path(target).name)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / n for n in names if (t := parse_temp_name(n)) is not None and t.target == name]


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
