"""``--adapt [STEPS]`` of ``separate`` and ``evaluate``: the separator adapted to each recording before it separates it
(:mod:`services.adaptation`; needs PyTorch, the training extra)."""

from __future__ import annotations

import time

from jazzremix_gui.cli.common import UsageError, note, progress_bar
from jazzremix_gui.core.models import ADAPT_STEPS
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.services import adaptation

def add_adapt_option(p) -> None:
    p.add_argument("--adapt", metavar="STEPS", type=int, nargs="?", const=ADAPT_STEPS, default=0,
                   help=f"first adapt the separator to each recording, on its own stems ({ADAPT_STEPS} optimiser "
                        "steps unless STEPS is given; about 30 s on two cores, whatever the length; measured "
                        "+0.2 dB of solo a track on average on unseen instruments, about half the tracks a little "
                        "worse, docs/SEPARATOR_V3.md); needs PyTorch, the "
                        "training extra (make install-train)")


def adapt_function(args):
    """``adapt(source, model, progress=None) -> ModelSession`` (``source`` a file or ``(audio, rate)``) with
    ``args.adapt`` steps, or None
    when ``--adapt`` was not given; UsageError for a bad count or without PyTorch (before any work)."""
    if not args.adapt:
        return None
    if args.adapt < 0:
        raise UsageError("--adapt: a number of optimiser steps, 1 or more")
    if adaptation.missing():
        raise UsageError(f"--adapt: {adaptation.missing()}")

    def adapt(source, model, progress=None):
        return adaptation.adapt(source, model, progress=progress, steps=args.adapt)
    return adapt


def adapted_separator(adapt, path, model, label: str):
    """``model`` adapted to the recording at ``path`` (its opening), with a progress bar and a line said."""
    start = time.monotonic()
    with progress_bar(label) as bar:
        session = adapt(path, model, Reporter(bar))
    note(f"  adapted the separator to it in {time.monotonic() - start:.0f} s")
    return session
