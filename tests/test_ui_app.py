"""The desktop app end to end (pytest-qt, offscreen): open, process, view, edit, undo, cancel, errors."""

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.core.files import paths
from jazzremix_gui.core.signal import codebook
from jazzremix_gui.ui import tracks, worker
from jazzremix_gui.ui.main_window import MainWindow
from jazzremix_gui.ui.settings import Settings

RATE = 44100


def write_track(path, seconds=6.0, seed=0, rate=RATE):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    solo = 0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 0.5 * t) > -0.5)
    acc = 0.05 * rng.standard_normal((t.size, 2))
    sf.write(str(path), (acc + solo[:, None] * [0.8, 0.6]).astype(np.float32), rate, subtype="FLOAT")
    return path


@pytest.fixture
def window(qtbot, tiny_models, tmp_path):
    w = MainWindow(Settings(tmp_path / "settings.ini"),
                   model_paths=(str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx")))
    # before pytest-qt closes it: an export whose report is in may still be winding down on its thread, and
    # closing then would ask "Export under way" in a modal box nobody answers (a hang, seen once under load)
    qtbot.addWidget(w, before_close_func=lambda w: qtbot.waitUntil(lambda: not w.exporter.busy, timeout=30000))
    w.keeper.ask = lambda box: QMessageBox.StandardButton.Discard  # quitting with edits: no modal box
    w.show()
    yield w
    w.close()


def open_and_wait(qtbot, w, path, timeout=20000):
    w.open_files([str(path)])
    track = w.manager.find(path)
    if isinstance(w.manager.runner, worker.SyncJobRunner):  # no timing: every job has run when wait returns
        assert w.manager.runner.wait(timeout) and w.player.runner.wait(timeout)
        assert not track.busy
    else:
        qtbot.waitUntil(lambda: not track.busy, timeout=timeout)
    return track


def test_gui_tests_run_jobs_synchronously(window):
    assert type(window.manager.runner) is type(window.player.runner) is type(window.exporter.runner) \
        is worker.SyncJobRunner


def test_open_file_shows_stems_and_posterior(qtbot, window, tmp_path):
    path = write_track(tmp_path / "take.wav")
    order = []
    window.manager.decoded.connect(lambda t: order.append("decoded"))
    window.manager.ready.connect(lambda t: order.append("ready"))
    track = open_and_wait(qtbot, window, path)
    assert track.status == tracks.READY, track.error
    assert order == ["decoded", "ready"]  # the mixture is shown before separation finishes
    stems = track.processed.stems
    assert stems.solo.shape == (int(6 * RATE),) and stems.accompaniment.shape == (int(6 * RATE), 2)
    for key in ("mixture", "solo", "accompaniment"):
        img = window.timeline.images[key].image
        assert img is not None and img.shape[0] == 256 and img.shape[1] > 100
    shown = window.codebook.image.image
    assert shown.shape == (codebook.N_PANS, codebook.N_GAINS)
    post = track.state.posterior()
    assert post.sum() == pytest.approx(1.0)
    sug = track.processed.suggestion
    assert window.mix_controls.pan_spin.value() == pytest.approx(sug.pan_deg)
    assert window.mix_controls.gain_spin.value() == pytest.approx(sug.gain)
    assert window.track_list.count() == 1 and "ready" in window.track_list.item(0).text()


def click_cell(qtbot, w, pan, gain):
    """Left-click the centre of the heat-map cell of (pan, gain)."""
    row = int(np.argmin(np.abs(codebook.PANS_DEG - pan)))
    col = int(np.argmin(np.abs(codebook.GAINS - gain)))
    scene_pos = w.codebook.image.mapToScene(QPointF(col + 0.5, row + 0.5))
    view_pos = w.codebook.mapFromScene(scene_pos)
    qtbot.mouseClick(w.codebook.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)


def test_click_heat_map_sets_pan_gain_and_undo(qtbot, window, tmp_path):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "a.wav"))
    suggested = track.state.value()
    target = (-30.0, 1.5) if suggested != (-30.0, 1.5) else (20.0, 0.5)
    click_cell(qtbot, window, *target)
    assert track.state.value() == pytest.approx(target)
    assert window.mix_controls.pan_spin.value() == pytest.approx(target[0])
    assert window.player.engine.renderer.controls[0] == pytest.approx(target[0])  # the audio renderer's pan
    window.act_undo.trigger()
    assert track.state.value() == pytest.approx(suggested)
    window.act_redo.trigger()
    assert track.state.value() == pytest.approx(target)
    window.reset_to_suggestion()
    assert track.state.value() == pytest.approx(suggested)


def test_controls_and_shortcut_nudges(qtbot, window, tmp_path):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "b.wav"))
    window.mix_controls.pan_spin.setValue(12.0)
    window.mix_controls.gain_spin.setValue(0.7)
    assert track.state.value() == pytest.approx((12.0, 0.7))
    assert "-3.1 dB" in window.mix_controls.gain_db.text()
    window.nudge(d_pan=1.0)
    assert track.state.value()[0] == pytest.approx(13.0)
    while track.undo.canUndo():
        track.undo.undo()
    assert track.state.value() == pytest.approx(track.state.suggested_value())


@pytest.mark.threaded
def test_cancel_midway_then_still_usable(qtbot, window, tmp_path):
    long_path = write_track(tmp_path / "long.wav", seconds=120.0)
    window.open_files([str(long_path)])
    track = window.manager.find(long_path)
    qtbot.waitUntil(lambda: track.decoded is not None and track.progress > 0.06, timeout=20000)
    assert window.cancel_button.isVisible()
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: track.status == tracks.CANCELLED, timeout=10000)
    assert track.processed is None and track.progress < 1.0
    good = open_and_wait(qtbot, window, write_track(tmp_path / "short.wav", seconds=3.0))
    assert good.status == tracks.READY


def test_bad_file_shows_error_and_app_stays_usable(qtbot, window, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    track = open_and_wait(qtbot, window, bad)
    assert track.status == tracks.FAILED
    assert window.error.isVisible() and "broken.wav" in window.error.text()
    assert "Traceback" not in window.error.text()
    good = open_and_wait(qtbot, window, write_track(tmp_path / "ok.wav", seconds=3.0))
    assert good.status == tracks.READY and not window.error.isVisible()


def test_missing_model_message(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "models_dir", lambda: tmp_path / "no-models")
    monkeypatch.setattr(paths, "user_mixer_path", lambda: tmp_path / "no-models" / "user.onnx")
    w = MainWindow(Settings(tmp_path / "s.ini"))
    qtbot.addWidget(w)
    track = open_and_wait(qtbot, w, write_track(tmp_path / "c.wav", seconds=3.0))
    assert track.status == tracks.FAILED
    assert "No separator model is installed yet" in w.error.text()
    assert w.timeline.images["mixture"].image is not None  # the mixture is still shown
    w.close()


@pytest.mark.threaded
def test_several_tracks_switch_while_processing(qtbot, window, tmp_path):
    a = write_track(tmp_path / "one.wav", seconds=20.0)
    b = write_track(tmp_path / "two.wav", seconds=3.0, seed=1)
    window.open_files([str(a), str(b)])
    ta, tb = window.manager.find(a), window.manager.find(b)
    window.select(tb)
    assert window.current is tb
    qtbot.waitUntil(lambda: not ta.busy and not tb.busy, timeout=30000)
    assert ta.status == tb.status == tracks.READY
    window.select(ta)
    assert window.codebook.image.image is not None and window.current is ta
    w2_track = open_and_wait(qtbot, window, a)  # already open: the same track
    assert w2_track is ta and window.track_list.count() == 2


def test_reopen_uses_cache(qtbot, tiny_models, tmp_path):
    path = write_track(tmp_path / "cached.wav", seconds=4.0)
    models = (str(tiny_models / "separator.onnx"), str(tiny_models / "mixer.onnx"))
    for expect_cache in (False, True):
        w = MainWindow(Settings(tmp_path / "s.ini"), model_paths=models)
        qtbot.addWidget(w)
        track = open_and_wait(qtbot, w, path)
        assert track.status == tracks.READY and track.processed.from_cache is expect_cache
        w.close()


def test_user_mixer_is_named_and_can_be_reverted(qtbot, tiny_models, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tiny_models import tiny_mixer

    user = paths.user_mixer_path()
    user.parent.mkdir(parents=True, exist_ok=True)
    tiny_mixer(user, seed=3, version="tiny-mix+user-3ann")
    w = MainWindow(Settings(tmp_path / "settings.ini"), model_paths=(str(tiny_models / "separator.onnx"), None))
    qtbot.addWidget(w)
    w.show()
    try:
        track = open_and_wait(qtbot, w, write_track(tmp_path / "u.wav"))
        assert track.status == tracks.READY, track.error
        assert "your fine-tuned mixer" in w.codebook.legend.text
        assert w.act_revert_mixer.isEnabled()
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        w.revert_mixer()
        assert not user.exists() and not w.act_revert_mixer.isEnabled()
    finally:
        user.unlink(missing_ok=True)
        w.close()


def test_the_panel_says_where_the_solo_was_found(qtbot, window, tmp_path):
    """Under the heat map: the side where the separation found the solo (the pan its stems carry, which the mixer
    reads too), and nothing of the kind for a mono recording, which has no side."""
    from jazzremix_gui.core.signal.panlaw import pan_text
    from jazzremix_gui.ui.main_window import solo_found_text

    track = open_and_wait(qtbot, window, write_track(tmp_path / "left.wav"))
    assert track.status == tracks.READY, track.error
    stems = track.processed.stems
    expected = f"solo found at {pan_text(stems.recorded_pan_deg)} in the recording ({stems.solo_share_db:.1f} dB"
    assert expected in window.codebook.legend.text, window.codebook.legend.text
    assert solo_found_text(track.processed.stems, channels=1) == "" and solo_found_text(None) == ""
    mono = tmp_path / "mono.wav"
    sf.write(str(mono), sf.read(str(tmp_path / "left.wav"), dtype="float32")[0].mean(axis=1), RATE, subtype="FLOAT")
    other = open_and_wait(qtbot, window, mono)
    assert other.status == tracks.READY and window.current is other
    assert "solo found at" not in window.codebook.legend.text


def test_the_solo_side_given_separates_the_track_again_toward_it(qtbot, window, tmp_path, monkeypatch):
    """Track menu "Solo side...": a ready stereo track is separated again with the solo's pan given (its version
    and the panel say so, its stems change, its results are cached apart), and again read when asked; a busy or
    mono track is left alone."""
    from jazzremix_gui.ui import track_list

    track = open_and_wait(qtbot, window, write_track(tmp_path / "take.wav"))
    assert track.status == tracks.READY and window.tracks_panel.act_solo_side.isEnabled()
    read = track.processed
    monkeypatch.setattr(track_list, "ask_solo_side", lambda parent, t: -20.0)
    window.tracks_panel.solo_side_current()
    qtbot.waitUntil(lambda: track.status == tracks.READY and track.processed is not read, timeout=20000)
    given = track.processed
    assert given.separator_version == f"{read.separator_version.split(' pan-aware')[0]} pan-aware 15,0.1,1 solo -20"
    assert abs(given.stems.recorded_pan_deg + 20.0) < 5.0 and not given.from_cache  # measured -23.3
    assert not np.allclose(np.asarray(given.stems.solo), np.asarray(read.stems.solo))
    from jazzremix_gui.core.signal.panlaw import pan_text

    assert f"solo found at {pan_text(given.stems.recorded_pan_deg)} in" in window.codebook.legend.text
    assert not window.manager.set_solo_side(track, -20.0)  # nothing changes: nothing done
    assert window.manager.set_solo_side(track, None)
    assert not window.manager.set_solo_side(track, 10.0)  # busy
    qtbot.waitUntil(lambda: track.status == tracks.READY, timeout=20000)
    assert track.processed.separator_version == read.separator_version and track.processed.from_cache
    mono = tmp_path / "mono.wav"
    sf.write(str(mono), sf.read(str(tmp_path / "take.wav"), dtype="float32")[0].mean(axis=1), RATE, subtype="FLOAT")
    other = open_and_wait(qtbot, window, mono)
    window.select(other)
    assert other.status == tracks.READY and not window.tracks_panel.act_solo_side.isEnabled()
    # a mono record transferred in stereo: two channels, separated as mono throughout (rule r35): no side either
    x = sf.read(str(tmp_path / "take.wav"), dtype="float32")[0].mean(axis=1)
    hiss = np.random.default_rng(0).standard_normal((x.size, 2)) * np.sqrt(np.mean(x ** 2)) * 10 ** (-50 / 20)
    transfer = tmp_path / "transfer.wav"
    sf.write(str(transfer), (np.stack([x * 10 ** (0.5 / 20), x], axis=1) + hiss).astype(np.float32), RATE,
             subtype="FLOAT")
    third = open_and_wait(qtbot, window, transfer)
    window.select(third)
    assert third.status == tracks.READY and third.processed.stems.transferred_s > 0
    assert "solo found at" not in window.codebook.legend.text  # no side read: none named
    assert "a mono record transferred in stereo" in window.codebook.legend.text
    assert not window.tracks_panel.act_solo_side.isEnabled()
    assert "no sides" in window.tracks_panel.act_solo_side.toolTip()
    window.select(track)
    action = window.tracks_panel.act_solo_side
    assert action.isEnabled() and "no sides" not in action.toolTip()


def _click_link(qtbot, view, href: str) -> None:
    """A real mouse click on the legend's link ``href`` (found by hit-testing the text's layout)."""
    from PySide6.QtCore import QPointF

    item = view.legend.item
    doc, rect = item.document(), item.boundingRect()
    for y in range(int(rect.top()), int(rect.bottom()), 2):
        for x in range(int(rect.left()), int(rect.right()), 3):
            if doc.documentLayout().anchorAt(QPointF(x, y)) == href:
                scene = item.mapToScene(QPointF(x, y))
                at = view.mapFromScene(scene)
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
                return
    raise AssertionError(f"no link {href} in {view.legend.text}")


def test_another_part_that_holds_its_place_is_a_link_to_separate_with_the_solo_there(qtbot, window, tmp_path,
                                                                                   monkeypatch):
    """Under the heat map, a part the separator also took for the solo (it holds its place) is named with a link; a
    click separates the track again with the solo there (the side given), and a second link lets the separator read
    it again. The Solo side dialog offers the same part."""
    from test_other_parts import _two_parts

    from jazzremix_gui.ui import track_list
    from jazzremix_gui.core.signal.panlaw import pan_text

    window.settings["wiener_step"] = "pan-aware"  # the tiny separator's own step is the plain one
    path = tmp_path / "two.wav"
    sf.write(str(path), _two_parts(), RATE, subtype="FLOAT")
    track = open_and_wait(qtbot, window, path)
    assert track.status == tracks.READY, track.error
    read = track.processed
    (other,) = read.stems.others_deg
    assert abs(other - 30.0) <= 2.0
    text = window.codebook.legend.text
    assert f"another part holds its place at {pan_text(other)}" in text and f"href='side:{other:.1f}'" in text
    _click_link(qtbot, window.codebook, f"side:{other:.1f}")
    qtbot.waitUntil(lambda: track.status == tracks.READY and track.processed is not read, timeout=20000)
    assert track.solo_side == round(other, 1) and track.processed.stems.others_deg == ()
    assert abs(track.processed.stems.recorded_pan_deg - other) < 5.0
    text = window.codebook.legend.text
    assert "toward the side you gave" in text and "another part" not in text and "href='side:read'" in text
    _click_link(qtbot, window.codebook, "side:read")
    qtbot.waitUntil(lambda: track.status == tracks.READY and track.solo_side is None, timeout=20000)
    assert track.processed.stems.others_deg == read.stems.others_deg
    offered = []

    def pick(parent, title, label, items, current, editable):
        offered.extend(items)
        return items[-2], True

    monkeypatch.setattr(track_list.QInputDialog, "getItem", pick)
    assert track_list.ask_solo_side(window, track) == other
    assert offered[-2:] == [f"Where another part holds its place: {pan_text(other)}", track_list.BY_PITCH]
    for bad in ("side:99", "side:nan", "side:x", "http://example.com"):  # not a pan: nothing happens
        window.codebook.legend.item.linkActivated.emit(bad)
        assert track.solo_side is None and not track.busy
