"""Logging set-up: a rotating log file for every run, and a terminal level chosen by -q/-v/--debug.

Every module logs to ``logging.getLogger(__name__)`` (all under ``jazzremix_gui``); this
module only attaches the handlers, once per process:

- the log file ``core.files.paths.log_dir()/jazzremix.log`` (1 MB, 3 old copies kept) gets INFO and
  above (DEBUG with ``--debug``), with times and tracebacks;
- stderr gets WARNING and above by default, INFO with ``-v``, DEBUG with ``-vv`` or
  ``--debug``, only errors with ``-q``.

A record logged with ``extra={"file_only": True}`` goes to the file only (the CLI prints
its own one-line errors and logs them this way).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from jazzremix_gui.core.files import paths

ROOT = "jazzremix_gui"
LOG_NAME = "jazzremix.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
_FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_state = {"file": None, "quiet": False}


class _NotFileOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "file_only", False)


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file, opened at its first record (start-up stays quick). A file that cannot be opened or written
    (a full disk, a log left read-only by a ``sudo`` run, a folder of that name) is said once on stderr as "no log
    file" and dropped: never Python's ``--- Logging error ---`` traceback at every record."""

    failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        self.failed = True
        _state["file"] = None
        exc = sys.exc_info()[1]
        try:
            sys.stderr.write(f"jazzremix: warning: no log file ({exc or 'cannot write it'})\n")
        except (OSError, ValueError):
            pass


def stderr_level(verbose: int = 0, quiet: bool = False, debug: bool = False) -> int:
    """The terminal's level for the CLI flags (``--debug`` wins, then ``-q``, then ``-v``)."""
    if debug or verbose >= 2:
        return logging.DEBUG
    if quiet:
        return logging.ERROR
    return logging.INFO if verbose == 1 else logging.WARNING


def configure(verbose: int = 0, quiet: bool = False, debug: bool = False, log_file: bool = True) -> Path | None:
    """Attach the stderr and file handlers to the ``jazzremix_gui`` logger (replacing earlier ones).

    Parameters
    ----------
    verbose : int
        Number of ``-v`` flags.
    quiet : bool
        ``-q``: errors only on the terminal (progress bars hidden too).
    debug : bool
        ``--debug``: everything, on the terminal and in the file.
    log_file : bool
        Write the rotating log file (a folder that cannot be written is reported once on stderr).

    Returns
    -------
    Path or None
        The log file, or None when there is none.
    """
    root = logging.getLogger(ROOT)
    for h in list(root.handlers):
        if getattr(h, "_jazzremix", False):
            root.removeHandler(h)
            h.close()
    term = logging.StreamHandler(sys.stderr)
    term.setLevel(stderr_level(verbose, quiet, debug))
    term.setFormatter(logging.Formatter("jazzremix: %(message)s"))
    term.addFilter(_NotFileOnly())
    handlers: list[logging.Handler] = [term]
    _state["file"] = None
    if log_file:
        path = paths.log_dir() / LOG_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # backslashreplace: a file name that is not UTF-8 (surrogate escapes) must not break logging
            fh = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True,
                          errors="backslashreplace")
            fh.setLevel(logging.DEBUG if debug or verbose >= 2 else logging.INFO)
            fh.setFormatter(logging.Formatter(_FILE_FORMAT))
            handlers.append(fh)
            _state["file"] = path
        except OSError as exc:
            print(f"jazzremix: warning: no log file ({exc})", file=sys.stderr)
    for h in handlers:
        h._jazzremix = True
        root.addHandler(h)
    root.setLevel(min(h.level for h in handlers))
    root.propagate = False
    _state["quiet"] = quiet and not debug
    return _state["file"]


def log_file() -> Path | None:
    """The log file of this process (None before :func:`configure` or when it could not be opened)."""
    return _state["file"]


def quiet() -> bool:
    """True under ``-q``."""
    return _state["quiet"]
