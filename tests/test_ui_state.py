"""Per-section automation and its undo, typed settings, window layout, and running without audio."""

import numpy as np
import pytest

from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.signal.sections import Section
from jazzremix_gui.core.signal.mixer import Suggestion
from jazzremix_gui.playback import devices
from jazzremix_gui.ui.mixstate import WHOLE, MixState, SetAutomation, SetPanGain
from jazzremix_gui.ui.settings import Settings


def suggestion_with_sections():
    post = np.full((19, 21), 1 / 399)
    secs = [Section(0.0, 2.0, False, post, 0.0, 1.0), Section(2.0, 5.0, True, post, -30.0, 1.5),
            Section(5.0, 8.0, True, post, 20.0, 0.5)]
    return Suggestion(post, 10.0, 0.8, np.zeros((0, 399), np.float32), np.zeros(0), np.zeros(0, bool), secs, "m")


def test_section_edits_automation_and_undo(qtbot):
    from PySide6.QtGui import QUndoStack

    st = MixState(suggestion_with_sections())
    undo = QUndoStack()
    assert st.has_sections and st.target == WHOLE and st.value() == (10.0, 0.8)
    undo.push(SetAutomation(st, True))
    assert st.automation and st.target == 0
    st.select(2)
    undo.push(SetPanGain(st, st.target, -45.0, 2.0))
    assert st.value(2) == (-45.0, 2.0) and st.value(WHOLE) == (10.0, 0.8)
    rate = 100
    pan, gain = st.automation_curves(800, rate)
    assert pan[100] == 0.0 and pan[300] == -30.0 and pan[700] == -45.0 and gain[700] == 2.0
    assert np.all(np.abs(np.diff(pan)) < 45.0)  # boundaries are ramped, not stepped
    rows = st.rows()
    assert rows[1][:2] == (2.0, 5.0) and rows[-1][1] > 1e6  # the last section runs to the end
    undo.undo()
    assert st.value(2) == (20.0, 0.5)
    undo.undo()
    assert not st.automation
    assert st.automation_curves(800, rate) == (10.0, 0.8)
    saved = st.to_json()
    st2 = MixState(suggestion_with_sections())
    st2.apply_json(saved)
    assert st2.values == st.values and st2.automation == st.automation


def test_drags_merge_into_one_undo_step(qtbot):
    from PySide6.QtGui import QUndoStack

    st = MixState(suggestion_with_sections())
    undo = QUndoStack()
    for pan in (5.0, 0.0, -5.0, -10.0):
        undo.push(SetPanGain(st, WHOLE, pan, 1.0, mergeable=True))
    assert undo.count() == 1 and st.value() == (-10.0, 1.0)
    undo.undo()
    assert st.value() == (10.0, 0.8)


def test_typed_settings_round_trip(tmp_path, qapp):
    s = Settings(tmp_path / "a.ini")
    assert s["bits"] == 24 and s["match_loudness"] is True and s["recent_files"] == []
    s["bits"], s["match_loudness"] = 16, False
    for p in ("/x/1.wav", "/x/2.wav", "/x/1.wav"):
        s.add_recent(p)
    s.sync()
    s2 = Settings(tmp_path / "a.ini")
    assert s2["bits"] == 16 and s2["match_loudness"] is False
    assert s2["recent_files"] == ["/x/1.wav", "/x/2.wav"]
    with pytest.raises(KeyError):
        s2["no_such_setting"]


def test_window_layout_is_remembered(qtbot, tmp_path, tiny_models):
    from jazzremix_gui.ui.main_window import MainWindow

    models = (str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx"))
    w = MainWindow(Settings(tmp_path / "w.ini"), model_paths=models)
    qtbot.addWidget(w)
    w.show()
    w.splitter.setSizes([300, 700, 400])
    geometry, state = w.saveGeometry(), w.splitter.saveState()
    w.close()
    saved = Settings(tmp_path / "w.ini")
    assert saved["geometry"] == geometry and saved["splitter"] == state
    w2 = MainWindow(Settings(tmp_path / "w.ini"), model_paths=models)
    qtbot.addWidget(w2)
    w2.show()
    assert w2.splitter.restoreState(saved["splitter"])  # a valid splitter state, as _restore applies it
    w2.close()


def test_app_opens_without_portaudio(qtbot, tmp_path, tiny_models, monkeypatch):
    """Without PortAudio the window still opens, separates, and says why playback is off."""
    from jazzremix_gui.ui.main_window import MainWindow
    from test_ui_app import open_and_wait, write_track

    monkeypatch.setattr(devices, "_sd", None)
    monkeypatch.setattr(devices, "_import_error", "audio library PortAudio is not available (libportaudio.so.2)")
    w = MainWindow(Settings(tmp_path / "n.ini"),
                   model_paths=(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx")))
    qtbot.addWidget(w)
    w.show()
    assert not w.player.available
    assert w.message.isVisible() and "PortAudio" in w.message.text()
    track = open_and_wait(qtbot, w, write_track(tmp_path / "quiet.wav", seconds=2.0))
    assert track.state is not None and not w.transport.play.isEnabled()
    w.toggle_play()  # nothing happens, nothing raises
    w.close()


def test_pan_gain_labels():
    from jazzremix_gui.core.signal.panlaw import pan_text
    from jazzremix_gui.ui.codebook_view import gain_db_text

    assert pan_text(-30) == "30° L" and pan_text(0) == "C" and pan_text(45) == "45° R"
    assert gain_db_text(0.5) == "-6.0 dB" and gain_db_text(0.0) == "-inf dB"
    assert codebook.N_CELLS == 399
