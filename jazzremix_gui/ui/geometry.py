"""The window on the screen: a first size that fits, and a remembered geometry moved back onto a smaller screen."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

#: First window size when nothing is remembered; the smallest size that still shows everything.
DEFAULT_SIZE = (1500, 900)
MIN_SIZE = (960, 600)


def fit_window(window: QWidget, area: QRect) -> None:
    """Shrink and move ``window`` so that all of it, frame included, lies in ``area``; its minimum size is
    :data:`MIN_SIZE`, or the area less the frame where that is smaller."""
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    window.setMinimumSize(min(MIN_SIZE[0], area.width() - extra_w), min(MIN_SIZE[1], area.height() - extra_h))
    w = min(window.width(), area.width() - extra_w)
    h = min(window.height(), area.height() - extra_h)
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)
    x = min(max(frame.x(), area.left()), area.right() + 1 - (w + extra_w))
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - (h + extra_h))
    window.move(x, y)
