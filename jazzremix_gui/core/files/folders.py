"""Output folders a job creates: made with their missing parents, remembered, and removed again where the job leaves
them empty (an error, a refused input, an interruption), deepest first. A folder that holds anything stays, and a
folder that was there before the job is never touched."""

from __future__ import annotations

import os
import threading
from pathlib import Path

_made: list[Path] = []  # this process's, in the order made
_lock = threading.Lock()


def make(folder) -> list[Path]:
    """Create ``folder`` and its missing parents (``OSError`` as ``Path.mkdir`` raises it); returns the folders
    this call created, outermost first (remembered for :func:`remove_empty`)."""
    folder = Path(folder)
    missing, p = [], folder
    while not os.path.lexists(p) and p != p.parent:
        missing.append(p)
        p = p.parent
    folder.mkdir(parents=True, exist_ok=True)
    made = [m for m in reversed(missing) if m.is_dir()]
    with _lock:
        _made.extend(made)
    return made


def remove_empty() -> list[Path]:
    """Remove the folders :func:`make` created that are empty now, deepest first; returns those removed (the
    others are forgotten too: a later call does not look at them again)."""
    with _lock:
        made = list(reversed(_made))
        _made.clear()
    removed = []
    for p in made:
        try:
            os.rmdir(p)  # only ever an empty folder
        except OSError:
            continue
        removed.append(p)
    return removed
