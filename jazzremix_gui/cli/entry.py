"""The ``jazzremix`` console script, ``python -m jazzremix_gui`` and the bundle: signals are handled from the start.

Python turns Ctrl+C into a ``KeyboardInterrupt`` wherever it lands; while the command's modules were still being
imported (the first tenth of a second or more) that was a traceback. Here SIGINT, SIGTERM and SIGHUP raise
:class:`core.files.interrupts.Interrupted` before anything else is imported (that module needs only ``signal`` and
``threading``), an interrupted import is one line with the status 128 + the signal's, and :func:`cli.main.run` takes
over.
"""

from __future__ import annotations

import os
import sys

from jazzremix_gui.core.files import interrupts


def run() -> None:
    """Handle the signals, import the command line and run it (:func:`cli.main.run`); never returns."""
    interrupts.install()
    try:
        from jazzremix_gui.cli.main import run as run_command
    except KeyboardInterrupt as exc:
        sys.stderr.write(f"jazzremix: error: {interrupts.describe(exc)}\n")
        sys.stderr.flush()
        os._exit(interrupts.exit_status(exc))
    run_command()
