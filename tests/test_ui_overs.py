"""The app's side of headroom: the meter's over lights hold, the export warns before writing overs."""

import numpy as np
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.services.exporting import ExportPlan
from jazzremix_gui.ui import actions
from jazzremix_gui.ui.controls import LevelMeter
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)
from test_ui_export import run_export


def test_meter_over_lights_hold_until_clicked(qtbot):
    m = LevelMeter()
    qtbot.addWidget(m)
    m.set_levels([0.5, 0.5])
    assert not m.overs.any()
    m.set_levels([1.3, 0.9])
    m.set_levels([0.1, 0.1])  # quieter again: the light stays on
    assert list(m.overs) == [1, 0] and "Overs: L 1, R 0" in m.toolTip() and "+2.3 dBFS" in m.toolTip()
    m.grab()  # paints without error
    m.reset_overs()
    assert not m.overs.any() and "Overs" not in m.toolTip()


def test_export_warns_about_overs_then_limits(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "loud.wav"
    rate = 44100
    t = np.arange(3 * rate) / rate
    x = 0.9 * np.sin(2 * np.pi * 440 * t)[:, None] * [1.0, 1.0] + 0.05
    sf.write(path, x.astype(np.float32), rate, subtype="FLOAT")
    open_and_wait(qtbot, window, path)
    window.edit(-45.0, 2.0)  # solo hard left at +6 dB: the remix goes far beyond full scale
    asked = []

    def question(parent, title, text, *a, **kw):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    plan = ExportPlan(tmp_path, ("remix",), "wav", 24, clip="limit")
    assert actions.export(window, plan, confirm=True) is not None  # the overs check runs in a worker
    assert window.exporter.runner.wait() and not window.exporter.busy  # ... then the question, declined
    assert asked and "remix:" in asked[0] and "beyond full scale" in asked[0] and "clip mode: limit" in asked[0]
    assert not (tmp_path / "loud.remix.wav").exists()
    (written,) = run_export(qtbot, window, plan)
    y, _ = sf.read(written)
    assert np.abs(y).max() < 0.9  # limited to -1 dBTP, not clipped
    assert "would have clipped" in window.exporter.reports[0].describe()


def test_dropping_a_folder_opens_its_audio_files_in_order(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    folder = tmp_path / "gig"
    (folder / "set2").mkdir(parents=True)
    write_track(folder / "set2" / "b.wav", seconds=1.0)
    write_track(folder / "a.wav", seconds=1.0)
    (folder / "setlist.txt").write_text("not audio")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier)
    window.dropEvent(ev)  # what Qt calls for a drop on the window
    assert ev.isAccepted()
    assert [t.path.name for t in window.manager.tracks] == ["a.wav", "b.wav"]
    assert "skipped 1 non-audio file" in window.statusBar().currentMessage()
