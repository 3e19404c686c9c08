"""Time views: waveform overview, section strip and log-frequency spectrograms, zoom linked in time.

Mouse: wheel zooms time, drag scrolls, a click seeks; the loop region is dragged in the
waveform overview; a click on the section strip selects that section for editing. Keys, with
a view focused (Tab, or a click): Left / Right scroll, Up / Down zoom in and out. All
plots share the time axis (seconds); spectrogram rows are log-spaced, the axis is
labelled in Hz.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QVBoxLayout, QWidget

from jazzremix_gui.ui import theme
from jazzremix_gui.ui.focus import FocusFrame
from jazzremix_gui.core.signal import solo_rests
from jazzremix_gui.core.signal.analysis import Spectrogram

STEMS = (("mixture", "Mixture"), ("solo", "Solo"), ("accompaniment", "Accompaniment"))
LEVELS_DB = (-90.0, -20.0)
AXIS_WIDTH = 62


class LogFreqAxis(pg.AxisItem):
    """Left axis of a spectrogram whose y coordinate is log10(frequency); ticks read in Hz/kHz.

    Ticks are taken in the order of :attr:`PRIORITY` while each stays a line of text away from
    those already taken, so a short spectrogram (a small window, a large scale factor) shows
    fewer ticks rather than overlapping ones.
    """

    TICKS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
    PRIORITY = (1000, 100, 10000, 500, 5000, 200, 2000, 50, 20000)

    def tickValues(self, minVal, maxVal, size):
        line = QFontMetrics(self.style.get("tickFont") or self.font()).height()
        px_per_decade = size / max(maxVal - minVal, 1e-9)
        taken: list[float] = []
        for f in self.PRIORITY:
            v = np.log10(f)
            if minVal <= v <= maxVal and all(abs(v - t) * px_per_decade >= line for t in taken):
                taken.append(v)
        return [(1.0, sorted(taken))]

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            f = 10 ** v
            out.append(f"{f / 1000:g} kHz" if f >= 1000 else f"{f:g} Hz")
        return out


class PlotView(FocusFrame, pg.PlotWidget):
    """A plot of the time views, with a frame while it has the keyboard focus."""


def _plot(widget: pg.PlotWidget, left_label: str) -> pg.PlotItem:
    p = widget.getPlotItem()
    p.getAxis("left").setWidth(AXIS_WIDTH)
    p.setLabel("left", left_label)
    p.getViewBox().setMouseEnabled(x=True, y=False)
    p.setMenuEnabled(False)
    p.hideButtons()
    return p


#: The closest zoom of the time views, in seconds shown.
MIN_SPAN_S = 0.5
#: Span shown before a track is (when no track is shown), in seconds.
EMPTY_SPAN_S = 10.0
#: Keys of a focused view: (scroll fraction, zoom factor).
KEYS = {Qt.Key.Key_Left: (-0.1, None), Qt.Key.Key_Right: (0.1, None), Qt.Key.Key_Up: (None, 0.5),
        Qt.Key.Key_Down: (None, 2.0)}


class TimelineView(QWidget):
    """Waveform, sections and spectrograms of the current track.

    Signals
    -------
    seek_requested(float): seconds.
    loop_changed(float, float): loop start and end in seconds.
    section_clicked(int): section index.
    """

    seek_requested = Signal(float)
    loop_changed = Signal(float, float)
    section_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.duration = 1.0
        self.wave_widget = PlotView()
        self.wave = _plot(self.wave_widget, "Level")
        self.wave.getAxis("left").setTicks([[(-1, "-1"), (0, "0"), (1, "1")]])
        self.wave.setYRange(-1, 1, padding=0.05)
        self.wave_widget.setFixedHeight(90)
        self.wave.hideAxis("bottom")
        self.lo_curve = pg.PlotCurveItem(pen=pg.mkPen(theme.ACCENT))
        self.hi_curve = pg.PlotCurveItem(pen=pg.mkPen(theme.ACCENT))
        self.wave.addItem(pg.FillBetweenItem(self.lo_curve, self.hi_curve, brush=pg.mkBrush(91, 155, 240, 110)))
        self.loop_region = pg.LinearRegionItem(values=(0, 1), brush=pg.mkBrush(255, 255, 255, 30))
        self.loop_region.setZValue(10)
        self.loop_region.hide()
        self.loop_region.sigRegionChangeFinished.connect(self._loop_moved)
        self.wave.addItem(self.loop_region)
        layout.addWidget(self.wave_widget)

        self.sec_widget = PlotView()
        self.sec = _plot(self.sec_widget, "")
        self.sec.hideAxis("bottom")
        self.sec.getAxis("left").setTicks([[(0.5, "sections")]])
        self.sec.setYRange(0, 1, padding=0)
        self.sec_widget.setFixedHeight(34)
        self.sec_widget.setToolTip("Sections the mixer found: click one to edit its pan and gain")
        self.sec.getViewBox().sigXRangeChanged.connect(lambda *_: self._fit_labels())
        self.sec.getViewBox().sigResized.connect(lambda *_: self._fit_labels())
        self.sec_items: list = []
        self.silent_items: list = []  # (plot, item) of the spans where the solo is silent
        layout.addWidget(self.sec_widget)
        self.sec_widget.hide()

        self.spec_widgets: dict[str, pg.PlotWidget] = {}
        self.titles: dict[str, pg.TextItem] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self.playheads = []
        cmap = pg.colormap.get(theme.COLORMAP)
        for key, title in STEMS:
            w = PlotView(axisItems={"left": LogFreqAxis("left")})
            p = _plot(w, "")
            name = pg.TextItem(title, color=theme.FOREGROUND, fill=pg.mkBrush(24, 25, 27, 200), anchor=(0, 0))
            name.setParentItem(p.getViewBox())  # in the view's corner, whatever its height or zoom
            name.setPos(2, 2)
            self.titles[key] = name
            img = pg.ImageItem()
            img.setColorMap(cmap)
            p.addItem(img)
            p.setYRange(np.log10(30), np.log10(22050), padding=0)
            p.getAxis("bottom").enableAutoSIPrefix(False)  # seconds stay seconds (no "ms")
            p.getAxis("bottom").autoSIPrefixScale = 1.0
            p.getAxis("bottom").setLabel("time (s)")
            p.setXLink(self.wave)
            self.spec_widgets[key], self.images[key] = w, img
            layout.addWidget(w, 1)
        self.sec.setXLink(self.wave)
        for w in self.views:
            line = pg.InfiniteLine(0, pen=pg.mkPen("#ffffff", width=1.5))
            line.setZValue(20)
            w.getPlotItem().addItem(line)
            self.playheads.append(line)
            w.scene().sigMouseClicked.connect(lambda ev, w=w: self._clicked(w, ev))
            w.installEventFilter(self)
        self._reset_axes()
        self.set_mode("stacked")

    @property
    def views(self) -> list:
        """Every plot widget sharing the time axis (waveform, sections, spectrograms)."""
        return [self.wave_widget, self.sec_widget, *self.spec_widgets.values()]

    def _reset_axes(self) -> None:
        """The axes of an empty window: no time limits, :data:`EMPTY_SPAN_S` shown, the full audio band."""
        self.duration = 1.0
        for w in self.views:
            w.getPlotItem().getViewBox().setLimits(xMin=None, xMax=None)
        self.wave.setXRange(0, EMPTY_SPAN_S, padding=0)
        for w in self.spec_widgets.values():
            w.getPlotItem().setYRange(np.log10(30), np.log10(22050), padding=0)

    def eventFilter(self, obj, ev) -> bool:
        """Arrow keys on a focused view scroll (Left, Right) or zoom (Up, Down) the time axis."""
        if ev.type() == QEvent.Type.KeyPress and obj in self.views:
            action = KEYS.get(Qt.Key(ev.key()))
            if action is not None and ev.modifiers() == Qt.KeyboardModifier.NoModifier:
                fraction, factor = action
                self.scroll(fraction) if fraction is not None else self.zoom(factor)
                return True
        return super().eventFilter(obj, ev)

    # ---- content -------------------------------------------------------------------------
    def clear(self) -> None:
        """Nothing shown: no images, no waveform, no sections, the axes of an empty window."""
        for img in self.images.values():
            img.clear()
        self.lo_curve.setData([], [])
        self.hi_curve.setData([], [])
        self.set_sections([])
        self.set_silent(())
        self.set_playhead(0.0)
        self._reset_axes()

    def set_envelope(self, times_s: np.ndarray, lo: np.ndarray, hi: np.ndarray, duration: float) -> None:
        self.duration = max(duration, 1e-3)
        self.lo_curve.setData(times_s, lo)
        self.hi_curve.setData(times_s, hi)
        for w in self.views:
            w.getPlotItem().getViewBox().setLimits(xMin=0, xMax=self.duration)
        self.wave.setXRange(0, self.duration, padding=0)

    def set_spectrogram(self, key: str, spec: Spectrogram | None) -> None:
        img = self.images[key]
        if spec is None:
            img.clear()
            return
        img.setImage(spec.image, levels=LEVELS_DB, autoLevels=False)
        y0, y1 = np.log10(spec.fmin), np.log10(spec.fmax)
        img.setRect(QRectF(0, y0, spec.duration, y1 - y0))
        self.spec_widgets[key].getPlotItem().setYRange(y0, y1, padding=0)

    def set_sections(self, rows: list[tuple[float, float, str]], selected: int = -1, enabled: bool = True) -> None:
        """Section strip: ``(start_s, end_s, label)`` per section; hidden when there are fewer than two.

        ``enabled`` False draws the sections dimmed (automation off: the whole-track values play).
        """
        for item in self.sec_items:
            self.sec.removeItem(item)
        self.sec_items = []
        self.sec_widget.setVisible(len(rows) > 1)
        for i, (a, b, label) in enumerate(rows):
            colour = QColor(theme.CURRENT_COLOUR if i == selected else ("#3b4a63" if i % 2 else "#4a3b63"))
            colour.setAlpha((170 if i == selected else 140) if enabled else 60)
            bar = pg.BarGraphItem(x0=[a], x1=[b], y0=[0.05], y1=[0.95], brush=colour, pen=pg.mkPen("#111"))
            text = pg.TextItem("", color=("#ffffff" if i != selected else "#000000") if enabled else "#8a8a8a",
                               anchor=(0, 0.5))
            text.setPos(a, 0.5)
            for item in (bar, text):
                self.sec.addItem(item)
                self.sec_items.append(item)
        self._rows = rows
        self._fit_labels()

    def set_silent(self, spans) -> None:
        """Shade the spans ``((start_s, end_s), ...)`` where the engineer says the solo rests: dark over the solo's
        spectrogram (named there), grey over the waveform."""
        for plot, item in self.silent_items:
            plot.removeItem(item)
        self.silent_items = []
        solo = self.spec_widgets["solo"].getPlotItem()
        for a, b in spans:
            for plot, brush in ((solo, pg.mkBrush(0, 0, 0, 190)), (self.wave, pg.mkBrush(150, 150, 150, 60))):
                region = pg.LinearRegionItem(values=(a, b), movable=False, brush=brush, pen=pg.mkPen("#8a8a8a"))
                region.setZValue(5)
                region.setToolTip(f"solo silent {solo_rests.format_spans([(a, b)])}: the accompaniment is the "
                                  "recording here (Edit > Solo plays again in the loop region)")
                plot.addItem(region)
                self.silent_items.append((plot, region))
            label = pg.TextItem("solo silent", color="#c8c8c8", anchor=(0, 1))
            label.setPos(a, np.log10(40))
            label.setZValue(6)
            solo.addItem(label)
            self.silent_items.append((solo, label))

    def _fit_labels(self) -> None:
        """Each section's label as long as its width on screen allows: full, number only, or none (no overlap)."""
        rows = getattr(self, "_rows", [])
        texts = self.sec_items[1::2]
        if not rows or len(texts) != len(rows):
            return
        a0, b0 = self.sec.getViewBox().viewRange()[0]
        px_per_s = self.sec.getViewBox().width() / max(b0 - a0, 1e-9)
        metrics = QFontMetrics(texts[0].textItem.font())
        for (a, b, label), text in zip(rows, texts):
            room = (b - a) * px_per_s - 8  # a little space before the next section
            fits = [t for t in (label, label.split(" ")[0]) if metrics.horizontalAdvance(t) <= room]
            text.setText(fits[0] if fits else "")

    def set_mode(self, mode: str) -> None:
        """``stacked`` (all three) or one of ``mixture``, ``solo``, ``accompaniment``."""
        for key, w in self.spec_widgets.items():
            w.setVisible(mode == "stacked" or mode == key)
            w.getPlotItem().showAxis("bottom") if (mode == key or (mode == "stacked" and key == "accompaniment")) \
                else w.getPlotItem().hideAxis("bottom")
        self.mode = mode

    def set_playhead(self, t: float) -> None:
        for line in self.playheads:
            line.setValue(t)

    def set_loop(self, start: float, end: float, visible: bool) -> None:
        self.loop_region.blockSignals(True)
        self.loop_region.setRegion((start, end))
        self.loop_region.blockSignals(False)
        self.loop_region.setVisible(visible)

    def zoom(self, factor: float | None) -> None:
        """Zoom the time views by ``factor`` (0.5: twice as close) around the playhead when it is in view,
        else around the centre; ``None`` shows the whole track."""
        if factor is None:
            self.wave.setXRange(0, self.duration, padding=0)
            return
        a, b = self.visible_range()
        t = self.playheads[0].value()
        centre = t if a <= t <= b else (a + b) / 2
        span = float(np.clip((b - a) * factor, min(MIN_SPAN_S, self.duration), self.duration))
        start = float(np.clip(centre - span * (centre - a) / max(b - a, 1e-9), 0, self.duration - span))
        self.wave.setXRange(start, start + span, padding=0)

    def scroll(self, fraction: float) -> None:
        """Move the time views by ``fraction`` of the visible span (negative: earlier)."""
        a, b = self.visible_range()
        start = float(np.clip(a + fraction * (b - a), 0, self.duration - (b - a)))
        self.wave.setXRange(start, start + (b - a), padding=0)

    def visible_range(self) -> tuple[float, float]:
        a, b = self.wave.getViewBox().viewRange()[0]
        return max(0.0, a), min(self.duration, b)

    # ---- mouse ---------------------------------------------------------------------------
    def _loop_moved(self) -> None:
        a, b = self.loop_region.getRegion()
        self.loop_changed.emit(float(max(0, a)), float(min(self.duration, b)))

    def _clicked(self, widget: pg.PlotWidget, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or ev.double():
            return
        vb = widget.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        t = float(np.clip(vb.mapSceneToView(ev.scenePos()).x(), 0, self.duration))
        if widget is self.sec_widget:
            for i, (a, b, _) in enumerate(getattr(self, "_rows", [])):
                if a <= t < b:
                    self.section_clicked.emit(i)
                    return
            return
        self.seek_requested.emit(t)
