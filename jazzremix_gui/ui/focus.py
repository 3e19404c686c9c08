"""A keyboard-focus frame for pyqtgraph views, drawn over the picture.

A style-sheet border would not do: pyqtgraph sizes its scene to the whole widget, so a border
would hide the last pixels of every plot (the axis labels at the bottom and right).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPen

from jazzremix_gui.ui import theme

#: Width of the frame in pixels.
FRAME_PX = 2


class FocusFrame:
    """Mixin for a ``pg.GraphicsView`` subclass: a :data:`theme.ACCENT` frame along the view's edge while it
    has the keyboard focus (listed first among the bases, so its methods run before the view's)."""

    def focusInEvent(self, ev) -> None:
        super().focusInEvent(ev)
        self.viewport().update()

    def focusOutEvent(self, ev) -> None:
        super().focusOutEvent(ev)
        self.viewport().update()

    def drawForeground(self, painter, rect) -> None:
        super().drawForeground(painter, rect)
        if not self.hasFocus():
            return
        painter.save()
        painter.resetTransform()  # viewport pixels, whatever the scene's range
        pen = QPen(QColor(theme.ACCENT))
        pen.setWidth(FRAME_PX)
        painter.setPen(pen)
        half = FRAME_PX // 2
        painter.drawRect(self.viewport().rect().adjusted(half, half, -half - 1, -half - 1))
        painter.restore()
