"""Ending a process of Jazz Remix without Python's teardown.

At a normal exit Python frees every module and object one by one: 60-100 ms after a ``separate`` of
3 minutes (the models, the steps' buffers, numpy, ONNX Runtime; docs/SPEED.md), seconds in the app
after a long file, where Qt, pyqtgraph and PortAudio objects are destroyed and worker threads still
inside a computation are waited for. Nothing the user sees depends on that work. :func:`leave` does
what the teardown would have done that matters, then ends the process.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
from typing import NoReturn

from jazzremix_gui.core.files import interrupts, tempnames


def _end_at_once_on_signals() -> None:
    """SIGINT, SIGTERM and SIGHUP (those not ignored) end the process at once, 128 + the signal's number, its
    temporary files removed: a signal while the threads are joined raised in the middle of Python's threading
    (a traceback after the work was done). A caller still guards against one that lands while this runs."""
    if threading.current_thread() is not threading.main_thread():
        return

    def end(signum, frame):
        tempnames.discard_all()
        os._exit(128 + signum)

    for number in interrupts.HANDLED:
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, end)


def leave(status: int, finish_threads: bool = False) -> NoReturn:
    """End the process now with exit status ``status``.

    The temporary files this process holds are removed, the log and the standard streams flushed.
    With ``finish_threads`` (a command, whose work is done) it first waits for the threads Python would
    wait for (an executor's idle workers are told to end, as at a normal exit) and runs the ``atexit``
    handlers; the app does neither (its window's shutdown kept what the user owns, and a worker may
    still be inside a computation it no longer needs).
    """
    if finish_threads:  # what Python's exit does first: the same private calls the interpreter makes
        _end_at_once_on_signals()  # the work is done: a Ctrl+C or SIGTERM now ends the process, not a traceback
        threading._shutdown()  # executors' idle workers told to end, then every non-daemon thread joined
        atexit._run_exitfuncs()
    tempnames.discard_all()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):  # None where the descriptor was closed when Python started
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
