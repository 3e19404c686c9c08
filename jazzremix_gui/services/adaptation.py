"""The separator adapted to a recording, for the app, ``render`` and the CLI (:mod:`training.adapt`, which needs
PyTorch: the training extra). No Qt; torch is imported only when an adaptation runs."""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np

from jazzremix_gui.core import machine
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.errors import ModelError

#: Seconds of a recording an adaptation learns from, from its start (``training.adapt.ADAPT_MAX_S``; not imported
#: from there, so that asking costs no torch import).
OPENING_S = 600.0
#: What an adaptation without PyTorch says.
NEEDS_TORCH = ("adapting the separator to a recording needs PyTorch, the training extra: make install-train, or "
               "pip install 'jazzremix[train]'")


def missing() -> str:
    """Why no adaptation can run here ("" when PyTorch is installed)."""
    return "" if importlib.util.find_spec("torch") is not None else NEEDS_TORCH


def adapt(audio: np.ndarray, rate: int, separator, progress=None, cancel=None, teacher=None, steps: int = 0):
    """``separator`` adapted to the recording ``audio`` ``(n, c)`` at ``rate`` Hz (its first :data:`OPENING_S`
    seconds), on every core this process may use: ``(session, Adaptation)``
    (:func:`training.adapt.adapt_separator`; ``steps`` 0: its default). ModelError without PyTorch."""
    try:
        from jazzremix_gui.training.adapt import ADAPT_STEPS, adapt_separator
    except ImportError:
        raise ModelError(NEEDS_TORCH[0].upper() + NEEDS_TORCH[1:] + ".") from None
    return adapt_separator(audio[: int(OPENING_S * rate)], rate, separator, steps=steps or ADAPT_STEPS,
                           threads=machine.cores(), progress=progress, cancel=cancel, teacher=teacher)


def opening(path) -> tuple[np.ndarray, int]:
    """The first :data:`OPENING_S` seconds of an audio file, ``(n, c)`` float32, and its rate."""
    rate = audio_io.info(path).rate
    block = 65536
    blocks = list(itertools.islice(audio_io.read_blocks(path, block), int(np.ceil(OPENING_S * rate / block))))
    if not blocks:
        return np.zeros((0, 2), np.float32), rate
    return np.concatenate(blocks)[: int(OPENING_S * rate)], rate
