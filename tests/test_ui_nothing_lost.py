"""Nothing the engineer did is lost or misreported: a track separated again (Solo side...), sessions opened and saved
beside open tracks, autosave that cannot write (an adversarial pass over the app, 2026-12-06)."""

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.services import session
from jazzremix_gui.ui import actions, tracks
from test_ui_app import open_and_wait, window, write_track  # noqa: F401 (the fixture)


@pytest.fixture
def asked(monkeypatch, window):  # noqa: F811
    """The questions the app asks (answered Yes unless a test says otherwise) and its error boxes."""
    said = {"questions": [], "errors": [], "answer": QMessageBox.StandardButton.Yes}

    def question(parent, title, text, *a, **k):
        said["questions"].append(text)
        return said["answer"]

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(window, "show_error", lambda text: said["errors"].append(text))
    return said


def _settle(w):
    """Every job run (the GUI tests' runner runs them on this thread, in turn)."""
    assert w.manager.runner.wait(20000) and w.player.runner.wait(20000)


def _during_the_job(monkeypatch, what):
    """Run ``what()`` inside the next separation (the GUI tests' jobs run at once, on this thread)."""
    real = tracks.process_track

    def wrapped(path, job, *a):
        what(job)
        return real(path, job, *a)

    monkeypatch.setattr(tracks, "process_track", wrapped)
    return lambda: monkeypatch.setattr(tracks, "process_track", real)


def test_a_separation_again_takes_no_edits_while_it_works_then_carries_the_mix_over(qtbot, window, tmp_path,
                                                                                   monkeypatch, asked):
    track = open_and_wait(qtbot, window, write_track(tmp_path / "take.wav"))
    window.edit(30.0, 0.3)  # not yet autosaved, not in a session
    seen = {}

    def look(job):
        seen.update(editable=window.editable, controls=window.mix_controls.isEnabled(),
                    export=window.act_export.isEnabled(), undo=window.undo_group.activeStack(), side=track.solo_side)
        window.edit(-40.0, 1.9)  # a key or a click meanwhile: not taken

    restore = _during_the_job(monkeypatch, look)
    assert window.manager.set_solo_side(track, -20.0)
    _settle(window)
    restore()
    assert seen == {"editable": None, "controls": False, "export": False, "undo": None, "side": None}
    assert track.status == tracks.READY and track.solo_side == -20.0
    assert tuple(track.state.value()) == pytest.approx((30.0, 0.3))  # the mix as it was, on the new stems
    assert window.mix_controls.isEnabled() and window.undo_group.activeStack() is track.undo
    assert track.undo.count() == 0 and track.unsaved  # a session would differ: quitting asks
    questions = []
    window.keeper.ask = lambda box: questions.append(box.text()) or QMessageBox.StandardButton.Cancel
    assert not window.keeper.confirm_quit() and "take.wav" in questions[0]
    assert actions.save_session(window, str(tmp_path / "take.jrs")) and not track.unsaved
    saved = session.read_session(tmp_path / "take.jrs")
    assert saved["solo_side_deg"] == -20.0 and saved["mix"]["pan_deg"] == pytest.approx(30.0)


@pytest.mark.parametrize("how", ["fails", "cancelled"])
def test_a_separation_again_that_does_not_finish_leaves_the_track_as_it_was(qtbot, window, tmp_path, monkeypatch,
                                                                            asked, how):
    path = write_track(tmp_path / "take.wav")
    track = open_and_wait(qtbot, window, path)
    window.edit(30.0, 0.3)
    before = track.processed
    if how == "fails":
        path.unlink()  # the recording moved away (an unplugged drive) after it was opened
        assert window.manager.set_solo_side(track, 25.0)
        _settle(window)
    else:
        restore = _during_the_job(monkeypatch, lambda job: job.cancel())
        assert window.manager.set_solo_side(track, 25.0)
        _settle(window)
        restore()
    assert track.status == tracks.READY and track.processed is before and track.solo_side is None
    assert tuple(track.state.value()) == pytest.approx((30.0, 0.3)) and track.undo.canUndo()
    assert window.mix_controls.isEnabled() and window.act_export.isEnabled() and not window.error.isVisible()
    word = "failed" if how == "fails" else "was cancelled"
    assert f"Separating take.wav again {word}" in window.statusBar().currentMessage()
    assert "keeps its earlier separation" in window.statusBar().currentMessage()
    if how == "cancelled":  # nothing is left asked: the next separation is the one asked then
        assert track.asked_side is None and track.pending_session is None
        assert actions.save_session(window, str(tmp_path / "take.jrs"))
        assert session.read_session(tmp_path / "take.jrs")["solo_side_deg"] is None


def _session_file(path, recording, side=None, pan=-20.0, gain=1.5, sha=""):
    path.write_text(json.dumps({"format": "jazzremix-session", "version": 2, "input": str(recording),
                                "input_sha256": sha, "solo_side_deg": side, "mix": {"pan_deg": pan, "gain": gain}}))
    return path


def test_a_session_opened_while_its_recording_separates_keeps_its_side(qtbot, window, tmp_path, monkeypatch, asked):
    rec = write_track(tmp_path / "take.wav")
    jrs = _session_file(tmp_path / "take.jrs", rec, side=25.0)
    def meanwhile(job):
        window.manager.find(rec).job = job  # as the real runner has it by then (this one runs the job in submit)
        actions.open_session(window, str(jrs))

    restore = _during_the_job(monkeypatch, meanwhile)
    window.open_files([str(rec)])
    _settle(window)
    restore()
    track = window.manager.find(rec)
    assert track.status == tracks.READY and track.solo_side == 25.0
    assert "solo 25" in track.processed.separator_version
    assert tuple(track.state.value()) == pytest.approx((-20.0, 1.5)) and not track.unsaved


def test_a_session_opened_over_unsaved_edits_asks_first(qtbot, window, tmp_path, asked):
    rec = write_track(tmp_path / "take.wav")
    track = open_and_wait(qtbot, window, rec)
    window.edit(30.0, 0.3)
    jrs = _session_file(tmp_path / "take.jrs", rec)
    asked["answer"] = QMessageBox.StandardButton.No
    actions.open_session(window, str(jrs))
    assert "take.wav has edits that are not saved" in asked["questions"][0]
    assert tuple(track.state.value()) == pytest.approx((30.0, 0.3)) and track.undo.canUndo()
    asked["answer"] = QMessageBox.StandardButton.Yes
    actions.open_session(window, str(jrs))
    _settle(window)
    assert tuple(track.state.value()) == pytest.approx((-20.0, 1.5)) and not track.unsaved
    actions.open_session(window, str(jrs))  # nothing unsaved now: no question
    assert len(asked["questions"]) == 2


def test_save_session_never_replaces_a_recording_or_a_file_that_is_not_a_session(qtbot, window, tmp_path,
                                                                               monkeypatch, asked):
    from PySide6.QtWidgets import QFileDialog

    rec = write_track(tmp_path / "take.wav")
    open_and_wait(qtbot, window, rec)
    window.edit(30.0, 0.3)
    original = rec.read_bytes()
    assert not actions.save_session(window, str(rec))
    assert rec.read_bytes() == original and "a recording that is open" in asked["errors"][-1]
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    assert not actions.save_session(window, str(notes))
    assert notes.read_text() == "my notes" and "is not a Jazz Remix session" in asked["errors"][-1]
    # typed in the dialog without the suffix: the session gets it (the Open Session filter and the CLI know it)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "mysession"), ""))
    assert actions.save_session(window)
    assert session.read_session(tmp_path / "mysession.jrs")["mix"]["pan_deg"] == pytest.approx(30.0)
    assert not (tmp_path / "mysession").exists() and not asked["questions"]
    # typed as the recording's own name in the dialog: saved beside it, the recording untouched
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(rec), ""))
    assert actions.save_session(window) and (tmp_path / "take.wav.jrs").is_file() and rec.read_bytes() == original
    asked["answer"] = QMessageBox.StandardButton.No  # the suffixed name exists: asked, and No keeps it
    assert not actions.save_session(window) and "take.wav.jrs already exists" in asked["questions"][-1]


def test_a_session_moved_with_its_recording_opens_and_another_recording_is_said(qtbot, window, tmp_path, asked):
    folder = tmp_path / "project"
    folder.mkdir()
    rec = write_track(folder / "take.wav")
    track = open_and_wait(qtbot, window, rec)
    assert actions.save_session(window, str(folder / "take.jrs"))
    window.manager.remove(track)
    moved = tmp_path / "moved"
    folder.rename(moved)
    actions.open_session(window, str(moved / "take.jrs"))
    _settle(window)
    (track,) = window.manager.tracks
    assert track.path == moved / "take.wav" and track.status == tracks.READY and not asked["errors"]
    window.manager.remove(track)
    other = write_track(tmp_path / "other.wav", seed=3)
    actions.open_session(window, str(_session_file(tmp_path / "o.jrs", other, sha=track.decoded.sha256)))
    _settle(window)
    assert window.manager.tracks[0].status == tracks.READY
    assert "other.wav is not the recording its session was saved with" in window.statusBar().currentMessage()


def test_a_session_dropped_on_the_window_opens_as_a_session(qtbot, window, tmp_path, asked):
    rec = write_track(tmp_path / "take.wav")
    jrs = _session_file(tmp_path / "take.jrs", rec)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(jrs))])
    window.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    _settle(window)
    (track,) = window.manager.tracks
    assert track.name == "take.wav" and track.status == tracks.READY and track.session_path == jrs
    assert tuple(track.state.value()) == pytest.approx((-20.0, 1.5))


def test_edits_that_cannot_be_autosaved_are_said_until_they_can(qtbot, window, tmp_path, monkeypatch, asked):
    from jazzremix_gui.ui.keeper import AUTOSAVE_FAILED

    track = open_and_wait(qtbot, window, write_track(tmp_path / "take.wav"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(blocker / "data"))  # a folder that cannot be made
    window.edit(30.0, 0.3)
    window.keeper.flush()
    text = window.message.text()
    assert window.message.isVisible() and text.startswith(f"{AUTOSAVE_FAILED} of take.wav: ")
    assert str(blocker / "data") in text and "Save Session" in text
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "data"))
    window.edit(31.0, 0.3)
    window.keeper.flush()
    assert not window.message.isVisible() and track.state.value()[0] == pytest.approx(31.0)


def test_an_output_device_that_is_gone_is_said_when_another_plays(qtbot, window):  # noqa: F811
    from jazzremix_gui.playback import devices

    if devices.unavailable_reason() is not None or not window.player.available:
        pytest.skip("no audio output device")
    assert window.player.reopen("Gone USB Interface") and window.player.available
    window.show_playback_reason()
    assert window.message.isVisible() and window.message.text().startswith(
        "The output device Gone USB Interface chosen in Preferences is not there; playing on ")
    window.player.reopen(None)
    assert window.player.engine.stand_in_for is None


def test_a_queued_separation_again_cancelled_leaves_the_track_as_it_was(qtbot, window, tmp_path, asked):
    """A second pass (2026-12-06): cancelled while queued behind another track, it showed "cancelled" with the
    earlier results still editable, and opening the file again separated it with the cancelled side over the
    edits made since."""
    a = open_and_wait(qtbot, window, write_track(tmp_path / "a.wav"))
    window.select(a)
    window.edit(30.0, 0.3)
    window.open_files([str(write_track(tmp_path / "b.wav", seed=2))])  # queued first: a waits behind it
    assert window.manager.set_solo_side(a, 20.0) and a.status == tracks.QUEUED
    window.manager.cancel(a)
    _settle(window)
    assert a.status == tracks.READY and a.solo_side is None and a.asked_side is None and a.pending_session is None
    assert "Separating a.wav again was cancelled" in window.statusBar().currentMessage()
    window.select(a)
    window.edit(-10.0, 1.2)
    window.open_files([str(tmp_path / "a.wav")])  # opened again: nothing to do, nothing lost
    _settle(window)
    assert tuple(a.state.value()) == pytest.approx((-10.0, 1.2)) and a.solo_side is None


def test_a_session_opened_as_its_recording_finishes_still_gets_its_side(qtbot, window, tmp_path, asked):
    """The separation's result was on its way to the window (its cancel too late): it is not taken for the
    session's; the recording is separated again with the session's side, and nothing is left asking for a restart."""
    rec = write_track(tmp_path / "take.wav")
    jrs = _session_file(tmp_path / "take.jrs", rec, side=25.0)
    window.open_files([str(rec)])  # the job has run; its result is queued for the window
    track = window.manager.find(rec)
    track.job = window.manager.current_job
    actions.open_session(window, str(jrs))
    _settle(window)
    assert track.status == tracks.READY and track.solo_side == 25.0 and not track.requeue
    assert tuple(track.state.value()) == pytest.approx((-20.0, 1.5)) and track.session_path == jrs


def test_a_session_whose_separation_is_cancelled_is_not_the_tracks_session(qtbot, window, tmp_path, monkeypatch,
                                                                          asked):
    """Saving afterwards would have written the earlier mix over the session file just opened."""
    rec = write_track(tmp_path / "take.wav")
    track = open_and_wait(qtbot, window, rec)
    window.edit(30.0, 0.3)
    jrs = _session_file(tmp_path / "take.jrs", rec, side=25.0)
    before = jrs.read_text()
    restore = _during_the_job(monkeypatch, lambda job: job.cancel())
    actions.open_session(window, str(jrs))  # asked first (unsaved edits): Yes
    _settle(window)
    restore()
    assert track.status == tracks.READY and track.session_path is None and track.unsaved
    from PySide6.QtWidgets import QFileDialog

    offered = []  # quitting with Save: asked where (no session file yet), not written over the one opened
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: offered.append(a[2]) or ("", ""))
    assert not actions.save_session(window, ask=False) and jrs.read_text() == before
    assert offered == [str(tmp_path / "take.jrs")]


def test_a_session_is_separated_with_its_own_wiener_step_whatever_preferences_say(qtbot, window, tmp_path, asked):
    """``render`` separates with the session's step: the app does too (it used Preferences', so its stems and
    exports differed from the render's, and the next save wrote Preferences' step over the session's)."""
    import json

    rec = write_track(tmp_path / "take.wav")
    jrs = _session_file(tmp_path / "take.jrs", rec)
    data = json.loads(jrs.read_text())
    jrs.write_text(json.dumps({**data, "wiener_step": "pan-aware"}))
    assert window.settings["wiener_step"] == "model"  # the tiny separator's own step is the plain one
    actions.open_session(window, str(jrs))
    _settle(window)
    (track,) = window.manager.tracks
    assert track.wiener_step is True and "pan-aware" in track.processed.separator_version and not track.unsaved
    window.manager.remove(track)
    plain = open_and_wait(qtbot, window, rec)  # opened as Preferences say, then its session: separated again
    assert plain.wiener_step is None and "pan-aware" not in plain.processed.separator_version
    actions.open_session(window, str(jrs))
    _settle(window)
    assert plain.wiener_step is True and "pan-aware" in plain.processed.separator_version and not plain.unsaved
    assert tuple(plain.state.value()) == pytest.approx((-20.0, 1.5))
    assert actions.save_session(window, str(tmp_path / "again.jrs"))
    assert session.read_session(tmp_path / "again.jrs")["wiener_step"] == "pan-aware"
