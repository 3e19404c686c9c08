"""A layout that places its widgets left to right and wraps them onto the next row when the width runs out
(after Qt's Flow Layout example), so a row of buttons never overlaps or cuts a word on a narrow window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QSizePolicy


class FlowLayout(QLayout):
    """Items at their size hints, in rows; an item with a horizontal stretch policy (e.g. a meter) takes
    the rest of its row.

    Parameters
    ----------
    spacing : int
        Pixels between items and between rows.
    """

    def __init__(self, parent=None, spacing: int = 4):
        super().__init__(parent)
        self._items = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(self._hint(item))
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    @staticmethod
    def _hint(item) -> QSize:
        return item.sizeHint().expandedTo(item.minimumSize())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (only measure when not ``move``); returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self.spacing()
        rows, row, x = [], [], area.x()
        for item in self._items:
            if item.isEmpty():
                continue
            w = self._hint(item).width()
            if row and x + w > area.right() + 1:
                rows.append(row)
                row, x = [], area.x()
            row.append(item)
            x += w + gap
        if row:
            rows.append(row)
        y = area.y()
        for row in rows:
            height = max(self._hint(i).height() for i in row)
            spare = area.width() - sum(self._hint(i).width() for i in row) - gap * (len(row) - 1)
            stretchy = [i for i in row if i.widget() is not None and i.widget().sizePolicy().horizontalPolicy()
                        in (QSizePolicy.Policy.Expanding, QSizePolicy.Policy.MinimumExpanding)]
            x = area.x()
            for item in row:
                w = self._hint(item).width() + (max(0, spare) // len(stretchy) if item in stretchy else 0)
                if move:
                    h = self._hint(item).height()
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(w, h)))
                x += w + gap
            y += height + gap
        return y - gap - rect.y() + m.bottom() if rows else 0
