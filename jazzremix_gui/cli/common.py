"""Helpers shared by the sub-commands: error lines, progress bars, model options."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

from jazzremix_gui.core.errors import JazzRemixError


def error(message: str) -> None:
    """Print one error line on stderr (and put it in the log file)."""
    print(f"jazzremix: error: {message}", file=sys.stderr)
    logging.getLogger("jazzremix_gui.cli").error("%s", message, extra={"file_only": True})


def note(message: str) -> None:
    """Print a status line on stderr (what was written), except under ``-q``."""
    from jazzremix_gui.core import logs

    if not logs.quiet():
        print(message, file=sys.stderr)


@contextmanager
def progress_bar(label: str):
    """A ``progress(fraction, message)`` callback drawing a tqdm bar on a terminal's stderr (silent otherwise)."""
    from jazzremix_gui.core import logs

    if not sys.stderr.isatty() or logs.quiet():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=1000, desc=label, unit="‰", file=sys.stderr, leave=False,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")

    def update(fraction: float, message: str = "") -> None:
        bar.update(max(0, int(fraction * 1000) - bar.n))

    try:
        yield update
    finally:
        bar.close()


def add_model_option(parser, kind: str) -> None:
    parser.add_argument("--model", metavar="PATH", help=f"{kind} ONNX model (default: the shipped one)")


def run_guarded(func, args) -> int:
    """Run a command function, turning Jazz Remix errors into one stderr line and exit 1."""
    try:
        return int(func(args) or 0)
    except JazzRemixError as exc:
        error(str(exc))
        return 1
    except KeyboardInterrupt:
        error("interrupted")
        return 130
