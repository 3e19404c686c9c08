"""Export, annotations, sessions and live playback from the window."""

import json
import os

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from jazzremix_gui.core.files import paths
from jazzremix_gui.playback import devices
from jazzremix_gui.playback import renderer as R
from jazzremix_gui.ui import actions, tracks, worker
from jazzremix_gui.services.exporting import ExportPlan
from jazzremix_gui.ui.main_window import MainWindow
from jazzremix_gui.ui.settings import Settings
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (window is a fixture)
from jazzremix_gui.services.remix_writer import render_remix


def run_export(qtbot, w, plan):
    job = actions.export(w, plan, confirm=False)
    assert job is not None
    if isinstance(w.exporter.runner, worker.SyncJobRunner):
        assert w.exporter.runner.wait()
    else:
        qtbot.waitUntil(lambda: w.exporter.reports is not None or w.error.isVisible(), timeout=20000)
    assert not w.error.isVisible(), w.error.text()
    return [r.path for r in w.exporter.reports]


def test_export_reads_back_as_pipeline_output(qtbot, window, tmp_path):
    rate = 48000
    path = write_track(tmp_path / "gig.wav", seconds=4.0, rate=rate)
    track = open_and_wait(qtbot, window, path)
    window.edit(-20.0, 1.3)
    out = tmp_path / "out"
    out.mkdir()
    plan = ExportPlan(out, ("solo", "accompaniment", "remix"), "wav", 32, solo="remix", loudness="keep")
    written = run_export(qtbot, window, plan)
    assert [p.name for p in written] == ["gig.solo.wav", "gig.accompaniment.wav", "gig.remix.wav"]
    stems = track.processed.stems
    n = 4 * rate
    remix, r = sf.read(str(out / "gig.remix.wav"), dtype="float32")
    assert r == rate and remix.shape == (n, 2)
    np.testing.assert_allclose(remix, render_remix(stems, -20.0, 1.3), atol=1e-6)
    acc, _ = sf.read(str(out / "gig.accompaniment.wav"), dtype="float32")
    np.testing.assert_allclose(acc, stems.accompaniment, atol=1e-6)
    solo, _ = sf.read(str(out / "gig.solo.wav"), dtype="float32")
    assert solo.shape == (n, 2)  # stereo, as panned in the remix
    np.testing.assert_allclose(solo + stems.accompaniment, remix, atol=1e-5)
    lines = paths.annotations_path().read_text().splitlines()
    rec = json.loads(lines[-1])
    assert rec["input_sha256"] == track.decoded.sha256 and rec["pan_deg"] == -20.0 and rec["gain"] == 1.3
    assert rec["separator_version"] == "tiny-sep-c0" and rec["mixer_version"] == "tiny-mix"
    assert {"time", "input_path", "sections"} <= rec.keys()


def test_export_flac_16_mono_solo(qtbot, window, tmp_path):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "set.wav", seconds=2.0))
    plan = ExportPlan(tmp_path, ("solo",), "flac", 16, solo="mono")
    (written,) = run_export(qtbot, window, plan)
    info = sf.info(str(written))
    assert written.name == "set.solo.flac" and info.channels == 1 and info.subtype == "PCM_16"
    data, _ = sf.read(str(written), dtype="float32")
    np.testing.assert_allclose(data, track.processed.stems.solo, atol=1.5 / 32768 + 1e-6)  # TPDF dither + rounding
    assert not list(tmp_path.glob(".*part"))  # no temporary left behind


def test_session_save_and_reopen(qtbot, window, tiny_models, tmp_path):
    path = write_track(tmp_path / "tune.wav", seconds=3.0)
    track = open_and_wait(qtbot, window, path)
    window.edit(30.0, 0.4)
    sess = tmp_path / "tune.jrs"
    actions.save_session(window, str(sess))
    data = json.loads(sess.read_text())
    assert data["input"] == str(path.resolve()) and data["mix"]["pan_deg"] == 30.0
    assert data["separator_version"] == "tiny-sep-c0"
    w2 = MainWindow(Settings(tmp_path / "s2.ini"),
                    model_paths=(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx")))
    qtbot.addWidget(w2)
    actions.open_session(w2, str(sess))
    t2 = w2.manager.find(path)
    assert w2.manager.runner.wait() and t2.status == tracks.READY
    assert t2.state.value() == pytest.approx((30.0, 0.4))
    w2.close()


@pytest.mark.threaded
def test_export_records_the_mix_of_the_moment_it_started(qtbot, window, tmp_path):
    """An edit made while the export waits or runs changes neither the files nor the annotation."""
    import threading

    track = open_and_wait(qtbot, window, write_track(tmp_path / "race.wav", seconds=3.0))
    window.edit(-20.0, 1.3)
    gate = threading.Event()
    window.exporter.runner.submit(lambda job: gate.wait(20))  # the export queues behind this
    plan = ExportPlan(tmp_path, ("remix",), "wav", 32, loudness="keep")
    assert actions.export(window, plan, confirm=False) is not None
    window.edit(30.0, 0.4)  # the engineer goes on editing
    gate.set()
    qtbot.waitUntil(lambda: window.exporter.reports is not None or window.error.isVisible(), timeout=20000)
    remix, _ = sf.read(str(tmp_path / "race.remix.wav"), dtype="float32")
    np.testing.assert_allclose(remix, render_remix(track.processed.stems, -20.0, 1.3), atol=1e-6)
    rec = json.loads(paths.annotations_path().read_text().splitlines()[-1])
    assert (rec["pan_deg"], rec["gain"]) == (-20.0, 1.3) and track.state.value() == pytest.approx((30.0, 0.4))


def test_bad_session_file_shows_error(qtbot, window, tmp_path, monkeypatch):
    bad = tmp_path / "x.jrs"
    bad.write_text("{not json")
    shown = []
    monkeypatch.setattr(window, "show_error", shown.append)
    actions.open_session(window, str(bad))
    assert shown and f"{bad}: not a valid Jazz Remix session (not JSON" in shown[0]


def need_audio():
    reason = devices.unavailable_reason()
    if reason is not None:
        if os.environ.get("JAZZREMIX_JACK"):
            pytest.fail(f"JACK was started for the tests but playback is unavailable: {reason}")
        pytest.skip(f"no audio output device: {reason}")


def test_play_and_change_gain_live(qtbot, window, tmp_path):
    need_audio()
    track = open_and_wait(qtbot, window, write_track(tmp_path / "live.wav", seconds=6.0))
    qtbot.waitUntil(lambda: window.player.ready, timeout=10000)
    engine = window.player.engine
    window.toggle_play()
    qtbot.waitUntil(lambda: engine.callbacks > 3 and engine.renderer.blocks_rendered > 2, timeout=5000)
    assert engine.playing
    qtbot.waitUntil(lambda: window.timeline.playheads[0].value() > 0, timeout=3000)
    r = engine.renderer
    window.transport.mute_acc.setChecked(True)
    before = r.blocks_rendered
    window.edit(0.0, 0.2)  # as a click on the map would
    assert r.controls[R.GAIN] == pytest.approx(0.2)
    qtbot.waitUntil(lambda: r.blocks_rendered >= before + 2, timeout=3000)
    from jazzremix_gui.core.signal.panlaw import solo_weights

    g = solo_weights(0.0, 0.2, track.processed.stems.solo_level)[0]  # k gain g_L(0)
    # the callback plays it within a few blocks (once, on a loaded machine, two blocks after the edit still held
    # 0.124 where 0.202 was due; not reproduced since): wait for it, so a late block is not a failure but a
    # callback that never takes the edit up still is
    qtbot.waitUntil(lambda: r.last_target[0] == pytest.approx(g), timeout=3000)
    window.transport.original.setChecked(True)  # A/B
    assert r.controls[R.ORIGINAL] == 1.0
    window.toggle_play()
    qtbot.waitUntil(lambda: not engine.playing, timeout=3000)
    assert track.status == tracks.READY


def test_export_residual_solo_adds_up_and_the_dialog_offers_it(qtbot, window, tmp_path):
    from jazzremix_gui.ui.dialogs import ExportDialog

    path = write_track(tmp_path / "duo.wav", seconds=2.0)
    track = open_and_wait(qtbot, window, path)
    dlg = ExportDialog(path, window.settings, window)
    qtbot.addWidget(dlg)
    offered = [dlg.solo.itemData(i) for i in range(dlg.solo.count())]
    assert offered == ["mono", "remix", "stereo", "residual"]
    dlg.solo.setCurrentIndex(offered.index("residual"))
    dlg.bits.setCurrentIndex(dlg.bits.findData(32))
    dlg.folder.setText(str(tmp_path))
    plan = dlg.plan()
    assert plan.solo == "residual" and plan.bits == 32
    dlg.remember()
    assert window.settings["solo_mode"] == "residual"
    plan.kinds = ("solo", "accompaniment")
    written = run_export(qtbot, window, plan)
    solo, _ = sf.read(str(written[0]), dtype="float32")
    acc, _ = sf.read(str(written[1]), dtype="float32")
    x = track.decoded.audio
    assert solo.shape == acc.shape == x.shape
    assert np.abs(solo + acc - x).max() < 1e-6  # the stems add up to the recording
    assert np.abs(solo).max() > 0.01


def test_export_remix_matched_to_the_recordings_loudness(qtbot, window, tmp_path):
    import pyloudnorm

    from jazzremix_gui.ui.dialogs import ExportDialog

    path = write_track(tmp_path / "quiet.wav", seconds=3.0)
    track = open_and_wait(qtbot, window, path)
    window.edit(0.0, 0.3)  # the solo turned well down: the remix as computed is quieter
    dlg = ExportDialog(path, window.settings, window)
    qtbot.addWidget(dlg)
    assert dlg.loudness.currentData() == "match"  # the default, as the CLI's
    dlg.folder.setText(str(tmp_path))
    plan = dlg.plan()
    plan.kinds, plan.bits = ("remix",), 32
    (written,) = run_export(qtbot, window, plan)
    remix, rate = sf.read(str(written), dtype="float64")
    meter = pyloudnorm.Meter(rate)
    recorded = meter.integrated_loudness(track.decoded.audio.astype(np.float64))
    computed = meter.integrated_loudness(render_remix(track.processed.stems, 0.0, 0.3).astype(np.float64))
    assert recorded - computed > 1.0 and abs(meter.integrated_loudness(remix) - recorded) < 0.5
    assert "loudness: recording" in window.exporter.reports[0].describe()


def test_export_report_dialog_lists_the_files_and_shows_the_folder(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    open_and_wait(qtbot, window, write_track(tmp_path / "rep.wav", seconds=3.0))
    out = tmp_path / "stems"
    out.mkdir()
    written = run_export(qtbot, window, ExportPlan(out, ("solo", "remix"), "flac", 24))
    dlg = window.exporter.report_dialog
    assert dlg is not None and dlg.isVisible()
    assert "2 files written to" in dlg.summary.text() and str(out) in dlg.summary.text()
    lines = [dlg.files.item(i).text() for i in range(dlg.files.count())]
    assert [line.split(":")[0] for line in lines] == [p.name for p in written]
    assert all("dBTP" in line and "kB" in line for line in lines)  # overs handled, size on disk
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    qtbot.mouseClick(dlg.show_button, Qt.MouseButton.LeftButton)
    assert opened == [str(out)]


@pytest.mark.threaded
def test_export_progress_moves_within_each_stem_and_cancel_takes_under_half_a_second(qtbot, window, tmp_path):
    import time

    open_and_wait(qtbot, window, write_track(tmp_path / "long.wav", seconds=150.0), timeout=120000)
    out = tmp_path / "out"
    out.mkdir()
    seen = []
    window.exporter.progressed.connect(lambda f, m: seen.append((f, m)))
    ended = []
    window.exporter.finished.connect(lambda: ended.append(time.monotonic()))
    window.exporter.start(window.current, ExportPlan(out, ("solo", "accompaniment", "remix"), "wav", 24,
                                                     loudness="keep"), confirm=False)
    # one pass writes the three files block by block (services.remix_writer.write_outputs)
    qtbot.waitUntil(lambda: len({f for f, m in seen if m.startswith("writing")}) >= 4, timeout=60000)
    writing = [f for f, m in seen if m.startswith("writing")]
    assert writing == sorted(writing) and writing[-1] > writing[0]  # the bar moves, not stuck at its start
    assert window.progress.value() > 0 and "writing solo, accompaniment, remix" in window.progress_label.text()
    asked = time.monotonic()
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ended), timeout=5000)
    assert ended[0] - asked < 0.5
    assert window.exporter.reports is None and list(out.iterdir()) == []  # nothing written, no temporary left


def test_an_export_that_cannot_go_is_one_line_and_leaves_the_exporter_free(qtbot, window, tmp_path, monkeypatch):
    """Outputs whose names are too long for the file system, or the input itself as an output: said as one line
    before any question (it raised on the UI thread and left the exporter busy until a restart; it asked to replace
    the input, then refused it); the next export then works."""
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    long = write_track(tmp_path / ("n" * 240 + ".wav"), seconds=2.0)
    open_and_wait(qtbot, window, long)
    out = tmp_path / "out"
    out.mkdir()
    assert window.exporter.start(window.current, ExportPlan(out, ("solo", "accompaniment"))) is None
    assert not window.exporter.busy and "is too long" in window.error.text() and not asked
    take = write_track(tmp_path / "take.remix.wav", seconds=2.0)
    open_and_wait(qtbot, window, take)
    plan = ExportPlan(tmp_path, ("solo", "remix"), template="take.{stem}.{ext}")
    assert window.exporter.start(window.current, plan) is None
    assert "is this input: refused" in window.error.text() and not asked and not window.exporter.busy
    assert sorted(p.name for p in run_export(qtbot, window, ExportPlan(out, ("solo",)))) == ["take.remix.solo.wav"]


def test_a_cancel_after_the_files_are_in_place_does_not_say_cancelled(qtbot, window, tmp_path):
    """Cancel pressed as the export renames its files: they are written, so it succeeded (it said "Export cancelled:
    no file was left half-written" over three written files)."""
    open_and_wait(qtbot, window, write_track(tmp_path / "take.wav", seconds=2.0))
    out = tmp_path / "out"
    out.mkdir()
    outcome = []
    window.exporter.cancelled.connect(lambda: outcome.append("cancelled"))
    window.exporter.succeeded.connect(lambda reports: outcome.append("succeeded"))
    window.exporter.progressed.connect(lambda f, m: window.exporter.cancel() if m == "exported" else None)
    window.exporter.start(window.current, ExportPlan(out, ("solo", "remix"), loudness="keep"), confirm=False)
    qtbot.waitUntil(lambda: bool(outcome), timeout=20000)
    assert outcome == ["succeeded"] and sorted(p.name for p in out.iterdir()) == ["take.remix.wav", "take.solo.wav"]


def test_the_dialog_takes_no_empty_or_relative_folder(qtbot, tmp_path):
    """An empty Folder box exported into the folder the app was started from."""
    from jazzremix_gui.ui.dialogs import ExportDialog

    take = write_track(tmp_path / "take.wav", seconds=1.0)
    dlg = ExportDialog(take, Settings(), None)
    qtbot.addWidget(dlg)
    for text, said in (("", "Choose the folder to export into"), ("rel/out", "give the folder's full path")):
        dlg.folder.setText(text)
        dlg.accept()
        assert dlg.result() == 0 and said in dlg.problem.text()
    dlg.folder.setText(str(tmp_path))
    dlg.accept()
    assert dlg.result() == 1


def test_a_declined_question_and_a_second_export_are_said(qtbot, window, tmp_path, monkeypatch):
    """Answering No to replacing files ended without a word; Export pressed during an export did nothing, silently."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    open_and_wait(qtbot, window, write_track(tmp_path / "take.wav", seconds=2.0))
    out = tmp_path / "out"
    out.mkdir()
    (out / "take.solo.wav").write_bytes(b"mine")
    said = []
    window.exporter.cancelled.connect(lambda: said.append("cancelled"))
    actions.export(window, ExportPlan(out, ("solo",)))
    qtbot.waitUntil(lambda: not window.exporter.busy, timeout=20000)
    assert said == ["cancelled"] and (out / "take.solo.wav").read_bytes() == b"mine"
    assert "Export cancelled" in window.statusBar().currentMessage()
    window.exporter.job = object()  # as while an export runs
    try:
        assert actions.export(window, ExportPlan(out, ("remix",))) is None
        assert "An export is under way" in window.statusBar().currentMessage()
    finally:
        window.exporter.job = None


def test_the_dialog_remembers_only_choices_that_could_go(qtbot, window, tmp_path, monkeypatch):
    """A folder that does not exist was saved and offered again after the export failed."""
    from jazzremix_gui.ui.dialogs import ExportDialog

    open_and_wait(qtbot, window, write_track(tmp_path / "take.wav", seconds=2.0))
    before = window.settings["out_dir"]
    chosen = {"folder": str(tmp_path / "missing")}

    def answer(dlg):
        dlg.folder.setText(chosen["folder"])
        return True

    monkeypatch.setattr(ExportDialog, "exec", answer)
    assert window.exporter.start(window.current, confirm=False) is None
    assert "output folder does not exist" in window.error.text() and window.settings["out_dir"] == before
    chosen["folder"] = str(tmp_path)
    assert window.exporter.start(window.current, confirm=False) is not None
    qtbot.waitUntil(lambda: not window.exporter.busy, timeout=20000)
    assert window.settings["out_dir"] == str(tmp_path)
