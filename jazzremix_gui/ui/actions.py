"""Menus, keyboard shortcuts and the commands behind them (open, sessions, export, dialogs).

Shortcuts: Space play/pause, S stop, L loop, B original/remix (A/B), M mute solo,
O solo only, N mute accompaniment, Home back to start; Alt+Left/Right pan by 1 deg,
Alt+Up/Down gain by 0.05, Ctrl+R reset to suggestion, Ctrl+Z / Ctrl+Shift+Z undo/redo,
Ctrl+O open, Ctrl+E export, Ctrl+S save session.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core import paths
from jazzremix_gui.services import annotations, session
from jazzremix_gui.ui.dialogs import AUDIO_FILTER, AboutDialog, ExportDialog, PreferencesDialog
from jazzremix_gui.services.exporting import export_track, overs_warning, predicted_overs

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
    _action(w, f, "&Quit", w.close, QKeySequence.StandardKey.Quit)
    e = mb.addMenu("&Edit")
    undo = w.undo_group.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = w.undo_group.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Shift+Z")])
    e.addActions([undo, redo])
    w.act_undo, w.act_redo = undo, redo
    e.addSeparator()
    _action(w, e, "Reset to &suggestion", w.reset_to_suggestion, "Ctrl+R", name="reset")
    _action(w, e, "Pan left 1°", lambda: w.nudge(d_pan=-1), "Alt+Left")
    _action(w, e, "Pan right 1°", lambda: w.nudge(d_pan=1), "Alt+Right")
    _action(w, e, "Gain +0.05", lambda: w.nudge(d_gain=0.05), "Alt+Up")
    _action(w, e, "Gain −0.05", lambda: w.nudge(d_gain=-0.05), "Alt+Down")
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
    h = mb.addMenu("&Help")
    _action(w, h, "&About Jazz Remix", lambda: AboutDialog(*w.model_paths(), parent=w).exec())
    for b in (t.play, t.stop, t.loop, t.original, t.mute_solo, t.solo_only, t.mute_acc):
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    refresh_recent(w)


def refresh_recent(w) -> None:
    w.recent_menu.clear()
    for path in w.settings["recent_files"]:
        a = w.recent_menu.addAction(path)
        a.triggered.connect(functools.partial(w.open_files, [path]))
    w.recent_menu.setEnabled(bool(w.settings["recent_files"]))


def update_enabled(w) -> None:
    ready = w.current is not None and w.current.state is not None
    for a in (w.act_export, w.act_save, w.act_reset):
        a.setEnabled(ready)
    w.act_revert_mixer.setEnabled(paths.user_mixer_path().exists())


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
        path, _ = QFileDialog.getOpenFileName(w, "Open session", w.settings["last_dir"],
                                              f"Jazz Remix sessions (*{session.SUFFIX})")
        if not path:
            return
    try:
        data = session.load_session(path)
    except JazzRemixError as exc:
        w.show_error(str(exc))
        return
    track = w.manager.add(data["input"])
    if track.state is not None:
        track.state.apply_json(session.mix_for(data, track.processed.stems.solo_level))
    else:
        track.pending_session = data
    w.select(track)


def save_session(w, path: str | None = None) -> None:
    track = w.current
    if track is None or track.state is None:
        return
    if path is None:
        default = str(track.path.with_suffix(session.SUFFIX))
        path, _ = QFileDialog.getSaveFileName(w, "Save session", default, f"Jazz Remix sessions (*{session.SUFFIX})")
        if not path:
            return
    try:
        session.save_session(path, track)
        w.statusBar().showMessage(f"Session saved to {path}", 5000)
    except JazzRemixError as exc:
        w.show_error(str(exc))


def export(w, plan=None, confirm: bool = True):
    """Export the current track (dialog unless ``plan`` is given); returns the job or None."""
    track = w.current
    if track is None or track.state is None:
        return None
    if plan is None:
        dlg = ExportDialog(track.path, w.settings, w)
        if not dlg.exec():
            return None
        dlg.remember()
        plan = dlg.plan()
    stems, state = track.processed.stems, track.state
    pan, gain = state.automation_curves(len(stems), stems.rate)
    if confirm:
        warning = overs_warning(predicted_overs(stems, pan, gain, plan), plan.clip)
        if warning and QMessageBox.question(w, "Export: overs", warning + "\n\nExport?") \
                != QMessageBox.StandardButton.Yes:
            return None
    existing = [p for p in plan.paths(track.path).values() if p.exists()]
    if existing and confirm:
        names = "\n".join(str(p) for p in existing)
        answer = QMessageBox.question(w, "Overwrite files?", f"These files exist and will be replaced:\n{names}")
        if answer != QMessageBox.StandardButton.Yes:
            return None
    models = {"separator": track.processed.separator_version, "mixer": track.processed.mixer_version}
    record = annotations.snapshot(track)  # on the main thread: later edits cannot reach the worker

    def work(job):
        reports = export_track(record.path, stems, pan, gain, plan, job, models)
        annotations.record_export(record)
        return reports

    w.progress.setVisible(True)
    w.progress_label.setText("exporting")

    def progress(f, m, eta):
        w.progress.setValue(int(f * 1000))
        w.progress_label.setText(m)

    def finished(reports):
        w.export_reports = reports
        w.export_result = [r.path for r in reports]
        w._show_progress(w.current)
        w.statusBar().showMessage("Exported " + "; ".join(r.describe() for r in reports), 15000)

    def failed(msg):
        w._show_progress(w.current)
        w.set_error(f"Export failed: {msg}")

    w.export_result = None
    return w.export_runner.submit(work, "export", on_success=finished, on_error=failed, on_progress=progress)


def preferences(w) -> None:
    dlg = PreferencesDialog(w.settings, w)
    if dlg.exec() and dlg.apply():
        w.player.reopen(w.settings["output_device"] or None)
        w.set_message("")
        w._show_playback_reason()
        if w.current is not None:
            w.show_track(w.current)
