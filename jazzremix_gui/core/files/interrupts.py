"""Signals that end a job: SIGINT (Ctrl+C), SIGTERM (``timeout``, service managers, shutdown) and SIGHUP (logout).

The CLI turns all three into :class:`Interrupted`, a ``KeyboardInterrupt``, so a job stops
the way Ctrl+C stops it: the stack unwinds, every temporary file is removed, and the
command exits with status 128 + the signal's number (130, 143, 129). A signal the parent
set to be ignored (``nohup`` ignores SIGHUP) stays ignored. :func:`deferred` holds the
three back for the few instructions that must not be cut in half (a commit's renames).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

HANDLED = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


class Interrupted(KeyboardInterrupt):
    """A job ended by ``signum`` (a ``KeyboardInterrupt``: code that stops on Ctrl+C stops on it)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)


#: Every signal :func:`install`'s handler turned into :class:`Interrupted`, in order (see :func:`raise_if_since`).
_received: list[int] = []


def _raise(signum, frame) -> None:
    _received.append(int(signum))
    raise Interrupted(signum)


def mark() -> int:
    """A point in time for :func:`raise_if_since`."""
    return len(_received)


def raise_if_since(point: int) -> None:
    """Raise :class:`Interrupted` again for a signal that arrived after ``point``.

    A library running Python code under its own native call (ONNX Runtime loading a model) may turn the
    :class:`Interrupted` raised there into an error of its own ("initialization failed"); a caller that catches
    that error asks here first, so Ctrl+C stays Ctrl+C.
    """
    if len(_received) > point:
        raise Interrupted(_received[-1])


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def install() -> dict:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread (ignored ones stay ignored).

    Returns the handlers replaced, for :func:`restore`.
    """
    if not _main_thread():
        return {}
    return {s: signal.signal(s, _raise) for s in HANDLED
            if signal.getsignal(s) is not signal.SIG_IGN and signal.getsignal(s) is not None}


def restore(previous: dict) -> None:
    """Put back the handlers :func:`install` replaced."""
    for s, h in previous.items():
        signal.signal(s, h)


def exit_status(exc: BaseException) -> int:
    """128 + the signal's number (130 for a plain ``KeyboardInterrupt``)."""
    return 128 + getattr(exc, "signum", signal.SIGINT)


def describe(exc: BaseException) -> str:
    """``interrupted (SIGTERM)``: what a job's stop line says."""
    return f"interrupted ({signal.Signals(getattr(exc, 'signum', signal.SIGINT)).name})"


@contextmanager
def deferred() -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM and SIGHUP back inside the block; one that arrived is raised when it ends.

    Yields the list of signals received so far (a waiting loop may look at it). Python
    runs signal handlers only in the main thread, so elsewhere nothing needs holding.
    """
    pending: list[int] = []
    if not _main_thread():
        yield pending
        return

    def hold(signum, frame):
        pending.append(signum)

    old = {s: signal.getsignal(s) for s in HANDLED}
    for s, h in old.items():
        if h is not signal.SIG_IGN and h is not None:
            signal.signal(s, hold)
    try:
        yield pending
    finally:
        for s, h in old.items():
            if h is not None:
                signal.signal(s, h)
        if pending:
            signal.raise_signal(pending[0])
