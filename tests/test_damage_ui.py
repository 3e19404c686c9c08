"""The app shows a damaged or downmixed file's warning on its track instead of a plain "ready"."""

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.ui import tracks
from jazzremix_gui.ui.main_window import MainWindow
from jazzremix_gui.ui.settings import Settings
from test_ui_app import open_and_wait

RATE = 44100


@pytest.fixture
def window(qtbot, tiny_models, tmp_path):
    w = MainWindow(Settings(tmp_path / "settings.ini"),
                   model_paths=(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx")))
    qtbot.addWidget(w)
    w.keeper.ask = lambda box: QMessageBox.StandardButton.Discard
    w.show()
    yield w
    w.close()


def _tones(channels, seconds=3.0):
    t = np.arange(int(seconds * RATE)) / RATE
    return np.stack([0.2 * np.sin(2 * np.pi * (220 + 110 * c) * t) for c in range(channels)], 1).astype(np.float32)


def test_cut_mp3_is_ready_with_its_damage_said(qtbot, window, tmp_path):
    whole = tmp_path / "whole.mp3"
    sf.write(whole, _tones(2), RATE)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    track = open_and_wait(qtbot, window, cut)
    assert track.status == tracks.READY, track.error
    assert track.processed.stems.solo.shape[0] == track.decoded.audio.shape[0] < 0.6 * 3 * RATE
    item = window.track_list.item(0).text()
    assert "damaged: 1." in item and "s missing; ready" in item  # not plainly "ready"
    panel = window.tracks_panel
    assert panel.warning_label.isVisible() and "Damaged MP3 file" in panel.warning_label.text()
    assert "processed to the decoded length" in window.track_list.item(0).toolTip()
    assert not window.track_list.item(0).icon().isNull()


def test_whole_file_has_no_warning(qtbot, window, tmp_path):
    path = tmp_path / "fine.wav"
    sf.write(path, _tones(2), RATE, subtype="FLOAT")
    track = open_and_wait(qtbot, window, path)
    assert track.status_text() == "ready" and not window.tracks_panel.warning_label.isVisible()
    assert window.track_list.item(0).icon().isNull()


def test_51_file_says_it_was_downmixed(qtbot, window, tmp_path):
    path = tmp_path / "surround.wav"
    sf.write(path, _tones(6), RATE, subtype="FLOAT")
    track = open_and_wait(qtbot, window, path)
    assert track.status == tracks.READY and track.decoded.channels == 6
    assert "5.1 downmixed to stereo" in window.track_list.item(0).text()
    assert "BS.775" in window.tracks_panel.warning_label.text()
    assert "LFE dropped" in window.tracks_panel.warning_label.text()
