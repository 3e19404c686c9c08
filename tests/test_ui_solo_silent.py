"""The app's *Solo silent in the loop region*: an undoable edit that plays, is shaded, exported, saved and rendered."""

import numpy as np
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.services.exporting import ExportPlan
from jazzremix_gui.ui import actions
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)
from test_ui_export import run_export


def test_the_solo_silent_in_the_loop_region(qtbot, window, tiny_models, tmp_path):
    src = write_track(tmp_path / "tune.wav", seconds=6.0)
    track = open_and_wait(qtbot, window, src)
    st = track.state
    window.act_solo_silent.trigger()  # the loop is off: nothing happens, and the status bar says what to do
    assert st.silent == () and "turn the loop on" in window.statusBar().currentMessage()
    window.transport.loop.setChecked(True)
    window.timeline.set_loop(2.0, 3.5, True)
    window.act_solo_silent.trigger()
    assert st.silent == ((2.0, 3.5),) and track.unsaved
    assert "silent in 0:02.00-0:03.50" in window.statusBar().currentMessage()
    assert window.player.engine.feeder.solo_silent == ((2.0, 3.5),)  # what plays
    assert len(window.timeline.silent_items) == 3  # shaded over the solo and the waveform, named
    window.timeline.set_loop(3.0, 3.25, True)
    window.act_solo_plays.trigger()  # plays again in a part of it
    assert st.silent == ((2.0, 3.0), (3.25, 3.5))
    track.undo.undo()
    assert st.silent == ((2.0, 3.5),) and window.player.engine.feeder.solo_silent == ((2.0, 3.5),)

    out = tmp_path / "app"
    out.mkdir()
    written = run_export(qtbot, window, ExportPlan(out, ("solo", "accompaniment", "remix"), "wav", 24, solo="mono"))
    # 24-bit PCM: no PEAK chunk with its time of writing (the render's bytes are compared below)
    report = window.exporter.report_dialog
    assert report.silent.isVisibleTo(report) and "silent in 1 span (1.5 s: 0:02.00-0:03.50)" in report.silent.text()
    x, rate = sf.read(src, dtype="float32")
    solo, acc = sf.read(out / "tune.solo.wav", dtype="float32")[0], sf.read(out / "tune.accompaniment.wav",
                                                                             dtype="float32")[0]
    span = slice(int(2.0 * rate) + 300, int(3.5 * rate) - 300)
    assert np.abs(solo[span]).max() < 1e-6 and np.abs(acc[span] - x[span]).max() < 1e-6  # 24 bits
    assert np.abs(solo[: int(2.0 * rate) - 300]).max() > 0.01

    sess = tmp_path / "tune.jrs"
    actions.save_session(window, str(sess))
    models = ["--model", str(tiny_models / "separator.onnx"), "--mixer", str(tiny_models / "mixer.onnx")]
    assert main(["render", str(sess), "--format", "wav", "--bits", "24", *models,
                 "--out", str(tmp_path / "cli")]) == 0
    for p in written:  # render writes what the app's export wrote
        assert (tmp_path / "cli" / p.name).read_bytes() == p.read_bytes(), p.name
