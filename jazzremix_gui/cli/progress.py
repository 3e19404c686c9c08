"""Progress bars on a terminal's stderr (tqdm), silent when stderr is a pipe, a file or ``-q`` is given.

``separate``, ``suggest``, ``remix``, ``render`` and ``evaluate`` wrap each input's work in
:func:`progress_bar`; the label says which input (``file 2 of 5: take3.wav``) and the stage
(``separating``, ``writing the stems``) follows the bar. The bar is erased when the input is done,
so the lines the command prints afterwards (what was written) stay as they were.

A terminal that reports no width (a pseudo-terminal whose size was never set: ``script``,
``expect``, CI runners, ``pty.fork``) gets ``$COLUMNS`` x ``$LINES`` or 80 x 24: tqdm reads such a
terminal as -1 lines and draws nothing, which is why no bar appeared there before.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from jazzremix_gui.cli.streams import one_line

#: Size used when the terminal reports none (and ``$COLUMNS``, ``$LINES`` are not set).
DEFAULT_COLUMNS, DEFAULT_LINES = 80, 24
#: Largest width or height taken from the terminal or the environment.
MAX_SIZE = 1000
#: Steps of the bar (its resolution: a tenth of a percent).
STEPS = 1000


def is_terminal(stream) -> bool:
    """True when ``stream`` is an open terminal (a closed or detached stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def terminal_size(stream) -> tuple[int, int]:
    """``(columns, lines)`` of the terminal behind ``stream``: its own size, else ``$COLUMNS``/``$LINES``, else 80 x 24.

    A pseudo-terminal whose size was never set reports 0 x 0, and tqdm then draws nothing.
    """
    try:
        size = os.get_terminal_size(stream.fileno())
        got = [size.columns, size.lines]
    except (AttributeError, ValueError, OSError):
        got = [0, 0]
    for i, (name, default) in enumerate((("COLUMNS", DEFAULT_COLUMNS), ("LINES", DEFAULT_LINES))):
        if got[i] <= 0:
            try:
                got[i] = int(os.environ.get(name, ""))
            except ValueError:
                got[i] = 0
        got[i] = min(got[i], MAX_SIZE) if got[i] > 0 else default  # COLUMNS=10**20 once overflowed or hung
    return got[0], got[1]


@contextmanager
def progress_bar(label: str, stream=None):
    """A ``progress(fraction, message)`` callback drawing a bar on ``stream`` (default stderr) when it is a terminal.

    Parameters
    ----------
    label : str
        What is in progress, e.g. ``"file 1 of 3: take1.wav"``.
    stream : file, optional
        Default ``sys.stderr`` (looked up at call time).

    Yields
    ------
    callable or None
        ``update(fraction in [0, 1], message="")``; None when nothing is drawn (not a terminal, or ``-q``):
        callers pass it on as their ``progress`` hook either way.
    """
    from jazzremix_gui.core import logs

    stream = sys.stderr if stream is None else stream
    if not is_terminal(stream) or logs.quiet():
        yield None
        return
    from tqdm import tqdm

    columns, lines = terminal_size(stream)
    bar = tqdm(total=STEPS, desc=one_line(label), file=stream, leave=False, ncols=columns, nrows=lines, mininterval=0.2,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}")
    said = [""]

    def update(fraction: float, message: str = "") -> None:
        bar.update(max(0, min(STEPS, int(fraction * STEPS)) - bar.n))
        if message and message != said[0]:  # a new stage is drawn at once, however fast the work goes
            said[0] = message
            bar.set_postfix_str(message, refresh=True)

    try:
        yield update
    finally:
        bar.close()
