"""The window on small and scaled screens, keyboard focus and steps, what a drag redraws, a failed track."""

import numpy as np
import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from jazzremix_gui.ui import theme
from jazzremix_gui.ui.controls import GAIN_FINE_DB, GAIN_STEP_DB, step
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)


def db(gain: float) -> float:
    return 20 * np.log10(gain)


# ---- what a drag redraws ---------------------------------------------------------------------------------
def test_pan_drag_redraws_no_image(qtbot, window, tmp_path, monkeypatch):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "drag.wav"))
    images = [window.codebook.image, *window.timeline.images.values()]
    redraws = []
    for img in images:
        original = img.setImage
        monkeypatch.setattr(img, "setImage", lambda *a, _o=original, _i=img, **k: (redraws.append(_i), _o(*a, **k)))
    for pan in (-10.0, -12.0, -15.0, -20.0):  # a drag across the map, then on the slider
        window.codebook.cell_picked.emit(pan, 1.2, True)
    window.mix_controls.pan_slider.setValue(-300)
    assert track.state.value() == pytest.approx((-30.0, 1.2))
    assert window.codebook.current_marker.getData()[1][0] == pytest.approx(-30.0)  # the mark moved
    assert window.player.engine.renderer.controls[0] == pytest.approx(-30.0)  # what plays moved
    assert "current: 30° L" in window.codebook.legend.text
    assert redraws == []  # neither the heat map nor a spectrogram was drawn again
    window.reset_all()  # every value at once: the whole mix is shown again (the counter sees it)
    assert window.codebook.image in redraws


# ---- keys ----------------------------------------------------------------------------------------------
def test_step_rule():
    assert step(0.0, 1.0, d_pan=1) == (1.0, 1.0)
    assert step(0.0, 1.0, d_pan=-1, fine=True) == (-0.1, 1.0)
    assert db(step(0.0, 1.0, d_gain=1)[1]) == pytest.approx(GAIN_STEP_DB, abs=1e-3)
    assert db(step(0.0, 1.0, d_gain=-1, fine=True)[1]) == pytest.approx(-GAIN_FINE_DB, abs=1e-3)
    assert step(45.0, 2.0, d_pan=1, d_gain=1) == (45.0, 2.0)  # clamped at the codebook's edges
    assert step(0.0, 0.0, d_gain=1)[1] == pytest.approx(0.01)  # from mute up to -40 dB ...
    assert step(0.0, 0.0101, d_gain=-1)[1] == 0.0  # ... and below it, mute again


def test_arrow_keys_step_pan_1_deg_and_gain_half_a_db(qtbot, window, tmp_path):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "keys.wav"))
    window.edit(0.0, 1.0)
    st = track.state
    window.activateWindow()

    def press(widget, key, shift=False):
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus, timeout=2000)
        mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
        qtbot.keyClick(widget, key, mods)

    c = window.mix_controls
    press(c.pan_slider, Qt.Key.Key_Right)
    assert st.value()[0] == pytest.approx(1.0)
    press(c.pan_slider, Qt.Key.Key_Left, shift=True)
    assert st.value()[0] == pytest.approx(0.9)
    press(c.gain_slider, Qt.Key.Key_Right)
    assert db(st.value()[1]) == pytest.approx(0.5, abs=1e-3)
    press(c.gain_spin, Qt.Key.Key_Down, shift=True)
    assert db(st.value()[1]) == pytest.approx(0.4, abs=1e-3)
    press(c.pan_spin, Qt.Key.Key_Up)
    assert st.value()[0] == pytest.approx(1.9)
    press(window.codebook, Qt.Key.Key_Up)  # the map: up is right (pan), right is louder (gain)
    assert st.value()[0] == pytest.approx(2.9)
    press(window.codebook, Qt.Key.Key_Left)
    assert db(st.value()[1]) == pytest.approx(-0.1, abs=1e-3)
    press(window.codebook, Qt.Key.Key_Down, shift=True)
    assert st.value()[0] == pytest.approx(2.8)
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # anywhere: Alt+arrows
    assert st.value()[0] == pytest.approx(1.8)
    qtbot.keyClick(window, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert db(st.value()[1]) == pytest.approx(0.0, abs=1e-3)
    spec = window.timeline.spec_widgets["solo"]  # a focused spectrogram: arrows scroll and zoom time
    a, b = window.timeline.visible_range()
    press(spec, Qt.Key.Key_Up)
    assert window.timeline.visible_range()[1] - window.timeline.visible_range()[0] == pytest.approx((b - a) / 2)


def test_every_focusable_widget_shows_its_focus(qtbot, window, tmp_path, qapp):
    theme.apply(qapp)  # the style sheet draws the focus frames
    open_and_wait(qtbot, window, write_track(tmp_path / "focus.wav"))
    window.activateWindow()
    focusable = [w for w in window.centralWidget().findChildren(QWidget)
                 if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                 and w.focusProxy() is None and w.width() > 0]
    names = {w.accessibleName() for w in focusable}
    for needed in ("Pan and gain map", "Solo spectrogram", "Pan", "Gain", "Loop", "Tracks"):
        assert needed in names, needed
    missing = []
    for w in focusable:
        window.track_list.setFocus()
        if w is window.track_list:
            window.mix_controls.pan_slider.setFocus()
        qtbot.waitUntil(lambda: not w.hasFocus(), timeout=2000)
        before = w.grab().toImage()
        w.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(w.hasFocus, timeout=2000)
        if w.grab().toImage() == before:
            missing.append(w.accessibleName() or type(w).__name__)
    assert missing == []


# ---- a failed track -------------------------------------------------------------------------------------
def test_a_failed_track_clears_the_views(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, write_track(tmp_path / "good.wav", seconds=8.0))
    window.edit(-20.0, 1.5)
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio at all")
    failed = open_and_wait(qtbot, window, bad)
    window.select(failed)
    assert window.current is failed and window.error.isVisible()
    tl = window.timeline
    assert all(img.image is None for img in tl.images.values())
    assert tl.lo_curve.getData()[0] is None or len(tl.lo_curve.getData()[0]) == 0
    assert tl.wave.getViewBox().viewRange()[0] == pytest.approx([0.0, 10.0])  # an empty window's axes, not 0..8 s
    assert window.codebook.image.image is None and window.codebook.legend.text == ""
    assert not window.codebook.current_marker.getData()[0].size
    c = window.mix_controls
    assert not c.isEnabled() and c.pan_text.text() == "–" and c.gain_db.text() == "–"
    assert window.transport.time.text() == "0:00.0 / 0:00.0"


# ---- every screen -------------------------------------------------------------------------------------
def _scene_rect_of_view(view) -> QRectF:
    return view.mapToScene(view.viewport().rect()).boundingRect()


def _axis_texts(axis):
    """The tick labels an axis draws: (scene rect, text)."""
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    p = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(p)
    finally:
        p.end()
    return [(axis.mapRectToScene(QRectF(rect)), text) for rect, _, text in texts]


@pytest.mark.parametrize("size", [(1024, 700), (960, 540)], ids=["1024x700", "1920x1080-at-scale-2"])
def test_everything_visible_and_unclipped(qtbot, window, tmp_path, qapp, size):
    theme.apply(qapp)
    open_and_wait(qtbot, window, write_track(tmp_path / "fit.wav", seconds=20.0))
    area = QRect(0, 0, *size)  # scale 2 on 1920x1080 is 960x540 in the window's own (logical) pixels
    window.resize(1500, 900)
    window.fit_to(area)
    window.setFixedSize(window.size())  # as a window manager would hold it
    QApplication.processEvents()
    assert area.contains(window.frameGeometry())
    inside = window.rect()
    problems = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.window() is not window:
            continue
        r = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
        if not inside.contains(r):
            problems.append(f"{w.accessibleName() or type(w).__name__} outside the window: {r}")
        if isinstance(w, QAbstractButton) and w.width() < w.sizeHint().width():
            problems.append(f"{w.text()!r} cut: {w.width()} < {w.sizeHint().width()}")
    t = window.transport
    controls = [t.play, t.stop, t.loop, t.time, t.meter, t.original, t.match, t.mute_solo, t.solo_only, t.mute_acc]
    for i, a in enumerate(controls):
        for b in controls[i + 1:]:
            if a.geometry().intersects(b.geometry()):
                problems.append(f"{a.accessibleName()} overlaps {b.accessibleName()}")
    cb = window.codebook
    seen = _scene_rect_of_view(cb)
    for name, item in (("p(pan)", cb.pan_plot), ("p(gain)", cb.gain_plot), ("map", cb.map)):
        if not (item.isVisible() and seen.contains(item.sceneBoundingRect())):
            problems.append(f"{name} not whole on screen: {item.sceneBoundingRect()} in {seen}")
    labels = _axis_texts(cb.map.getAxis("bottom"))
    assert any("+6" in text for _, text in labels)
    for rect, text in labels + _axis_texts(cb.map.getAxis("left")):
        if not seen.contains(rect):
            problems.append(f"heat map label {text!r} clipped")
    for key, view in window.timeline.spec_widgets.items():
        texts = _axis_texts(view.getPlotItem().getAxis("left"))
        assert len(texts) >= 2, key
        for (a, ta), (b, tb) in zip(texts, texts[1:]):
            if a.intersects(b):
                problems.append(f"{key}: {ta!r} overlaps {tb!r}")
        title = window.timeline.titles[key]
        if not _scene_rect_of_view(view).contains(title.sceneBoundingRect()):
            problems.append(f"{key} title cut")
    assert problems == []
