"""Menus, keyboard shortcuts and the commands behind them (open, sessions, export, dialogs).

Shortcuts: Space play/pause, S stop, L loop, B original/remix (A/B), M mute solo,
O solo only, N mute accompaniment, Home back to start; Alt+Left/Right pan by 1 deg,
Alt+Up/Down gain by 0.5 dB (with Shift: 0.1 deg, 0.1 dB; the arrow keys alone do the same on a focused slider,
spin box or the heat map), Ctrl+R reset to suggestion, Ctrl+Z undo, Ctrl+Shift+Z and Ctrl+Y redo,
Ctrl+Shift+M the solo silent in the loop region, Ctrl+O open, Ctrl+E export, Ctrl+S save session; Ctrl++ / Ctrl+- /
Ctrl+0 zoom the time views in, out, to fit, Ctrl+Left / Ctrl+Right scroll them. No two actions share a key sequence (a test checks).
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.signal import solo_rests
from jazzremix_gui.services import session
from jazzremix_gui.ui.controls import GAIN_FINE_DB, GAIN_STEP_DB, PAN_FINE_DEG, PAN_STEP_DEG
from jazzremix_gui.ui.dialogs import AUDIO_FILTER, AboutDialog, PreferencesDialog
from jazzremix_gui.ui.mixstate import SetSoloSilent

#: The shortest loop region the solo is made silent in (seconds).
MIN_SILENT_S = 0.05

MODES = (("stacked", "All stems stacked"), ("mixture", "Mixture only"), ("solo", "Solo only"),
         ("accompaniment", "Accompaniment only"))


def _action(w, menu, text, slot, shortcut=None, checkable=False, name=None):
    a = QAction(text, w)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
    a.setCheckable(checkable)
    if checkable:
        a.toggled.connect(slot)
    else:
        a.triggered.connect(lambda *_: slot())
    menu.addAction(a)
    w.addAction(a)
    if name:
        setattr(w, f"act_{name}", a)
    return a


def install(w) -> None:
    """Build the menu bar of a :class:`MainWindow` ``w``."""
    mb = w.menuBar()
    f = mb.addMenu("&File")
    _action(w, f, "&Open…", lambda: open_dialog(w), QKeySequence.StandardKey.Open)
    w.recent_menu = f.addMenu("Open &Recent")
    f.addSeparator()
    _action(w, f, "Open &Session…", lambda: open_session(w), "Ctrl+Shift+O")
    _action(w, f, "&Save Session…", lambda: save_session(w), QKeySequence.StandardKey.Save, name="save")
    f.addSeparator()
    _action(w, f, "&Export…", lambda: export(w), "Ctrl+E", name="export")
    f.addSeparator()
    _action(w, f, "&Quit", w.close, "Ctrl+Q")
    e = mb.addMenu("&Edit")
    undo = w.undo_group.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = w.undo_group.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    e.addActions([undo, redo])
    w.act_undo, w.act_redo = undo, redo
    e.addSeparator()
    _action(w, e, "Reset to &suggestion", w.reset_to_suggestion, "Ctrl+R", name="reset")
    _action(w, e, "Reset &all to suggestion", w.reset_all, "Ctrl+Shift+R", name="reset_all")
    for text, key, d_pan, d_gain in (("Pan left", "Left", -1, 0), ("Pan right", "Right", 1, 0),
                                     ("Gain up", "Up", 0, 1), ("Gain down", "Down", 0, -1)):
        unit = "°" if d_pan else " dB"
        coarse, fine = (PAN_STEP_DEG, PAN_FINE_DEG) if d_pan else (GAIN_STEP_DB, GAIN_FINE_DB)
        _action(w, e, f"{text} {coarse:g}{unit}", functools.partial(w.nudge, d_pan, d_gain), f"Alt+{key}")
        _action(w, e, f"{text} {fine:g}{unit}", functools.partial(w.nudge, d_pan, d_gain, True), f"Alt+Shift+{key}")
    e.addSeparator()
    _action(w, e, "Solo si&lent in the loop region", lambda: solo_silent(w, True), "Ctrl+Shift+M",
            name="solo_silent")
    _action(w, e, "Solo &plays again in the loop region", lambda: solo_silent(w, False), name="solo_plays")
    e.addSeparator()
    _action(w, e, "Revert to the shipped &mixer…", w.revert_mixer, name="revert_mixer")
    e.addSeparator()
    _action(w, e, "&Preferences…", lambda: preferences(w), QKeySequence.StandardKey.Preferences)
    p = mb.addMenu("&Playback")
    t = w.transport
    _action(w, p, "Play / Pause", w.toggle_play, "Space", name="play")
    _action(w, p, "Stop", w.player.stop, "S")
    _action(w, p, "Back to start", lambda: w.player.seek(0.0), "Home")
    _action(w, p, "Loop", t.loop.toggle, "L")
    _action(w, p, "Original / Remix (A/B)", t.original.toggle, "B")
    _action(w, p, "Mute solo", t.mute_solo.toggle, "M")
    _action(w, p, "Solo only", t.solo_only.toggle, "O")
    _action(w, p, "Mute accompaniment", t.mute_acc.toggle, "N")
    v = mb.addMenu("&View")
    for mode, text in MODES:
        _action(w, v, text, functools.partial(set_mode, w, mode))
    v.addSeparator()
    tl = w.timeline
    zoom_in = _action(w, v, "Zoom &in", lambda: tl.zoom(0.5), QKeySequence.StandardKey.ZoomIn)
    zoom_in.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
    _action(w, v, "Zoom &out", lambda: tl.zoom(2.0), "Ctrl+-")
    _action(w, v, "Zoom to &fit", lambda: tl.zoom(None), "Ctrl+0")
    _action(w, v, "Scroll left", lambda: tl.scroll(-0.25), "Ctrl+Left")
    _action(w, v, "Scroll right", lambda: tl.scroll(0.25), "Ctrl+Right")
    h = mb.addMenu("&Help")
    _action(w, h, "&About Jazz Remix", lambda: AboutDialog(*w.model_paths(), parent=w).exec())
    refresh_recent(w)


def refresh_recent(w) -> None:
    w.recent_menu.clear()
    for path in w.settings["recent_files"]:
        a = w.recent_menu.addAction(path)
        a.triggered.connect(functools.partial(w.open_files, [path]))
    w.recent_menu.setEnabled(bool(w.settings["recent_files"]))


def update_enabled(w) -> None:
    ready = w.editable is not None  # a track ready, not separating again
    for a in (w.act_export, w.act_save, w.act_reset, w.act_reset_all, w.act_solo_silent, w.act_solo_plays):
        a.setEnabled(ready)
    w.act_revert_mixer.setEnabled(paths.user_mixer_path().exists())


def solo_silent(w, silent: bool) -> None:
    """The current track's solo silent in the loop region (the accompaniment is the recording there), or with
    ``silent`` False playing there again: one undo step, said in the status bar."""
    st = w.editable
    if st is None:
        return
    a, b = w.timeline.loop_region.getRegion()
    a, b = max(0.0, float(a)), min(w.timeline.duration, float(b))
    if not w.transport.loop.isChecked() or b - a < MIN_SILENT_S:
        w.statusBar().showMessage("First turn the loop on (L) and drag its edges over the passage where the solo "
                                  "rests; then Edit > Solo silent in the loop region.", 12000)
        return
    command = SetSoloSilent(st, a, b, silent)
    if command.new == st.silent:
        w.statusBar().showMessage(f"The solo is already {'silent' if silent else 'playing'} in "
                                  f"{solo_rests.format_spans([(a, b)])}.", 8000)
        return
    w.current.undo.push(command)
    done = (f"The solo is silent in {solo_rests.format_spans([(a, b)])}: the accompaniment is the recording there"
            if silent else f"The solo plays again in {solo_rests.format_spans([(a, b)])}")
    total = solo_rests.silenced_seconds(st.silent)
    w.statusBar().showMessage(f"{done} ({len(st.silent)} span{'s' if len(st.silent) != 1 else ''} silent, "
                              f"{total:.1f} s in all; Ctrl+Z undoes it).", 12000)


def set_mode(w, mode: str) -> None:
    w.settings["spectrogram_mode"] = mode
    w.timeline.set_mode(mode)


def open_dialog(w) -> None:
    files, _ = QFileDialog.getOpenFileNames(w, "Open recordings", w.settings["last_dir"], AUDIO_FILTER)
    if files:
        w.settings["last_dir"] = str(Path(files[0]).parent)
        w.open_files(files)


def open_session(w, path: str | None = None) -> None:
    if path is None:
        path, _ = QFileDialog.getOpenFileName(w, "Open session", w.settings["session_dir"] or w.settings["last_dir"],
                                              f"Jazz Remix sessions (*{session.SUFFIX})")
        if not path:
            return
        w.settings["session_dir"] = str(Path(path).parent)
    try:
        data = session.load_session(path)
    except JazzRemixError as exc:
        w.show_error(str(exc))
        return
    side = data.get("solo_side_deg")
    existing = w.manager.find(data["input"])
    if existing is not None and existing.unsaved and QMessageBox.question(
            w, "Open session", f"{existing.name} has edits that are not saved in a session file. Replace them with "
            f"the session's mix?") != QMessageBox.StandardButton.Yes:
        return
    step = (session.wiener_step_of(data),) if "wiener_step" in data else None  # older sessions: Preferences'
    adapt = (session.adapt_steps_of(data),)  # older sessions: the separator as shipped
    comb = (bool(data.get("mono_comb", True)),)  # older sessions: with the comb
    track = w.manager.add(data["input"], solo_side=side, wiener_step=step, adapt=adapt, mono_comb=comb)
    # the track's session from when its mix is applied (a separation again that fails or is cancelled keeps the
    # session it had: saving then never writes the earlier mix over the file opened)
    if track.busy:  # the session's mix once it is ready, separated with the session's side and step
        track.pending_session, track.pending_from_file, track.pending_session_path = data, True, Path(path)
        w.manager.restart_with_side(track, side, step, adapt, comb)
    elif track.solo_side != side or adapt[0] != track.adapted or track.processed is not None and (
            (step is not None and step[0] != track.wiener_step) or comb[0] != track.processed.mono_comb):  # separated
        w.manager.set_solo_side(track, side, step, adapt, comb)  # otherwise and open already: again
        track.pending_session, track.pending_from_file, track.pending_session_path = data, True, Path(path)
    elif track.state is not None:
        track.state.apply_json(session.mix_for(data, track.processed.stems.solo_level))
        track.undo.clear()
        track.session_path = Path(path)
        track.mark_saved()
    w.select(track)


def save_session(w, path: str | None = None, track=None, ask: bool = True) -> bool:
    """Save ``track`` (default: the current one) to a session file; returns False when cancelled or failed.

    Without ``path``, a file dialog asks, starting at the track's session file or the last session folder;
    with ``ask=False`` a track that has a session file is saved there without asking.
    """
    track = track or w.current
    if track is None or track.state is None:
        return False
    if path is None and not ask and track.session_path is not None:
        path = str(track.session_path)
    if path is None:
        folder = Path(w.settings["session_dir"]) if w.settings["session_dir"] else track.path.parent
        default = str(track.session_path or folder / track.path.with_suffix(session.SUFFIX).name)
        path, _ = QFileDialog.getSaveFileName(w, f"Save session of {track.name}", default,
                                              f"Jazz Remix sessions (*{session.SUFFIX})")
        if not path:
            return False
        w.settings["session_dir"] = str(Path(path).parent)
        if Path(path).suffix.lower() != session.SUFFIX:  # the name the Open Session filter and the CLI know
            path += session.SUFFIX
            if Path(path).exists() and QMessageBox.question(
                    w, "Save session", f"{path} already exists. Replace it?") != QMessageBox.StandardButton.Yes:
                return False
    problem = session.replace_problem(path, [t.path for t in w.manager.tracks])
    if problem:
        w.show_error(problem)
        return False
    try:
        session.save_session(path, track)
    except JazzRemixError as exc:
        w.show_error(str(exc))
        return False
    track.session_path = Path(path)
    track.mark_saved()
    w.statusBar().showMessage(f"Session saved to {path}", 5000)
    return True


def export(w, plan=None, confirm: bool = True):
    """Export the current track (:class:`ui.exporter.ExportController`; the dialog unless ``plan`` is given);
    returns the first job started or None (said when an export is already under way: Export did nothing)."""
    if w.exporter.busy:
        w.statusBar().showMessage("An export is under way: wait for it, or cancel it, to start another.", 8000)
        return None
    return w.exporter.start(w.current, plan, confirm)


def preferences(w) -> None:
    dlg = PreferencesDialog(w.settings, w)
    if dlg.exec() and dlg.apply():
        w.player.reopen(w.settings["output_device"] or None)
        w.set_message("")
        w.show_playback_reason()
        if w.current is not None:
            w.show_track(w.current)
