"""An engineer's day with the app (pytest-qt): nothing lost, shortcuts, small screens, the track list."""

import json
import time

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from jazzremix_gui.services import edits
from jazzremix_gui.ui import actions, keeper, tracks
from jazzremix_gui.ui.geometry import MIN_SIZE
from jazzremix_gui.ui.main_window import MainWindow
from jazzremix_gui.ui.settings import Settings
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)


def new_window(qtbot, tiny_models, settings_file, answer=QMessageBox.StandardButton.Discard):
    w = MainWindow(Settings(settings_file),
                   model_paths=(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx")))
    qtbot.addWidget(w)
    asked = []
    w.keeper.ask = lambda box: asked.append(box.text()) or answer
    w.asked = asked
    w.show()
    return w


def test_edits_are_kept_and_restored_with_a_way_back(qtbot, tiny_models, tmp_path, monkeypatch):
    path = write_track(tmp_path / "kept.wav", seconds=4.0)
    w = new_window(qtbot, tiny_models, tmp_path / "s.ini", answer=QMessageBox.StandardButton.Cancel)
    track = open_and_wait(qtbot, w, path)
    assert not track.restored and not w.restored.isVisible()
    w.edit(-25.0, 0.6)
    assert track.unsaved
    assert not w.close() and w.asked and "kept.wav" in w.asked[0]  # Cancel: the window stays
    w.keeper.ask = lambda box: QMessageBox.StandardButton.Save  # Save: asks where (once)
    saved = tmp_path / "kept.jrs"
    monkeypatch.setattr(actions.QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    assert w.close()
    assert json.loads(saved.read_text())["mix"]["pan_deg"] == -25.0

    w2 = new_window(qtbot, tiny_models, tmp_path / "s.ini")
    t2 = open_and_wait(qtbot, w2, path)
    assert t2.restored and t2.state.value() == pytest.approx((-25.0, 0.6))
    assert w2.restored.isVisible() and "restored" in w2.restored_label.text()
    assert not t2.unsaved  # nothing to ask about: it is as it was
    qtbot.mouseClick(w2.back_to_suggestion, Qt.MouseButton.LeftButton)
    assert t2.state.value() == pytest.approx(t2.state.suggested_value()) and not w2.restored.isVisible()
    w2.act_undo.trigger()  # the way back is undoable too
    assert t2.state.value() == pytest.approx((-25.0, 0.6))
    assert w2.close() and not w2.asked  # back at the state it opened in: nothing to ask

def test_discard_goes_back_to_the_opened_state(qtbot, tiny_models, tmp_path):
    path = write_track(tmp_path / "dis.wav", seconds=3.0)
    w = new_window(qtbot, tiny_models, tmp_path / "s.ini")
    track = open_and_wait(qtbot, w, path)
    suggested = track.state.value()
    w.edit(40.0, 1.9)
    assert w.close() and w.asked
    assert edits.load(track.decoded.sha256)["mix"]["pan_deg"] == pytest.approx(suggested[0])
    w2 = new_window(qtbot, tiny_models, tmp_path / "s.ini")
    assert open_and_wait(qtbot, w2, path).state.value() == pytest.approx(suggested)


def test_autosave_within_a_second_of_an_edit(qtbot, window, tmp_path):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "auto.wav", seconds=3.0))
    window.edit(15.0, 1.2)
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: (edits.load(track.decoded.sha256) or {}).get("mix", {}).get("pan_deg") == 15.0,
                    timeout=3000)
    assert time.monotonic() - t0 <= keeper.AUTOSAVE_MS / 1000 + 0.5  # a kill now would lose nothing


def test_no_two_actions_share_a_key_sequence(window):
    seen = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString(QKeySequence.SequenceFormat.PortableText)
            if key:
                assert key not in seen, f"{key}: {seen.get(key)!r} and {action.text()!r}"
                seen[key] = action.text()
    assert {"Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+Z", "Space", "Ctrl+Q", "Del", "Ctrl+0"} <= set(seen)


def test_redo_keys_and_keyboard_zoom(qtbot, window, tmp_path):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "keys.wav", seconds=20.0))
    window.activateWindow()
    window.timeline.setFocus()
    suggested = track.state.value()
    window.edit(33.0, 0.3)
    for redo_key in ("Ctrl+Shift+Z", "Ctrl+Y"):
        qtbot.keyClick(window.timeline, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert track.state.value() == pytest.approx(suggested)
        seq = QKeySequence(redo_key)[0]
        qtbot.keyClick(window.timeline, seq.key(), seq.keyboardModifiers())
        assert track.state.value() == pytest.approx((33.0, 0.3)), redo_key
    tl = window.timeline
    assert tl.visible_range() == pytest.approx((0.0, 20.0), abs=0.05)
    qtbot.keyClick(window.timeline, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    a, b = tl.visible_range()
    assert b - a == pytest.approx(10.0, abs=0.1)
    qtbot.keyClick(window.timeline, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert tl.visible_range()[0] == pytest.approx(a + 2.5, abs=0.1)
    qtbot.keyClick(window.timeline, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert tl.visible_range() == pytest.approx((0.0, 20.0), abs=0.05)


def test_window_fits_a_small_screen(qtbot, tiny_models, tmp_path):
    w = new_window(qtbot, tiny_models, tmp_path / "s.ini")
    w.resize(1500, 900)
    w.move(900, 500)  # as restored from a big screen
    small = QRect(0, 0, 1024, 700)
    w.fit_to(small)
    frame = w.frameGeometry()
    assert small.contains(frame), frame
    assert w.minimumWidth() <= MIN_SIZE[0] and w.minimumHeight() <= MIN_SIZE[1]
    w.close()


def test_track_list_remove_retry_and_recent_only_opened(qtbot, window, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio")
    good = write_track(tmp_path / "fine.wav", seconds=3.0)
    tb = open_and_wait(qtbot, window, bad)
    tg = open_and_wait(qtbot, window, good)
    recent = window.settings["recent_files"]
    assert str(good.resolve()) in recent and str(bad.resolve()) not in recent
    assert [a.text() for a in window.recent_menu.actions()] == recent
    window.select(tb)
    panel = window.tracks_panel
    assert panel.act_retry.isEnabled() and panel.act_reveal.isEnabled()
    write_track(bad, seconds=3.0)  # the file got fixed: Retry works now
    panel.act_retry.trigger()
    assert window.manager.runner.wait(20000) and tb.status == tracks.READY
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert tb not in window.manager.tracks and window.track_list.count() == 1
    assert window.current is tg and tg.status == tracks.READY
    panel.act_remove.trigger()
    assert window.track_list.count() == 0 and window.current is None and window.placeholder.isVisible()


def test_section_labels_never_overlap(qtbot, window):
    from PySide6.QtGui import QFontMetrics

    tl = window.timeline
    tl.set_envelope(*([0.0, 3600.0],) * 3, 3600.0)  # an hour, 120 sections of 30 s
    rows = [(i * 30.0, (i + 1) * 30.0, f"S{i + 1} L12° ×0.80") for i in range(120)]
    tl.resize(700, 400)
    tl.set_sections(rows)
    qtbot.wait(10)
    texts = tl.sec_items[1::2]
    vb = tl.sec.getViewBox()
    px = vb.width() / (vb.viewRange()[0][1] - vb.viewRange()[0][0])
    metrics = QFontMetrics(texts[0].textItem.font())
    for (a, b, _), t in zip(rows, texts):
        assert metrics.horizontalAdvance(t.textItem.toPlainText()) <= (b - a) * px
    tl.zoom(1 / 64)  # close up: the full labels come back
    assert any(t.textItem.toPlainText().endswith("×0.80") for t in texts)


@pytest.mark.threaded
def test_export_can_be_cancelled(qtbot, window, tmp_path):
    import threading

    from jazzremix_gui.services.exporting import ExportPlan

    open_and_wait(qtbot, window, write_track(tmp_path / "cx.wav", seconds=3.0))
    gate = threading.Event()
    window.exporter.runner.submit(lambda job: gate.wait(20))  # the export waits behind this
    plan = ExportPlan(tmp_path / "out", ("remix", "solo"), "wav", 24)
    (tmp_path / "out").mkdir()
    job = actions.export(window, plan, confirm=False)
    assert window.cancel_button.isVisible() and window.cancel_button.text() == "Cancel export"
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not window.exporter.busy, timeout=10000)
    assert job.is_cancelled() and window.exporter.reports is None
    assert list((tmp_path / "out").iterdir()) == []  # nothing written, no temporary left
    assert window.cancel_button.text() == "Cancel" and not window.cancel_button.isVisible()


def test_about_shows_cards_as_tables_and_the_provider_in_use(qtbot, tiny_models, tmp_path):
    from jazzremix_gui.ui.dialogs import AboutDialog, card_html

    card = {"name": "m", "training": {"history": [{"step": i, "loss": 1.0 / (i + 1)} for i in range(40)]},
            "sha256": "ab" * 32, "evaluation": {"sdr_db": 6.25}}
    text = card_html(card)
    assert "<table" in text and "<th>loss</th>" in text and "more rows in the card file" in text
    assert "{" not in text  # no raw JSON
    (tiny_models / "mixer.json").write_text(json.dumps(card))
    try:
        dlg = AboutDialog(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx"))
        qtbot.addWidget(dlg)
        shown = dlg.text.toPlainText()
    finally:
        (tiny_models / "mixer.json").unlink()
    assert "runs on\tCPU" in shown or "runs on CPU" in shown.replace("\n", " ")
    assert "Models run on: CPU" in shown and "sdr_db" in shown
    assert "TensorrtExecutionProvider" not in shown


def test_reopened_automation_edits_what_plays(qtbot):
    from test_ui_state import suggestion_with_sections

    from jazzremix_gui.ui.mixstate import MixState

    st = MixState(suggestion_with_sections())
    st.apply_json({"pan_deg": 0.0, "gain": 1.0, "automation": True})
    assert st.automation and st.target == 0  # the controls edit section 1, as playback and export use


def test_cache_cap_and_clear_in_preferences(qtbot, window, tmp_path):
    import os

    from jazzremix_gui.services import cache
    from jazzremix_gui.ui.dialogs import PreferencesDialog

    cache.clear()
    for i in range(3):  # three tracks opened one after the other
        open_and_wait(qtbot, window, write_track(tmp_path / f"c{i}.wav", seconds=3.0, seed=10 + i))
        for n, p in enumerate(cache.entries()):  # distinct ages whatever the clock's resolution
            os.utime(p, (1000 + n, 1000 + n))
    first, *_ = cache.entries()
    one = first.stat().st_size
    assert len(cache.entries()) == 3
    window.settings["cache_limit_mb"] = 1
    limit = 2 * one + 100
    window.manager.cache_limit = lambda: limit
    open_and_wait(qtbot, window, write_track(tmp_path / "c3.wav", seconds=3.0, seed=20))
    assert cache.size_bytes() <= limit and len(cache.entries()) == 2 and not first.exists()
    dlg = PreferencesDialog(window.settings, window)
    qtbot.addWidget(dlg)
    assert "MB used" in dlg.cache_used.text()
    dlg.clear_cache()
    assert cache.entries() == [] and dlg.cache_used.text() == "0 MB used"
    assert window.manager.tracks[0].state is not None  # open tracks keep their results


def test_every_control_has_an_accessible_name_and_a_tooltip(window):
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QGraphicsView,
                                   QListWidget, QProgressBar, QScrollBar)

    from jazzremix_gui.ui.controls import LevelMeter

    kinds = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QGraphicsView, QListWidget,
             QProgressBar, LevelMeter)
    controls = [w for w in window.centralWidget().findChildren(QWidget) if isinstance(w, kinds)
                and not isinstance(w, QScrollBar)]  # scroll bars belong to their view
    assert len(controls) >= 25
    for w in controls:
        name = QAccessible.queryAccessibleInterface(w).text(QAccessible.Text.Name)
        assert name, f"{type(w).__name__} {w.objectName()} has no accessible name"
        assert w.toolTip(), f"{name}: no tooltip"
    t = window.transport
    for b in (t.play, t.stop, t.loop, t.original, t.mute_solo, t.solo_only, t.mute_acc):
        assert b.focusPolicy() & Qt.FocusPolicy.TabFocus, b.text()


def test_dialogs_start_in_their_last_folder(qtbot, window, tmp_path, monkeypatch):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "f.wav", seconds=3.0))
    folder = tmp_path / "sessions"
    folder.mkdir()
    asked = []

    def save_dialog(parent, caption, start, filt):
        asked.append(start)
        return str(folder / "f.jrs"), ""

    monkeypatch.setattr(actions.QFileDialog, "getSaveFileName", save_dialog)
    window.edit(5.0, 0.5)
    assert actions.save_session(window)
    assert asked[0] == str(track.path.with_suffix(".jrs")) and window.settings["session_dir"] == str(folder)
    track.session_path = None
    assert actions.save_session(window)
    assert asked[1] == str(folder / "f.jrs")  # the session folder, not the input's
    assert not track.unsaved
