"""The one wording of operating-system errors: errno -> a sentence a user can act on.

Every command and the app turn an ``OSError`` into one line through :func:`describe_os_error`
(``PATH: what was being done (why)``); inputs are checked by :func:`check_input_file`
before any decoder sees them, so a FIFO, a device, a symbolic-link loop, a dangling link
or a folder the user cannot enter each get their own sentence; a full disk says how much
was needed and how much is free (:func:`disk_full`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from jazzremix_gui.core.errors import AudioReadError, AudioWriteError, DiskFullError

SENTENCES = {
    errno.ENOENT: "no such file or folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ELOOP: "symbolic link loop (a link that leads back to itself)",
    errno.ENAMETOOLONG: "file name or path too long for this file system",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EXDEV: "cannot move a file across file systems",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files on this system",
    errno.EIO: "input/output error (a failing disk, or a drive that was disconnected)",
    errno.EFBIG: "file too large for this file system",
    errno.EBUSY: "the file or device is busy",
    errno.ENXIO: "no such device (a pipe or device with nothing behind it)",
    errno.ENODEV: "no such device",
    errno.ESTALE: "stale network file handle (the share was remounted)",
    errno.ETXTBSY: "the file is busy",
}


def reason(exc: OSError) -> str:
    """The sentence for ``exc.errno``, else the system's own text."""
    return SENTENCES.get(exc.errno) or exc.strerror or str(exc) or type(exc).__name__


def human_bytes(n: float) -> str:
    """``1.4 GB``, ``310 MB``, ``12 kB`` (decimal units, as file managers show them)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}" if n < 10 * size else f"{n / size:.0f} {unit}"
    return f"{int(n)} bytes"


def free_bytes(folder) -> int | None:
    """Bytes an unprivileged user may still write in ``folder``'s file system, or None when unknown."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    return st.f_bavail * st.f_frsize


def disk_full(folder, needed: int | None = None) -> DiskFullError:
    """The error for a full disk: how much the job needed (when known) and how much is free."""
    free = free_bytes(folder)
    have = f"{human_bytes(free)} free" if free is not None else "free space unknown"
    need = f"needs about {human_bytes(needed)}, " if needed else ""
    return DiskFullError(f"no space left on the device in {folder} ({need}{have})")


def check_free_space(folder, needed: int) -> None:
    """Raise :func:`disk_full` before any work when ``needed`` bytes will not fit in ``folder``."""
    free = free_bytes(folder)
    if free is not None and needed > free:
        raise disk_full(folder, needed)


def blocked_folder(path) -> Path | None:
    """The first folder on the way to ``path`` that this user cannot enter, or None."""
    p = Path(os.path.abspath(path))
    for folder in reversed(p.parents):
        if folder.is_dir() and not os.access(folder, os.X_OK):
            return folder
    return None


def working_folder_gone() -> bool:
    """Whether the process's working folder has been deleted (relative paths then lead nowhere)."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def describe_os_error(exc: OSError, action: str | None = None, path=None) -> str:
    """``PATH: action (sentence)``; a permission error names the folder that cannot be entered.

    A missing file with no name, when the working folder itself was deleted, names that
    folder (as the shell knew it) and says so.
    """
    path = path if path is not None else (exc.filename if exc.filename is not None else None)
    why = reason(exc)
    if exc.errno == errno.ENOENT and working_folder_gone():
        path = path if path is not None else os.environ.get("PWD") or "."
        why = "the working folder no longer exists (deleted or moved); cd to a folder that exists"
    if exc.errno == errno.EACCES and path is not None:
        folder = blocked_folder(path)
        if folder is not None:
            why = f"permission denied: cannot enter the folder {folder}"
    text = f"{action} ({why})" if action else why
    return f"{path}: {text}" if path is not None else text


def _link_problem(path: Path) -> str:
    """Why a symbolic link cannot be followed."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return f"dangling symbolic link (it points to {os.readlink(path)}, which does not exist)"
    except OSError as exc:
        return describe_os_error(exc).split(": ", 1)[-1] if exc.filename else reason(exc)
    return ""


def kind_problem(mode: int, what: str) -> str | None:
    """Why a file of this ``st_mode`` is not a regular file (``is a named pipe (FIFO), ...``), or None."""
    kinds = ((stat.S_ISDIR, f"is a folder, not {what}"),
             (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
             (stat.S_ISCHR, "is a device, not a regular file"), (stat.S_ISBLK, "is a device, not a regular file"),
             (stat.S_ISSOCK, "is a socket, not a regular file"))
    for test, sentence in kinds:
        if test(mode):
            return sentence
    return None if stat.S_ISREG(mode) else "not a regular file"


def input_problem(path) -> str | None:
    """What keeps ``path`` from being read as an audio file (the sentence only), or None when it can be opened."""
    path = Path(path)
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return describe_os_error(exc, path=path).split(": ", 1)[-1]
    if stat.S_ISLNK(lst.st_mode):
        problem = _link_problem(path)
        if problem:
            return problem
    try:
        st = os.stat(path)
    except OSError as exc:
        return describe_os_error(exc, path=path).split(": ", 1)[-1]
    problem = kind_problem(st.st_mode, "an audio file")
    if problem:
        return problem
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return f"cannot read it ({reason(exc)})"
    return None


def check_input_file(path) -> Path:
    """Raise :class:`AudioReadError` naming the file and what keeps it from being read; returns it as a Path."""
    problem = input_problem(path)
    if problem:
        raise AudioReadError(f"{path}: {problem}")
    return Path(path)


def write_failure(path, exc: BaseException, needed: int | None = None) -> AudioWriteError:
    """The error for a failed write of ``path``: a full disk or a permission problem said as such.

    libsndfile reports every failed write as "System error", so the cause is looked up:
    errno when there is one, else the folder's free space and permissions.
    """
    folder = Path(path).parent
    code = getattr(exc, "errno", None)
    free = free_bytes(folder)
    if code in (errno.ENOSPC, errno.EDQUOT) or (code is None and free is not None and free < 1 << 16):
        return disk_full(folder, needed)
    if isinstance(exc, OSError) and code is not None:
        return AudioWriteError(describe_os_error(exc, "write failed", path))
    if not os.access(folder, os.W_OK):
        return AudioWriteError(f"{path}: write failed (permission denied: the folder {folder} is not writable)")
    return AudioWriteError(f"{path}: write failed ({str(exc).strip().splitlines()[-1] if str(exc).strip() else exc!r})")
