"""Uncaught exceptions in the app: the traceback goes to the log file, the user reads plain words."""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from jazzremix_gui.core import logs
from jazzremix_gui.core.files import interrupts

log = logging.getLogger(__name__)
_showing = threading.Lock()


def plain_words(exc: BaseException) -> str:
    """What the error box says: what happened, that the app goes on, and where the details are."""
    what = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "no message"
    where = f"The details are in the log file:\n{logs.log_file()}" if logs.log_file() else \
        "Run 'jazzremix --debug' from a terminal to see the details."
    return (f"Something went wrong inside Jazz Remix ({type(exc).__name__}: {what}).\n\n"
            "The app is still running, but the last action may not have finished. "
            "If something looks wrong, save your session and restart the app.\n\n" + where)


#: Exit statuses asked by a signal (Ctrl+C, SIGTERM, SIGHUP): an event loop that runs after one (the main loop, once
#: a box shown at start-up closed) is not started.
exit_asked: list[int] = []


def handle(exc_type, exc, tb) -> None:
    """``sys.excepthook`` for the GUI thread: log with the traceback, then show :func:`plain_words`."""
    if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C, SIGTERM, SIGHUP (core.files.interrupts): leave, 128 + signal
        exit_asked.append(interrupts.exit_status(exc))  # before the main loop runs (a box at start), it is not lost
        QApplication.exit(exit_asked[-1])
        return
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
    app = QApplication.instance()
    if app is None or not _showing.acquire(blocking=False):
        return  # no app, or a box is already up (an error while showing one): the log has it
    try:
        QMessageBox.critical(app.activeWindow(), "Jazz Remix: unexpected error", plain_words(exc))
    finally:
        _showing.release()


#: Signals noted by the app's handler (:func:`watch_signals`), in order.
_signalled: list[int] = []
#: How often the GUI thread looks for a noted signal, in ms (Python runs its handlers only when Qt hands it control).
WAKE_MS = 200


def _note(signum, frame) -> None:
    _signalled.append(int(signum))


def _exit_if_signalled() -> None:
    """Leave every event loop (the main one, or a box's) with 128 + the first signal noted, once."""
    if _signalled and not exit_asked:
        exit_asked.append(128 + _signalled[0])
        QApplication.exit(exit_asked[-1])


def watch_signals(app: QApplication) -> QTimer:
    """Make SIGINT, SIGTERM and SIGHUP end the app from its own event loop (those the parent ignored stay ignored).

    The command line turns them into an exception raised wherever the main thread is (``core.files.interrupts``).
    In the app that is often inside Python code called from Qt's C++ (a view's ``paintEvent`` mid-paint), and an
    exception thrown there crashed the app with a segmentation fault on SIGTERM while separating (its stack, caught
    by faulthandler: pyqtgraph's ``GraphicsView.paintEvent``). Here the handler only notes the signal; a timer of
    the GUI thread (returned; it also wakes Python) leaves the event loops at its next tick, within
    :data:`WAKE_MS`, with the status :data:`exit_asked` records.
    """
    for s in interrupts.HANDLED:
        if signal.getsignal(s) not in (signal.SIG_IGN, None):
            signal.signal(s, _note)
    wake = QTimer(app)
    wake.timeout.connect(_exit_if_signalled)
    wake.start(WAKE_MS)
    return wake


def _thread_hook(args) -> None:
    log.error("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
              exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def install() -> None:
    """Route uncaught exceptions of the GUI thread and of Python threads to the log (and the box); a crash in native
    code (a segmentation fault) prints every thread's Python stack on stderr: once, the app ended with one on
    SIGTERM while separating in a full test run (not seen again in 30 tries under load; docs/RELIABILITY.md), and
    the next one should say where."""
    sys.excepthook = handle
    threading.excepthook = _thread_hook
    try:
        faulthandler.enable(all_threads=True)
    except (AttributeError, ValueError, OSError):  # no stderr to write to (closed, or None under a GUI launcher)
        pass
