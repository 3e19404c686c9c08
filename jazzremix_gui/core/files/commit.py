"""Both or neither: renaming several finished temporary files into place as one step.

``separate`` writes a solo and an accompaniment; a user must never find one without the
other, nor lose an earlier run's pair because this run failed. :func:`commit_together`:

1. writes a journal (``<data dir>/commits/jazzremix-<host>-<pid>-<random>.journal``)
   naming every temporary file, its target, whether the target existed, and a backup name;
2. with SIGINT, SIGTERM and SIGHUP held back (:func:`core.files.interrupts.deferred`), keeps each
   existing target as a backup (a hard link; where the file system has none, the file is
   moved aside), then renames the temporary files one by one;
3. on success flushes the folders and removes the backups and the journal (the files are
   flushed before step 1, so a power cut cannot leave an empty file in place); on any
   failure (an ``OSError``, a ``BaseException``) undoes what it did: earlier targets come
   back from their backups, files this run put where nothing was are removed, nothing else
   is touched.

A job killed outright in between (``kill -9``, power loss) leaves its journal; the next
:func:`recover` (every :func:`core.files.atomic.sweep`, so every later write) finishes the
commit when any rename had happened (the temporary files were complete) or undoes it.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from jazzremix_gui.core.files import interrupts
from jazzremix_gui.core.files.tempnames import HOST, MARK, owner_alive, unregister

log = logging.getLogger(__name__)
#: Test hook: ``JAZZREMIX_FAULTPOINT=<point>:<flag file>`` makes a commit stop at ``<point>``
#: (``before-commits`` or ``between-commits``), create the flag file and wait up to
#: :data:`FAULT_WAIT_S` seconds (less when a signal arrives), so tests can kill it there.
FAULT_ENV = "JAZZREMIX_FAULTPOINT"
FAULT_WAIT_S = 30.0


@dataclass
class Entry:
    """One file of a commit: its temporary file, target, backup name and whether the target existed."""

    tmp: str
    path: str
    backup: str
    had: bool


def journal_dir() -> Path:
    from jazzremix_gui.core.files import paths

    return paths.data_dir() / "commits"


def _write_journal(path: Path, state: str, entries: list[Entry]) -> None:
    new = path.with_name(path.name + ".new")
    with open(new, "w", encoding="utf-8") as f:
        json.dump({"state": state, "entries": [asdict(e) for e in entries]}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(new, path)


def _open_journal(entries: list[Entry]) -> Path | None:
    """The journal of a commit about to start, or None where none can be written (the commit goes on)."""
    name = None
    try:
        d = journal_dir()
        d.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{MARK}-{HOST}-{os.getpid()}-", suffix=".journal", dir=d)
        os.close(fd)
        _write_journal(Path(name), "commit", entries)
        return Path(name)
    except OSError as exc:  # a full or read-only data folder
        log.debug("no commit journal (%s); the commit is still held against signals", exc)
        if name is not None:
            for p in (name, name + ".new"):
                if _exists(p):
                    _try(os.unlink, p)
        return None


def _drop(journal: Path | None) -> None:
    if journal is not None:
        journal.unlink(missing_ok=True)


def _exists(p: str) -> bool:
    return os.path.lexists(p)


def _keep(e: Entry) -> None:
    """Back up an existing target: a hard link to it, or (no hard links here) the file moved aside."""
    if not e.had:
        return
    try:
        os.link(e.path, e.backup, follow_symlinks=False)
    except OSError:
        os.replace(e.path, e.backup)


def _sync(path) -> None:
    """Flush a file's or a folder's data to the disk (best effort: some file systems refuse it for folders)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _try(action, *args) -> None:
    try:
        action(*args)
    except OSError as exc:
        log.warning("commit clean-up: %s%s failed: %s", action.__name__, args, exc)


def _undo(entries: list[Entry], committed: list[bool]) -> None:
    """Put every target back as it was before the commit; remove temporary files and backups."""
    for e, done in zip(entries, committed):
        if e.had and _exists(e.backup):
            if done or not _exists(e.path):
                _try(os.replace, e.backup, e.path)  # the earlier file comes back
            else:
                _try(os.unlink, e.backup)  # target untouched: drop the spare link
        elif not e.had and done:
            _try(os.unlink, e.path)  # put there by this commit, where nothing was
        if _exists(e.tmp):
            _try(os.unlink, e.tmp)
        unregister(Path(e.tmp))


def _finish(entries: list[Entry]) -> None:
    """Complete a commit some of whose renames happened: rename the rest, drop the backups."""
    for e in entries:
        if _exists(e.tmp):
            _try(os.replace, e.tmp, e.path)
        if _exists(e.backup):
            _try(os.unlink, e.backup)


def fault_point(name: str, pending: list[int]) -> None:
    """Stop here when :data:`FAULT_ENV` names this point (tests only; see there)."""
    point, _, flag = os.environ.get(FAULT_ENV, "").partition(":")
    if point != name or not flag:
        return
    Path(flag).write_text(str(os.getpid()))
    end = time.monotonic() + FAULT_WAIT_S
    while time.monotonic() < end and not pending:
        time.sleep(0.01)


def commit_together(temps: Sequence) -> list[Path]:
    """Rename finished temporary files onto their targets: all of them, or none (see the module docstring).

    Parameters
    ----------
    temps : sequence of core.files.atomic.TempFile
        Complete and closed (each has ``tmp``, ``path`` and ``prepare()``, which gives it its final mode).

    Returns
    -------
    list of Path
        The targets, in order.

    Raises
    ------
    OSError
        A rename failed; every target is as it was before the call and the temporary files are gone.
    """
    for t in temps:
        t.prepare()
        _sync(t.tmp)  # on disk before it replaces anything: a power cut cannot leave an empty file in place
    entries = []
    for t in temps:
        had = _exists(t.path) and not stat.S_ISDIR(os.lstat(t.path).st_mode)
        entries.append(Entry(str(t.tmp), str(t.path), str(t.tmp) + ".keep", had))
    done = [False] * len(entries)
    with interrupts.deferred() as pending:
        journal = _open_journal(entries)
        try:
            for e in entries:
                _keep(e)
            fault_point("before-commits", pending)
            for i, e in enumerate(entries):
                os.replace(e.tmp, e.path)
                done[i] = True
                if i == 0 and len(entries) > 1:
                    fault_point("between-commits", pending)
        except BaseException:
            if journal is not None:
                _try(_write_journal, journal, "undo", entries)
            _undo(entries, done)
            _drop(journal)
            raise
        for e in entries:
            unregister(Path(e.tmp))
            if _exists(e.backup):
                _try(os.unlink, e.backup)
        for folder in dict.fromkeys(os.path.dirname(e.path) or "." for e in entries):
            _sync(folder)  # the renames themselves
        _drop(journal)
    return [t.path for t in temps]


def recover() -> list[str]:
    """Finish or undo the commits of jobs that died in the middle (this machine's, owner gone); returns the targets."""
    try:
        names = os.listdir(journal_dir())
    except OSError:
        return []
    touched = []
    for name in names:
        parts = name.split("-")
        if not name.endswith((".journal", ".journal.new")) or len(parts) < 4 or parts[0] != MARK \
                or not parts[2].isdigit() or owner_alive(parts[1], int(parts[2])):
            continue
        path = journal_dir() / name
        if name.endswith(".new"):  # a journal's own temporary file
            _try(os.unlink, path)
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = [Entry(**e) for e in data["entries"]]
        except (OSError, ValueError, TypeError, KeyError):
            _try(os.unlink, path)  # empty or cut short before its first rename: nothing to finish
            continue
        committed = [not _exists(e.tmp) for e in entries]
        if data.get("state") == "commit" and any(committed):
            _finish(entries)
        else:
            _undo(entries, committed)
        touched += [e.path for e in entries]
        _try(os.unlink, path)
        log.info("completed an interrupted commit: %s", ", ".join(e.path for e in entries))
    return touched
