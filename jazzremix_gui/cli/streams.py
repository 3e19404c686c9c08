"""Closed or broken standard streams never stop a command: its files are written, its exit status says what happened.

``jazzremix separate ... 2>&-`` used to fail on the missing stderr before writing anything,
and ``jazzremix suggest ... >&-`` exited 0 with its result printed nowhere. Now:

- file descriptors 0, 1 and 2 that are closed at start are opened on ``/dev/null``
  (:func:`fill_closed_descriptors`), so no file the command opens takes their number and no
  C library's message lands inside an output;
- ``sys.stdout`` and ``sys.stderr`` are wrapped (:class:`GuardedStream`): a write to a closed
  stream or a broken pipe (``| head -c1``) is counted as lost instead of raising, and the
  command goes on;
- a line written stays one line (:func:`one_line`: a newline in a file name is written as ``\\n``);
- when the command's own output on stdout (a suggestion, a ``--json`` summary) was lost,
  :func:`main <jazzremix_gui.cli.main.main>` says so on stderr (if it is open) and exits 1 even
  when the command succeeded (:func:`lost_output`). Lost lines on stderr (progress, notes)
  do not change the status: the files are written.
"""

from __future__ import annotations

import io
import os
import re
import sys
from contextlib import contextmanager

from jazzremix_gui.core.files.oserrors import reason

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """``text`` with control characters (a newline in a file name) written as escapes: one line stays one line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def fill_closed_descriptors() -> list[int]:
    """Open ``/dev/null`` on each of the descriptors 0, 1, 2 that is closed; returns those filled."""
    filled = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            filled.append(fd)
    return filled


class GuardedStream(io.TextIOBase):
    """A text stream that never raises on write: what a closed or broken stream cannot take is counted.

    Parameters
    ----------
    stream : text stream or None
        The real stream (``None`` when Python found the descriptor closed at start).
    name : str
        ``stdout`` or ``stderr``, for the messages.
    """

    def __init__(self, stream, name: str):
        super().__init__()
        self.stream, self.name = stream, name
        #: Why the stream lost output (``closed``, ``broken pipe ...``), or None while it works.
        self.problem = "closed" if stream is None else None
        #: Characters written after the stream failed.
        self.lost = 0

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, BrokenPipeError):
            self.problem = "a broken pipe (the program reading it has stopped)"
            _point_at_null(self.stream)
        elif isinstance(exc, OSError):
            self.problem = reason(exc)
        else:
            self.problem = "closed"

    def write(self, text: str) -> int:
        if self.problem is None:
            try:
                self.stream.write(text)
                return len(text)
            except (OSError, ValueError) as exc:  # ValueError: I/O operation on a closed file
                self._fail(exc)
        self.lost += len(text)
        return len(text)

    def flush(self) -> None:
        if self.problem is None:
            try:
                self.stream.flush()
            except (OSError, ValueError) as exc:
                self._fail(exc)

    def isatty(self) -> bool:
        try:
            return self.problem is None and self.stream.isatty()
        except (OSError, ValueError, AttributeError):
            return False

    def fileno(self) -> int:
        if self.stream is None:
            raise io.UnsupportedOperation(f"{self.name} is closed")
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return getattr(self.stream, "errors", None) or "strict"


def _point_at_null(stream) -> None:
    """After a broken pipe, send the stream's descriptor to ``/dev/null`` so Python's exit flush is quiet."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


@contextmanager
def guarded():
    """``sys.stdout`` and ``sys.stderr`` as :class:`GuardedStream` for the block (restored after it).

    Yields
    ------
    (GuardedStream, GuardedStream)
        stdout and stderr.
    """
    saved = sys.stdout, sys.stderr
    out, err = GuardedStream(sys.stdout, "stdout"), GuardedStream(sys.stderr, "stderr")
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        out.flush()
        err.flush()
        sys.stdout, sys.stderr = saved


def lost_output(out: GuardedStream) -> str | None:
    """The error line when the command's output on stdout was lost, else None."""
    if not out.lost:
        return None
    return (f"standard output is {out.problem}: the command's output ({out.lost:,} characters) was not delivered; "
            "files it wrote are kept") if out.problem == "closed" else \
        (f"standard output hit {out.problem}: {out.lost:,} characters of the command's output were not delivered; "
         "files it wrote are kept")
