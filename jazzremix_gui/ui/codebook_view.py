"""The mixer's 19 x 21 posterior as a heat map with its pan and gain marginals.

Rows are pan (-45 deg = hard left .. +45 deg = hard right), columns linear gain
(0.0 .. 2.0, labelled in dB too). The suggested cell has a white square, the current
setting a cyan dot. Clicking or dragging on the map picks a cell (snapped to the grid). With the
keyboard focus on the map, Up/Down step the pan and Left/Right the gain (the steps of
:func:`ui.controls.step`; Shift: finer).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal

from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.signal.panlaw import pan_text
from jazzremix_gui.ui import theme
from jazzremix_gui.ui.focus import FocusFrame


def gain_db_text(gain: float) -> str:
    return "-inf dB" if gain <= 1e-6 else f"{20 * np.log10(gain):+.1f} dB"


PAN_TICKS = [(p, pan_text(p)) for p in (-45, -30, -15, 0, 15, 30, 45)]
GAIN_TICKS = [(g, f"{g:g}\n{gain_db_text(g).replace(' dB', '')}") for g in (0.0, 0.5, 1.0, 1.5, 2.0)]
CELL_RECT = QRectF(-0.05, -47.5, 2.1, 95.0)  # cell centres on the codebook's pan/gain values
#: The smallest the heat map itself gets, in pixels each way.
MIN_MAP_PX = 120
#: Height of the p(gain) bars above the map, width of the p(pan) bars beside it, in pixels.
MARGINAL_PX = 64


class _PickImage(pg.ImageItem):
    """Heat map that turns left clicks and drags into cell picks."""

    def __init__(self, on_pick):
        super().__init__()
        self._on_pick = on_pick

    def _pick(self, ev, dragging: bool) -> None:
        pos = ev.pos()  # image pixel coordinates: x = gain column, y = pan row
        col = int(np.clip(np.floor(pos.x()), 0, codebook.N_GAINS - 1))
        row = int(np.clip(np.floor(pos.y()), 0, codebook.N_PANS - 1))
        self._on_pick(float(codebook.PANS_DEG[row]), float(codebook.GAINS[col]), dragging)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._pick(ev, False)

    def mouseDragEvent(self, ev):
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        self._pick(ev, not ev.isFinish())


class CodebookView(FocusFrame, pg.GraphicsLayoutWidget):
    """Heat map + marginals.

    Signals
    -------
    cell_picked(float, float, bool): pan in degrees, linear gain, True while a drag goes on.
    nudged(int, int, bool): pan steps, gain steps (arrow keys: Up/Down pan, Right/Left gain), Shift held.
    """

    cell_picked = Signal(float, float, bool)
    nudged = Signal(int, int, bool)
    #: A link of the legend's text, ``side:PAN`` or ``side:read`` (:func:`ui.main_window.solo_found_text`): the
    #: solo's side to separate with (degrees), or NaN to let the separator read it.
    side_picked = Signal(float)
    #: The legend's link ``side:auto``: let the pitch choose the solo's side (:func:`core.pipeline.choose_solo_side`).
    side_by_pitch = Signal()
    #: Arrow keys as (pan steps, gain steps): the map's axes (pan up, gain to the right).
    KEYS = {Qt.Key.Key_Up: (1, 0), Qt.Key.Key_Down: (-1, 0), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Left: (0, -1)}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.gain_plot = self.addPlot(row=0, col=0)
        self.gain_plot.setFixedHeight(MARGINAL_PX)
        self.gain_plot.hideAxis("bottom")
        self.gain_plot.setLabel("left", "p(gain)")
        self.gain_plot.getAxis("left").setStyle(showValues=False)
        self.gain_plot.getAxis("left").enableAutoSIPrefix(False)
        self.map = self.addPlot(row=1, col=0)
        self.pan_plot = self.addPlot(row=1, col=1)
        self.pan_plot.setFixedWidth(MARGINAL_PX)
        self.pan_plot.hideAxis("left")
        self.pan_plot.setLabel("bottom", "p(pan)")
        self.pan_plot.getAxis("bottom").setStyle(showValues=False)
        self.pan_plot.getAxis("bottom").enableAutoSIPrefix(False)
        for p in (self.gain_plot, self.map, self.pan_plot):
            p.setMenuEnabled(False)
            p.hideButtons()
            p.getViewBox().setMouseEnabled(x=False, y=False)
        self.map.getAxis("left").setWidth(56)
        self.gain_plot.getAxis("left").setWidth(56)
        self.map.setLabel("left", "pan")
        self.map.setLabel("bottom", "solo gain vs recording (dB)")  # 1.0 = 0 dB = as recorded
        self.map.getAxis("left").setTicks([PAN_TICKS])
        self.map.getAxis("bottom").setTicks([GAIN_TICKS])
        self.map.getAxis("bottom").setHeight(48)
        self.map.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.image = _PickImage(self.cell_picked.emit)
        self.image.setColorMap(pg.colormap.get(theme.COLORMAP))
        self.map.addItem(self.image)
        self.map.setXRange(-0.05, 2.05, padding=0)
        self.map.setYRange(-47.5, 47.5, padding=0)
        self.gain_plot.setXLink(self.map)
        self.pan_plot.setYLink(self.map)
        self.gain_bars = pg.BarGraphItem(x=codebook.GAINS, height=np.zeros(21), width=0.08, brush=theme.ACCENT)
        self.gain_plot.addItem(self.gain_bars)
        self.pan_bars = pg.BarGraphItem(x0=np.zeros(19), y=codebook.PANS_DEG, height=4.0, width=np.zeros(19),
                                        brush=theme.ACCENT)
        self.pan_plot.addItem(self.pan_bars)
        self.suggested_marker = pg.ScatterPlotItem(symbol="s", size=18, pen=pg.mkPen(theme.SUGGESTED_COLOUR, width=2),
                                                   brush=None)
        self.current_marker = pg.ScatterPlotItem(symbol="o", size=11, pen=pg.mkPen("#000000", width=1),
                                                 brush=pg.mkBrush(theme.CURRENT_COLOUR))
        for z, m in ((11, self.suggested_marker), (10, self.current_marker)):
            m.setZValue(z)  # the hollow square on top, larger than the dot: both show where they coincide
            self.map.addItem(m)
        self.hint = pg.TextItem("The mixer's suggestion\nappears here when\nseparation finishes", color="#8a8a8a",
                                anchor=(0.5, 0.5))
        self.hint.setPos(1.0, 0.0)
        self.map.addItem(self.hint)
        self.legend = pg.LabelItem(justify="left", size="9pt")  # wraps at the view's width (:meth:`resizeEvent`)
        # links need the text selectable too: a text item that only accesses links ignores the press, so the scene
        # never sends it the release that activates the link
        self.legend.item.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                 | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend.item.linkActivated.connect(self._link)
        self.setToolTip("Click or drag to set pan and gain. Colour ~ sqrt(probability) so weak cells stay visible.")
        self.addItem(self.legend, row=2, col=0, colspan=2)
        self.posterior = np.full((codebook.N_PANS, codebook.N_GAINS), 1 / codebook.N_CELLS)
        # the scene's layout never gets less than this: the map with its axes and the p(pan) column stay whole
        self.setMinimumWidth(MIN_MAP_PX + 56 + MARGINAL_PX + 24)
        self._fit_height()
        self.set_posterior(None)

    def _link(self, href: str) -> None:
        """A legend link: ``side:PAN`` (degrees), ``side:read`` or ``side:auto``."""
        kind, _, value = href.partition(":")
        if kind != "side":
            return
        if value == "auto":
            self.side_by_pitch.emit()
            return
        try:
            side = float("nan") if value == "read" else float(value)
        except ValueError:
            return
        if value == "read" or -45.0 <= side <= 45.0:  # a pan, or none (NaN is neither)
            self.side_picked.emit(side)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if not hasattr(self, "legend"):  # a resize while __init__ builds the scene
            return
        self.legend.item.setTextWidth(max(100, self.width() - 24))
        self.legend.updateMin()
        self._fit_height()

    def _fit_height(self) -> None:
        """The least height that keeps the map :data:`MIN_MAP_PX` tall under the marginal, above its axis and
        the legend as wrapped now."""
        legend = self.legend.item.boundingRect().height() if self.legend.text else 0.0
        self.setMinimumHeight(int(MARGINAL_PX + MIN_MAP_PX + 48 + legend + 24))

    def keyPressEvent(self, ev) -> None:
        steps = self.KEYS.get(Qt.Key(ev.key()))
        if steps is None:
            super().keyPressEvent(ev)
            return
        ev.accept()
        self.nudged.emit(*steps, bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier))

    def set_posterior(self, posterior: np.ndarray | None) -> None:
        """Show a (19, 21) distribution (rows pan, columns gain); ``None`` clears the map."""
        for item in (self.gain_bars, self.pan_bars):
            item.setVisible(posterior is not None)
        self.hint.setVisible(posterior is None)
        if posterior is None:
            self.image.clear()
            self.gain_bars.setOpts(height=np.zeros(21))
            self.pan_bars.setOpts(width=np.zeros(19))
            self.suggested_marker.setData([], [])
            self.current_marker.setData([], [])
            self.legend.setText("")
            self._fit_height()
            return
        self.posterior = np.asarray(posterior, np.float64)
        shown = np.sqrt(self.posterior).astype(np.float32)  # colour ~ sqrt(p): weak cells stay visible
        self.image.setImage(shown, levels=(0.0, max(float(shown.max()), 1e-9)))
        self.image.setRect(CELL_RECT)
        pan_m, gain_m = codebook.marginals(self.posterior)
        self.gain_bars.setOpts(height=gain_m)
        self.pan_bars.setOpts(width=pan_m)
        self.gain_plot.setYRange(0, max(gain_m.max(), 1e-9) * 1.05, padding=0)
        self.pan_plot.setXRange(0, max(pan_m.max(), 1e-9) * 1.05, padding=0)

    source_text = ""  # which mixer made the suggestion (shown under the legend)
    status_text = ""  # the suggestion's confidence, or "no clear suggestion: kept as recorded"

    def set_marks(self, suggested: tuple[float, float], current: tuple[float, float]) -> None:
        """Mark the suggested and the current (pan, gain)."""
        self.suggested_marker.setData([suggested[1]], [suggested[0]])
        self.current_marker.setData([current[1]], [current[0]])
        p, g = current
        sp, sg = suggested
        self.legend.setText(
            f"<span style='color:{theme.SUGGESTED_COLOUR}'>□ suggested: {pan_text(sp)}, gain {sg:.2f} "
            f"({gain_db_text(sg)})"
            + (f"<br>{self.status_text}" if self.status_text else "")
            + f"</span><br><span style='color:{theme.CURRENT_COLOUR}'>● current: "
            f"{pan_text(p)}, gain {g:.2f} ({gain_db_text(g)})</span>"
            + (f"<br><span style='color:#8a8a8a'>{self.source_text}</span>" if self.source_text else ""))
        self._fit_height()
