"""Small control widgets: pan/gain editor, transport bar and stereo level meter.

Keyboard steps (one rule, :func:`step`, for the sliders, the spin boxes, the heat map and the
Alt+arrow shortcuts): the pan moves by :data:`PAN_STEP_DEG`, the gain by :data:`GAIN_STEP_DB`;
with Shift held, by :data:`PAN_FINE_DEG` and :data:`GAIN_FINE_DB`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QApplication, QCheckBox, QDoubleSpinBox, QGridLayout, QGroupBox, QLabel,
                               QPushButton, QSizePolicy, QSlider, QWidget)

from jazzremix_gui.core.signal.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG, clamp_gain, clamp_pan
from jazzremix_gui.core.signal.panlaw import pan_text
from jazzremix_gui.ui.codebook_view import gain_db_text
from jazzremix_gui.ui.flow_layout import FlowLayout

PAN_STEPS = 10  # slider steps per degree
GAIN_STEPS = 100  # slider steps per unit of gain
#: One key press: pan in degrees, gain in dB; with Shift: the fine steps.
PAN_STEP_DEG, PAN_FINE_DEG = 1.0, 0.1
GAIN_STEP_DB, GAIN_FINE_DB = 0.5, 0.1
#: Below this the gain is muted by the next step down, and the first step up from mute lands here.
GAIN_FLOOR_DB = -40.0


def step(pan: float, gain: float, d_pan: int = 0, d_gain: int = 0, fine: bool = False) -> tuple[float, float]:
    """``(pan, gain)`` moved by ``d_pan`` pan steps and ``d_gain`` gain steps (signed counts of key presses).

    Parameters
    ----------
    pan, gain : float
        Degrees and linear gain.
    d_pan, d_gain : int
        Steps; positive moves right and louder.
    fine : bool
        Shift held: :data:`PAN_FINE_DEG` and :data:`GAIN_FINE_DB` instead of the coarse steps.

    Returns
    -------
    (float, float)
        Clamped to the codebook's ranges; a gain stepped below :data:`GAIN_FLOOR_DB` is 0 (mute).
    """
    pan = pan + d_pan * (PAN_FINE_DEG if fine else PAN_STEP_DEG)
    if d_gain:
        floor = 10 ** (GAIN_FLOOR_DB / 20)
        if gain < floor:
            gain = floor if d_gain > 0 else 0.0
        else:
            gain = gain * 10 ** (d_gain * (GAIN_FINE_DB if fine else GAIN_STEP_DB) / 20)
            gain = 0.0 if gain < floor * 0.999 else gain
    return round(float(clamp_pan(pan)), 4), round(float(clamp_gain(gain)), 4)


def shift_held() -> bool:
    """Whether Shift is held now (the fine steps)."""
    return bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)


class StepSlider(QSlider):
    """A horizontal slider whose arrow keys ask for one :func:`step` (``stepped(direction, fine)``) instead of
    moving by its own single step; Page Up/Down, Home, End and the mouse work as usual."""

    stepped = Signal(int, bool)
    KEYS = {Qt.Key.Key_Right: 1, Qt.Key.Key_Up: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_Down: -1}

    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, ev) -> None:
        direction = self.KEYS.get(Qt.Key(ev.key()))
        if direction is None:
            super().keyPressEvent(ev)
            return
        ev.accept()
        self.stepped.emit(direction, bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier))


class StepSpinBox(QDoubleSpinBox):
    """A spin box whose arrows (keys, buttons, wheel) ask for :func:`step` s (``stepped(steps, fine)``)."""

    stepped = Signal(int, bool)

    def stepBy(self, steps: int) -> None:
        self.stepped.emit(int(steps), shift_held())


class MixControls(QGroupBox):
    """Pan (-45..+45 deg) and gain (0..2, with dB) of the current target, plus reset and automation.

    Signals
    -------
    edited(float, float, bool): pan, gain, True while a slider is being dragged.
    reset_requested(); automation_toggled(bool).
    """

    edited = Signal(float, float, bool)
    reset_requested = Signal()
    automation_toggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__("Solo placement", parent)
        grid = QGridLayout(self)
        self.target_label = QLabel("Whole track")
        grid.addWidget(self.target_label, 0, 0, 1, 4)
        self.pan_slider = StepSlider()
        self.pan_slider.setRange(round(PAN_MIN_DEG * PAN_STEPS), round(PAN_MAX_DEG * PAN_STEPS))
        self.pan_spin = StepSpinBox()
        self.pan_spin.setRange(PAN_MIN_DEG, PAN_MAX_DEG)
        self.pan_spin.setDecimals(1)
        self.pan_spin.setSuffix("°")
        self.pan_text = QLabel("C")
        self.gain_slider = StepSlider()
        self.gain_slider.setRange(round(GAIN_MIN * GAIN_STEPS), round(GAIN_MAX * GAIN_STEPS))
        self.gain_spin = StepSpinBox()
        self.gain_spin.setRange(GAIN_MIN, GAIN_MAX)
        self.gain_spin.setDecimals(2)
        self.gain_db = QLabel("0.0 dB")
        for label, longest in ((self.pan_text, "45.5° R"), (self.gain_db, "-inf dB +0.0")):
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(longest))
        for slider in (self.pan_slider, self.gain_slider):
            slider.setMinimumWidth(60)
        tip = ("Gain relative to the recording: 1.0 (0 dB) keeps the solo as loud as recorded, 2.0 is +6 dB. "
               "Arrow keys: 0.5 dB (Shift: 0.1 dB)")
        for w in (self.gain_slider, self.gain_spin, self.gain_db):
            w.setToolTip(tip)
        for w in (self.pan_slider, self.pan_spin, self.pan_text):
            w.setToolTip("Pan of the solo, -45° (hard left) to +45° (hard right). Arrow keys: 1° (Shift: 0.1°)")
        for row, (name, slider, spin, text) in enumerate(
                (("Pan", self.pan_slider, self.pan_spin, self.pan_text),
                 ("Gain", self.gain_slider, self.gain_spin, self.gain_db)), start=1):
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(spin, row, 2)
            grid.addWidget(text, row, 3)
        self.reset_button = QPushButton("Reset to suggestion")
        self.reset_button.setToolTip("Return to the mixer's suggestion (Ctrl+R)")
        self.automation = QCheckBox("Per-section automation")
        self.automation.setToolTip("Use the mixer's per-section suggestions; click a section in the strip to edit it")
        grid.addWidget(self.reset_button, 3, 0, 1, 4)
        grid.addWidget(self.automation, 4, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        self.value = (0.0, 1.0)  # what :meth:`show_value` showed, unrounded (the keys step from it)
        self.pan_slider.valueChanged.connect(lambda v: self._emit(v / PAN_STEPS, self.value[1], True))
        self.gain_slider.valueChanged.connect(lambda v: self._emit(self.value[0], v / GAIN_STEPS, True))
        self.pan_spin.valueChanged.connect(lambda v: self._emit(v, self.value[1], True))
        self.gain_spin.valueChanged.connect(lambda v: self._emit(self.value[0], v, True))
        for w in (self.pan_slider, self.pan_spin):
            w.stepped.connect(lambda n, fine: self._step(n, 0, fine))
        for w in (self.gain_slider, self.gain_spin):
            w.stepped.connect(lambda n, fine: self._step(0, n, fine))
        self.reset_button.clicked.connect(self.reset_requested)
        self.automation.toggled.connect(self.automation_toggled)
        self._updating = False

    def _step(self, d_pan: int, d_gain: int, fine: bool) -> None:
        self._emit(*step(*self.value, d_pan, d_gain, fine), True)

    def _emit(self, pan: float, gain: float, dragging: bool) -> None:
        if not self._updating:
            self.edited.emit(pan, gain, dragging)

    def clear_value(self) -> None:
        """No track (or a failed one): the controls centred and the value labels empty, without emitting."""
        self.show_value(0.0, 1.0, "No track ready", False, False)
        self.pan_text.setText("–")
        self.gain_db.setText("–")

    def show_value(self, pan: float, gain: float, target_text: str, automation: bool, has_sections: bool) -> None:
        """Display without emitting :attr:`edited`."""
        self._updating = True
        self.value = (float(pan), float(gain))
        try:
            self.pan_slider.setValue(int(round(pan * PAN_STEPS)))
            self.gain_slider.setValue(int(round(gain * GAIN_STEPS)))
            self.pan_spin.setValue(pan)
            self.gain_spin.setValue(gain)
            self.pan_text.setText(pan_text(pan))
            self.gain_db.setText(gain_db_text(gain))
            self.target_label.setText(target_text)
            self.automation.blockSignals(True)
            self.automation.setChecked(automation)
            self.automation.setEnabled(has_sections)
            self.automation.blockSignals(False)
        finally:
            self._updating = False


class LevelMeter(QWidget):
    """Two horizontal bars (L, R) in dBFS from -60 to 0 with a decaying peak hold, and over lights.

    A channel's over light (the red box at the right end) turns on when a block peaks
    beyond full scale and stays on (peak hold) until the meter is clicked; the tooltip
    counts the blocks that went over. Export then handles overs by its clip mode.
    """

    FLOOR_DB = -60.0
    LIGHT_W = 8

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(140, 22)
        self.db = np.full(2, self.FLOOR_DB)
        self.hold = np.full(2, self.FLOOR_DB)
        self.overs = np.zeros(2, int)  # blocks beyond full scale since the last reset, per channel
        self.max_db = np.full(2, -np.inf)
        self._tip()

    def set_levels(self, peaks) -> None:
        """Peaks per channel (linear, may exceed 1); called from a UI timer."""
        peaks = np.asarray(peaks, float)
        db = 20 * np.log10(np.maximum(peaks, 1e-6))
        self.db = np.maximum(db, self.db - 1.5)  # fall 1.5 dB per refresh
        self.hold = np.maximum(self.db, self.hold - 0.3)
        over = peaks > 1.0
        if over.any():
            self.overs += over
            self.max_db = np.maximum(self.max_db, db)
            self._tip()
        self.update()

    def reset_overs(self) -> None:
        self.overs[:] = 0
        self.max_db[:] = -np.inf
        self._tip()
        self.update()

    def _tip(self) -> None:
        if not self.overs.any():
            self.setToolTip("Output level (dBFS). The red boxes light when playback goes beyond full scale.")
            return
        self.setToolTip(f"Overs: L {self.overs[0]}, R {self.overs[1]} (peak {self.max_db.max():+.1f} dBFS). "
                        "Export limits them by its clip mode. Click to reset.")

    def mousePressEvent(self, ev) -> None:
        self.reset_overs()

    def paintEvent(self, ev):
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, QColor("#141517"))
        bar_h = (h - 3) / 2
        bar_w = w - self.LIGHT_W - 2
        for ch in range(2):
            frac = min(1.0, (self.db[ch] - self.FLOOR_DB) / -self.FLOOR_DB)
            y = 1 + ch * (bar_h + 1)
            colour = "#e5534b" if self.db[ch] > -1 else ("#e5c07b" if self.db[ch] > -12 else "#57ab5a")
            p.fillRect(QRectF(0, y, max(0.0, frac) * bar_w, bar_h), QColor(colour))
            hold = min(1.0, (self.hold[ch] - self.FLOOR_DB) / -self.FLOOR_DB) * bar_w
            p.fillRect(QRectF(max(0.0, hold - 2), y, 2, bar_h), QColor("#ffffff"))
            light = "#ff3b30" if self.overs[ch] else "#3a2a2a"
            p.fillRect(QRectF(w - self.LIGHT_W, y, self.LIGHT_W, bar_h), QColor(light))
        p.end()


class TransportBar(QWidget):
    """Play/pause, stop, loop, time and meter, A/B, loudness match, stem mutes: in rows that wrap on a narrow
    window (:class:`FlowLayout`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        flow = FlowLayout(self)
        flow.setContentsMargins(4, 2, 4, 2)

        def button(text, tip, checkable=False):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setCheckable(checkable)
            flow.addWidget(b)
            return b

        self.play = button("▶ Play", "Play / pause (Space)")
        self.stop = button("■ Stop", "Stop and return to the start (S)")
        self.loop = button("⟳ Loop", "Loop the region in the waveform (L)", True)
        self.time = QLabel("0:00.0 / 0:00.0")
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:00.0 / 00:00.0"))
        flow.addWidget(self.time)
        self.meter = LevelMeter()
        self.meter.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        flow.addWidget(self.meter)
        self.original = button("Hearing: remix", "Switch between the remix and the original (A/B, key B)", True)
        self.match = QCheckBox("Match loudness")
        self.match.setToolTip("Play the original at the remix's loudness (ITU-R BS.1770)")
        flow.addWidget(self.match)
        self.mute_solo = button("Mute solo", "Mute the solo stem (M)", True)
        self.solo_only = button("Solo only", "Hear only the solo stem (O)", True)
        self.mute_acc = button("Mute accomp.", "Mute the accompaniment (N)", True)

    def set_time(self, t: float, total: float) -> None:
        self.time.setText(f"{fmt_time(t)} / {fmt_time(total)}")

    def set_playing(self, playing: bool) -> None:
        self.play.setText("❚❚ Pause" if playing else "▶ Play")


def fmt_time(t: float) -> str:
    t = max(0.0, t)
    return f"{int(t // 60)}:{t % 60:04.1f}"
