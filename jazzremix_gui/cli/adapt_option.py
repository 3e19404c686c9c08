"""``--adapt [STEPS]`` of ``separate`` and ``evaluate``: the separator adapted to each recording before it separates it
(:mod:`training.adapt`; needs PyTorch, the training extra)."""

from __future__ import annotations

import itertools

import numpy as np

from jazzremix_gui.cli.common import UsageError, note, progress_bar
from jazzremix_gui.core import machine
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.progress import Reporter

#: Steps of ``--adapt`` without a number (``training.adapt.ADAPT_STEPS``, not imported: torch stays unloaded).
DEFAULT_STEPS = 150
#: Seconds of a recording read for its adaptation (``training.adapt.ADAPT_MAX_S``).
OPENING_S = 600.0


def add_adapt_option(p) -> None:
    p.add_argument("--adapt", metavar="STEPS", type=int, nargs="?", const=DEFAULT_STEPS, default=0,
                   help=f"first adapt the separator to each recording, on its own stems ({DEFAULT_STEPS} optimiser "
                        "steps unless STEPS is given; about a minute on two cores, whatever the length; measured "
                        "+0.3 dB of solo a track on unseen instruments, docs/SEPARATOR_V3.md); needs PyTorch, the "
                        "training extra (make install-train)")


def adapt_function(args):
    """``adapt(audio, rate, model) -> (SessionLike, Adaptation)`` with ``args.adapt`` steps on every core this
    process may use, or None when ``--adapt`` was not given; UsageError for a bad count or without PyTorch."""
    if not args.adapt:
        return None
    if args.adapt < 0:
        raise UsageError("--adapt: a number of optimiser steps, 1 or more")
    try:
        from jazzremix_gui.training.adapt import adapt_separator
    except ImportError as exc:
        raise UsageError(f"--adapt needs PyTorch, the training extra (missing: {exc.name or exc}): make "
                         "install-train, or pip install 'jazzremix[train]'") from None

    def adapt(audio, rate, model, progress=None):
        return adapt_separator(audio, rate, model, steps=args.adapt, threads=machine.cores(), progress=progress)
    return adapt


def opening(path) -> tuple[np.ndarray, int]:
    """The first :data:`OPENING_S` seconds of a file, ``(n, c)`` float32, and its rate."""
    rate = audio_io.info(path).rate
    block = 65536
    blocks = itertools.islice(audio_io.read_blocks(path, block), int(np.ceil(OPENING_S * rate / block)))
    audio = np.concatenate(list(blocks))
    return audio[: int(OPENING_S * rate)], rate


def adapted_separator(adapt, path, model, label: str):
    """``model`` adapted to the recording at ``path`` (its opening), with a progress bar and a line said."""
    audio, rate = opening(path)
    with progress_bar(label) as bar:
        session, done = adapt(audio, rate, model, Reporter(bar))
    note(f"  adapted the separator to it: {done.steps} steps in {done.seconds:.0f} s (loss {done.loss_first:.3g} "
         f"-> {done.loss_last:.3g})")
    return session
