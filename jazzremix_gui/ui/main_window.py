"""The main window: track list, time views, codebook, controls and transport, wired together.

Menus and shortcuts live in :mod:`jazzremix_gui.ui.actions`. The window's partners do the work behind
small public interfaces and report by signals: :class:`TrackManager` (separation), :class:`Player`
(what plays, through :meth:`PlaybackEngine.set_mix`), :class:`ExportController` (dialog, overs check,
files, report) and each track's :class:`MixState` (``pan_gain_changed`` redraws the marks and controls
only; ``target_changed`` and ``values_reset`` the whole mix view).
"""

from __future__ import annotations

import html
import math
import time
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QUndoGroup
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.signal.input_level import heard_lines
from jazzremix_gui.core.signal.mixer import KEPT_AS_RECORDED
from jazzremix_gui.core.signal.near_mono import mono_throughout
from jazzremix_gui.core.signal.panlaw import pan_text
from jazzremix_gui.services import naming, session
from jazzremix_gui.ui import access, actions, geometry, theme, tracks
from jazzremix_gui.ui.codebook_view import CodebookView
from jazzremix_gui.ui.exporter import ExportController
from jazzremix_gui.ui.controls import MixControls, TransportBar, step
from jazzremix_gui.ui.keeper import EditKeeper
from jazzremix_gui.ui.mixstate import WHOLE, ResetAll, SetAutomation, SetPanGain
from jazzremix_gui.ui.player import Player
from jazzremix_gui.ui.settings import Settings, wiener_step_choice
from jazzremix_gui.ui.timeline import TimelineView
from jazzremix_gui.ui.track_list import TrackPanel


def mixer_source_text(version: str, paired: str = "", separator: str = "", is_pair: bool | None = None) -> str:
    """Which mixer made a suggestion, in words (fine-tuned user models carry '+user' in their version),
    and, when it learnt from another separator's stems than ``separator``'s, a short warning (the
    whole sentence, :func:`core.pipeline.pairing_problem`, goes to the log). ``is_pair``: whether they
    pair (:func:`core.models.pairs_with`; default: the same version)."""
    if not version:
        return ""
    who = "your fine-tuned mixer" if "+user" in version else "the shipped mixer"
    warning = ""
    if is_pair is None:
        is_pair = not (paired and separator and paired != separator)
    if not is_pair:
        warning = (f"<br><span style='color:#e0a040'>⚠ it learnt from {html.escape(paired)}'s stems, not "
                   f"{html.escape(separator)}'s: gains may be off</span>")
    return f"suggested by {who} ({version}){warning}"


def solo_found_text(stems, channels: int = 2, given: float | None = None, chosen=None) -> str:
    """Where the separation found the solo in the recording (its pan and share of the energy), in words, and the
    gain the separator heard the recording with where it was not 0 dB and a DC offset it did not hear
    (:func:`core.signal.input_level.heard_lines`); no place
    for a mono recording (``channels`` 1, or two separated as mono throughout: a mono record transferred in stereo),
    where it has no side, nor for a silent one; "" when nothing is to say.

    A wrong side (a horn or a comping part taken for the solo) is what the track's **Solo side...** is for: other
    parts that hold their place as the solo does (``stems.others_deg``) are named, each with a link
    (``side:PAN``, :attr:`CodebookView.side_picked`) that separates the track again with the solo there, and one
    (``side:auto``, :attr:`CodebookView.side_by_pitch`) that lets the pitch choose; with the side ``given`` by the
    engineer, a link (``side:read``) lets the separator read it again; with the side ``chosen`` by pitch
    (:class:`core.signal.side_by_pitch.SideChoice`), the sides heard and how often each one's solo was one line."""
    if stems is None:
        return ""
    lines = []
    sided = channels >= 2 and not mono_throughout(stems.pitch_comb_s, len(stems) / stems.rate)
    if sided and math.isfinite(stems.solo_share_db):
        text = (f"solo found at {pan_text(stems.recorded_pan_deg)} in the recording "
                f"({stems.solo_share_db:.1f} dB of its energy)")
        if chosen is not None and chosen.own is not None:  # the side chosen by pitch, and why
            heard = ", ".join(f"{pan_text(r.pan_deg)} {100 * r.voiced:.0f} %" for r in (chosen.own, *chosen.others))
            text += (", toward the side the pitch chose" if chosen.side_deg is not None and chosen.side_deg == given
                     else ", where the pitch kept it") + f" (one line in this much of its loud frames: {heard})"
        elif given is not None:
            text += ", toward the side you gave"
        lines.append(text)
        link = f"style='color:{theme.LINK_COLOUR}'"
        for pan in stems.others_deg:
            lines.append(f"another part holds its place at {pan_text(pan)}: "
                         f"<a {link} href='side:{pan:.1f}'>separate with the solo there</a>")
        if stems.others_deg:
            lines.append(f"or <a {link} href='side:auto'>let the pitch choose</a> (each side separated: the one whose "
                         "solo is more often a single line)")
        if given is not None:
            lines.append(f"<a {link} href='side:read'>let the separator read the side</a>")
    lines += [html.escape(line) for line in heard_lines(stems)]
    return "<br>".join(lines)


def suggestion_status_text(state) -> str:
    """The confidence of the suggestion the controls edit, or why there is none (kept as recorded)."""
    sugg = state.suggestion
    if state.target == WHOLE:
        return sugg.status if sugg.clear else f"{sugg.status}:<br>{sugg.reason}"
    section = sugg.sections[state.target]
    if not section.active:
        return "solo silent here: follows the whole track"
    return f"confidence {100 * section.confidence:.0f} %" if section.clear else KEPT_AS_RECORDED


#: First widths of the track list, the time views and the map with its controls, as shares of the window's.
SPLITTER_SHARES = (0.14, 0.52, 0.34)
#: The most the window waits on its workers (export, processing, playback preparation) when it quits, in ms.
QUIT_WAIT_MS = 400


class MainWindow(QMainWindow):
    """Jazz Remix's window.

    Parameters
    ----------
    settings : Settings, optional
    model_paths : (str, str), optional
        Separator and mixer model files overriding the settings (tests, benchmarks).
    """

    def __init__(self, settings: Settings | None = None, model_paths=None, parent=None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self._model_override = model_paths
        self.setWindowTitle("Jazz Remix")
        self.setAcceptDrops(True)
        self.manager = tracks.TrackManager(self.model_paths, self)
        self.manager.cache_limit = lambda: self.settings["cache_limit_mb"] * 2 ** 20
        self.manager.pan_aware = lambda: wiener_step_choice(self.settings["wiener_step"])
        self.manager.mono_comb = lambda: bool(self.settings["mono_comb"])
        self.player = Player(self.settings["output_device"] or None, self)
        self.exporter = ExportController(self.settings, self)
        self.undo_group = QUndoGroup(self)
        self.current: tracks.Track | None = None
        self.keeper = EditKeeper(self)
        self._stopped = None  # :meth:`shutdown`'s result once it ran
        self._build()
        actions.install(self)
        access.describe(self)
        self._connect()
        self._restore()
        self.show_playback_reason()
        self.show_track(None)

    def model_paths(self):
        if self._model_override:
            return self._model_override
        return self.settings["separator_path"] or None, self.settings["mixer_path"] or None

    # ---- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.tracks_panel = left = TrackPanel(self.manager)
        self.track_list, self.progress, self.progress_label = left.list, left.progress, left.progress_label
        self.cancel_button = left.cancel_button
        centre = QWidget()
        ccol = QVBoxLayout(centre)
        ccol.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restored = QWidget()  # "your edits are restored" with the way back to the suggestion
        row = QHBoxLayout(self.restored)
        row.setContentsMargins(0, 0, 0, 0)
        self.restored_label = QLabel("Your edits to this track from last time are restored.")
        self.back_to_suggestion = QPushButton("Back to the suggestion")
        self.back_to_suggestion.setToolTip("Set the whole track and every section to the mixer's suggestion "
                                           "(undoable; Edit > Reset All to Suggestion)")
        row.addWidget(self.restored_label, 1)
        row.addWidget(self.back_to_suggestion)
        self.placeholder = QLabel("Drop audio files here, or use File > Open (Ctrl+O).")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.timeline = TimelineView()
        self.transport = TransportBar()
        for w in (self.message, self.error, self.restored, self.placeholder):
            ccol.addWidget(w)
            w.hide()
        ccol.addWidget(self.timeline, 1)
        ccol.addWidget(self.transport)
        right = QWidget()
        rcol = QVBoxLayout(right)
        self.codebook = CodebookView()
        self.mix_controls = MixControls()
        rcol.addWidget(self.codebook, 1)
        rcol.addWidget(self.mix_controls)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for w, stretch in ((left, 0), (centre, 1), (right, 0)):
            self.splitter.addWidget(w)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.setCentralWidget(self.splitter)
        self.transport.match.setChecked(self.settings["match_loudness"])
        self.player.set_match_loudness(self.settings["match_loudness"])
        self.provider_label = QLabel("")
        self.provider_label.setToolTip("Where the models run (Edit > Preferences > Run models on)")
        self.statusBar().addPermanentWidget(self.provider_label)

    def _connect(self) -> None:
        m = self.manager
        m.decoded.connect(lambda t: t is self.current and self.show_track(t))
        m.decoded.connect(lambda t: self._remember_recent(t, True))
        m.failed.connect(lambda t: t.decoded is None and self._remember_recent(t, False))
        m.ready.connect(self._track_ready)
        m.changed.connect(lambda t: t is self.current and self._show_progress(t))
        m.failed.connect(lambda t: t is self.current and self.show_track(t))
        m.removed.connect(lambda t, i: self.undo_group.removeStack(t.undo))
        m.notice.connect(self._track_notice)
        self.tracks_panel.selected.connect(lambda t: t is not self.current and self.show_track(t))
        self.back_to_suggestion.clicked.connect(self.reset_all)
        self.cancel_button.clicked.connect(self.cancel_work)
        self.codebook.cell_picked.connect(lambda p, g, drag: self.edit(p, g, drag, "Pick on the map"))
        self.codebook.nudged.connect(self.nudge)
        self.codebook.side_picked.connect(self.separate_with_side)
        self.codebook.side_by_pitch.connect(self.separate_with_side_by_pitch)
        self.mix_controls.edited.connect(lambda p, g, drag: self.edit(p, g, drag, "Move pan/gain"))
        self.mix_controls.reset_requested.connect(self.reset_to_suggestion)
        self.mix_controls.automation_toggled.connect(self.set_automation)
        self.timeline.seek_requested.connect(self.player.seek)
        self.timeline.loop_changed.connect(lambda a, b: self.player.set_loop(a, b, self.transport.loop.isChecked()))
        self.timeline.section_clicked.connect(self.select_section)
        self.player.position_changed.connect(self._position)
        self.player.state_changed.connect(self.transport.set_playing)
        self.player.ready_changed.connect(lambda ok: self.transport.play.setEnabled(ok))
        self.player.meter_sink = self.transport.meter.set_levels
        self.player.device_lost.connect(lambda why: self.set_message(
            f"Playback stopped: {why}. Jazz Remix reconnects when the device is back; "
            "Edit > Preferences chooses another one."))
        self.player.device_restored.connect(self._device_restored)
        e = self.exporter
        e.started.connect(self._export_started)
        e.progressed.connect(self._export_progressed)
        e.succeeded.connect(lambda reports: self.statusBar().showMessage(
            "Exported " + "; ".join(r.describe() for r in reports), 15000))
        e.failed.connect(lambda msg: self.set_error(f"Export failed: {msg}"))
        e.cancelled.connect(lambda: self.statusBar().showMessage(
            "Export cancelled: no file was left half-written.", 8000))
        e.finished.connect(self._export_finished)
        t = self.transport
        t.play.clicked.connect(self.toggle_play)
        t.stop.clicked.connect(self.player.stop)
        t.loop.toggled.connect(self.set_loop)
        t.original.toggled.connect(self._ab)
        t.match.toggled.connect(self._match)
        for b in (t.mute_solo, t.solo_only, t.mute_acc):
            b.toggled.connect(self._stems_changed)

    # ---- tracks --------------------------------------------------------------------------------
    def open_files(self, files) -> None:
        """Open recordings (each one joins Open Recent once it has been read)."""
        for f in files:
            track = self.manager.add(str(f))
        if files:
            self.select(self.manager.find(str(files[-1])) if len(files) == 1 else self.current or track)

    def _remember_recent(self, track, opened: bool) -> None:
        path = str(track.path.resolve())
        if opened:
            self.settings.add_recent(path)
        else:
            self.settings["recent_files"] = [p for p in self.settings["recent_files"] if p != path]
        actions.refresh_recent(self)

    def cancel_work(self) -> None:
        """Cancel the export under way, else the selected track's processing."""
        if self.exporter.busy:
            self.exporter.cancel()
        elif self.current is not None:
            self.manager.cancel(self.current)

    def _export_started(self) -> None:
        self.set_error("")
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.progress_label.setText("exporting")
        self.cancel_button.setText("Cancel export")
        self.cancel_button.setVisible(True)

    def _export_progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress_label.setText(message)

    def _export_finished(self) -> None:
        self.cancel_button.setText("Cancel")
        self.tracks_panel.show_progress(self.current)  # the processing's progress again; an export error stays

    def select(self, track) -> None:
        self.tracks_panel.select(track)

    def _track_ready(self, track) -> None:
        self.undo_group.addStack(track.undo)
        st = track.state
        st.pan_gain_changed.connect(lambda target, *_, t=track: t is self.current and self._show_values(st))
        st.target_changed.connect(lambda *_, t=track: self._state_changed(t))
        st.values_reset.connect(lambda t=track: self._state_changed(t))
        st.silent_changed.connect(lambda t=track: t is self.current and self._show_silent(st))
        self.keeper.watch(track)
        if track is self.current:  # the mixture is on screen already: add the results only
            self._show_results(track)

    def _track_notice(self, track, why: str) -> None:
        """A word about a track (:attr:`TrackManager.notice`) in the status bar; its views shown again."""
        self.statusBar().showMessage(why, 15000)
        if track is self.current:
            self._show_results(track)

    def _show_progress(self, track) -> None:
        self.tracks_panel.show_progress(track)
        self._editing_allowed(track)
        if self.exporter.busy:  # an export under way keeps its progress and Cancel
            self.progress.show()
            self.cancel_button.show()
        self.set_error(track.error if track is not None and track.status == tracks.FAILED else "")

    def show_track(self, track) -> None:
        """Show everything known about ``track`` (None: the empty window)."""
        self.current = track
        self.placeholder.setVisible(track is None)
        d = track.decoded if track else None
        self.timeline.clear()
        if d is not None:
            t_env, lo, hi = d.envelope
            self.timeline.set_envelope(t_env / d.rate, lo, hi, d.audio.shape[0] / d.rate)
            self.timeline.set_spectrogram("mixture", d.spectrogram)
        self._show_results(track)
        self.setWindowTitle(f"Jazz Remix — {track.name}" if track else "Jazz Remix")
        self._position(0.0)

    def _show_results(self, track) -> None:
        """Stems, suggestion and player of ``track``; the mixture views and the zoom stay as they are."""
        self._show_progress(track)
        d = track.decoded if track else None
        p = track.processed if track else None
        if p is not None and p.provider:
            self.provider_label.setText(f"Models on {p.provider}")
        for key in ("solo", "accompaniment"):
            self.timeline.set_spectrogram(key, p.spectrograms.get(key) if p else None)
        self.player.set_material(d, p.stems if p else None, track.state if track else None)
        self.restored.setVisible(bool(track and track.restored and track.state))
        self._state_changed(track)

    def _editing_allowed(self, track) -> None:
        """The controls, undo and the track's actions follow whether ``track`` (the current one) takes edits now."""
        ok = track is self.current and self.editable is not None
        self.mix_controls.setEnabled(ok)
        self.undo_group.setActiveStack(track.undo if ok else None)
        actions.update_enabled(self)

    def _state_changed(self, track) -> None:
        """Everything about ``track``'s mix: the target's posterior, its values, the sections, what plays."""
        if track is not self.current:
            return
        st = track.state if track else None
        if st is None:
            self.codebook.set_posterior(None)
            self.mix_controls.clear_value()
            self.timeline.set_sections([])
            self.timeline.set_silent(())
            return
        self.timeline.set_silent(st.silent)
        self.codebook.set_posterior(st.posterior())
        done = track.processed
        source = mixer_source_text(*((done.mixer_version, done.mixer_paired_separator,
                                      done.separator_version, done.paired) if done else ("",)))
        found = solo_found_text(done.stems if done else None, track.decoded.channels if track.decoded else 2,
                                track.solo_side, done.side_choice if done else None)
        adapted = "separated by the separator adapted to this recording" if track.adapted else ""
        self.codebook.source_text = "<br>".join(t for t in (source, adapted, found) if t)
        self.codebook.status_text = suggestion_status_text(st)
        self._show_values(st)

    def _show_values(self, st) -> None:
        """The pan/gain values only (a drag step): the marks, the controls, the section labels and what plays;
        neither the heat map's image nor the spectrograms are redrawn."""
        self.codebook.set_marks(st.suggested_value(), st.value())
        target = ("Whole track (per-section automation off)" if st.has_sections else "Whole track") \
            if st.target == WHOLE else f"Section {st.target + 1} of {len(st.bounds)}: " \
            f"{st.bounds[st.target][0]:.1f}–{st.bounds[st.target][1]:.1f} s (automation on)"
        self.mix_controls.show_value(*st.value(), target, st.automation, st.has_sections)
        rows = [(a, b, f"S{i + 1} {pan_text(v[0])} ×{v[1]:.2f}" if act else f"S{i + 1} (no solo)")
                for i, ((a, b, act), v) in enumerate(zip(st.bounds, st.values[1:]))]
        self.timeline.set_sections(rows, st.target, enabled=st.automation)
        self.player.set_mix(st)

    def _show_silent(self, st) -> None:
        """Where the solo is silent: shaded in the time views, and what plays."""
        self.timeline.set_silent(st.silent)
        self.player.set_mix(st)

    # ---- editing --------------------------------------------------------------------------------
    @property
    def editable(self):
        """The current track's :class:`MixState` when it takes edits: None before it is ready and while it is
        separated again (Solo side...), when its mix is about to carry over to new stems."""
        t = self.current
        return t.state if t is not None and not t.busy else None

    def separate_with_side(self, side: float) -> None:
        """Separate the current track again with the solo's side ``side`` (degrees; NaN: read by the separator)."""
        track = self.current
        if track is not None and not track.busy:
            self.manager.set_solo_side(track, None if math.isnan(side) else round(float(side), 1))

    def separate_with_side_by_pitch(self) -> None:
        """Separate the current track again with the solo's side chosen by pitch (:data:`SOLO_SIDE_AUTO`)."""
        track = self.current
        if track is not None and not track.busy:
            self.manager.set_solo_side(track, SOLO_SIDE_AUTO)

    def edit(self, pan: float, gain: float, mergeable: bool = False, text: str = "Set pan/gain") -> None:
        st = self.editable
        if st is None or (pan, gain) == tuple(st.value()):
            return
        self.current.undo.push(SetPanGain(st, st.target, pan, gain, text, mergeable))

    def nudge(self, d_pan: int = 0, d_gain: int = 0, fine: bool = False) -> None:
        """Step the target's pan and gain by whole key presses (:func:`ui.controls.step`; ``fine``: Shift)."""
        if self.editable is not None:
            self.edit(*step(*self.editable.value(), d_pan, d_gain, fine), True, "Nudge pan/gain")

    def revert_mixer(self) -> None:
        """Delete the user's fine-tuned mixer after confirmation; tracks analysed from now on use the shipped one."""
        if not paths.user_mixer_path().exists():
            return
        answer = QMessageBox.question(self, "Revert to the shipped mixer",
                                      "Delete your fine-tuned mixer and use the shipped one again? Tracks opened "
                                      "from now on get the shipped mixer's suggestions.")
        if answer == QMessageBox.StandardButton.Yes:
            paths.remove_user_mixer()
            actions.update_enabled(self)
            self.statusBar().showMessage("Using the shipped mixer again.", 5000)

    def reset_to_suggestion(self) -> None:
        st = self.editable
        if st is not None:
            pan, gain = st.suggested_value()
            if (pan, gain) != tuple(st.value()):
                self.current.undo.push(SetPanGain(st, st.target, pan, gain, "Reset to suggestion"))

    def reset_all(self) -> None:
        """The whole track and every section back to the suggestion, automation off (one undo step)."""
        if self.editable is not None:
            self.current.undo.push(ResetAll(self.editable))
            self.current.restored = False
            self.restored.hide()

    def set_automation(self, on: bool) -> None:
        st = self.editable
        if st is not None and st.automation != on:
            self.current.undo.push(SetAutomation(st, on))

    def select_section(self, index: int) -> None:
        """Edit section ``index`` from now on (switches per-section automation on, undoably)."""
        if self.editable is not None:
            self.editable.select(index)
            self.set_automation(True)

    # ---- transport ------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if not self.player.available:
            self.show_playback_reason()
            return
        self.player.toggle()

    def set_loop(self, on: bool) -> None:
        a, b = self.timeline.loop_region.getRegion()
        if on and (b - a <= 0.01 or not self.timeline.loop_region.isVisible()):
            a, b = self.timeline.visible_range()
            if b - a >= self.timeline.duration * 0.99:
                a, b = b * 0.25, b * 0.5
        self.timeline.set_loop(a, b, on)
        self.player.set_loop(a, b, on)

    def _position(self, t: float) -> None:
        self.timeline.set_playhead(t)
        total = self.current.decoded.audio.shape[0] / self.current.decoded.rate if self.current and \
            self.current.decoded else 0.0
        self.transport.set_time(t, total)

    def _ab(self, original: bool) -> None:
        self.transport.original.setText("Hearing: original" if original else "Hearing: remix")
        self.player.set_original(original)

    def _match(self, on: bool) -> None:
        self.settings["match_loudness"] = on
        self.player.set_match_loudness(on)

    def _stems_changed(self, *_) -> None:
        t = self.transport
        self.player.set_stems_on(not t.mute_solo.isChecked(), not (t.mute_acc.isChecked() or t.solo_only.isChecked()))

    def _device_restored(self, name: str) -> None:
        self.set_message("")
        self.statusBar().showMessage(f"Playback works again on {name}.", 8000)

    def show_playback_reason(self) -> None:
        """Say above the views why playback is off (no audio library or device), and disable Play; or that another
        device plays in place of the one chosen in Preferences (it is gone)."""
        if not self.player.available:
            self.set_message(f"Playback is disabled: {self.player.reason}. Separation and export still work.")
            self.transport.play.setEnabled(False)
        elif self.player.engine.stand_in_for:
            device = self.player.engine.device
            self.set_message(f"The output device {self.player.engine.stand_in_for} chosen in Preferences is not "
                             f"there; playing on {device.label if device else 'the default device'}.")

    # ---- window --------------------------------------------------------------------------------
    def _restore(self) -> None:
        geo = self.settings["geometry"]
        if geo.isEmpty() or not self.restoreGeometry(geo):
            self.resize(*geometry.DEFAULT_SIZE)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.fit_to(screen.availableGeometry())
        st = self.settings["splitter"]
        if st.isEmpty() or not self.splitter.restoreState(st):  # first start: most of the width to the views
            self.splitter.setSizes([round(self.width() * f) for f in SPLITTER_SHARES])
        self.timeline.set_mode(self.settings["spectrogram_mode"])

    def fit_to(self, area: QRect) -> None:
        """Shrink and move the window into ``area`` (a screen's available geometry)."""
        geometry.fit_window(self, area)

    def closeEvent(self, ev) -> None:
        """Ctrl+Q or the window's close button: the questions (an export under way, unsaved edits), then
        :meth:`shutdown`."""
        if self.exporter.busy and QMessageBox.question(
                self, "Export under way", "An export is under way. Quit and cancel it? (No file is left "
                "half-written.)") != QMessageBox.StandardButton.Yes:
            ev.ignore()
            return
        if not self.keeper.confirm_quit():
            ev.ignore()
            return
        self.shutdown()
        super().closeEvent(ev)

    def shutdown(self) -> bool:
        """Keep what the user owns and stop everything, within :data:`QUIT_WAIT_MS` of waiting on workers.

        Edits are autosaved and the settings written first; then the export (its files appear whole or not
        at all), the processing and the playback are cancelled together, the audio stream closed, and the
        workers given what is left of the time. Called by :meth:`closeEvent` and, for a signal (SIGTERM,
        SIGHUP, Ctrl+C in the terminal), by :func:`ui.app.run_app`; the second call does nothing.

        Returns
        -------
        bool
            Whether every worker had ended in time.
        """
        if self._stopped is not None:
            return self._stopped
        self.keeper.flush()
        self.settings["geometry"] = self.saveGeometry()
        self.settings["window_state"] = self.saveState()
        self.settings["splitter"] = self.splitter.saveState()
        self.settings.sync()
        deadline = time.monotonic() + QUIT_WAIT_MS / 1000
        partners = (self.exporter, self.manager, self.player)
        for p in partners:  # cancel all at once (no wait) ...
            p.shutdown(0)
        # ... then wait on each with what is left of the time
        self._stopped = all([p.shutdown(max(0, int((deadline - time.monotonic()) * 1000))) for p in partners])
        return self._stopped

    def dragEnterEvent(self, ev) -> None:
        if ev.mimeData().hasUrls():
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:
        dropped = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        sessions = [f for f in dropped if f.lower().endswith(session.SUFFIX) and not Path(f).is_dir()]
        for f in sessions:  # as on the command line: a session opens its recording with its mix
            actions.open_session(self, f)
        if sessions:
            ev.acceptProposedAction()
        dropped = [f for f in dropped if f not in sessions]
        if not dropped:
            return
        inputs, notes = naming.expand_inputs(dropped)  # folders: the audio files inside, recursively, sorted
        if notes:
            self.statusBar().showMessage("; ".join(notes), 8000)
        if inputs:
            ev.acceptProposedAction()
            self.open_files([str(i.path) for i in inputs])

    def set_message(self, text: str) -> None:
        """Show (or with ``""`` hide) the notice line above the views."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_error(self, text: str) -> None:
        """Show (or hide) the error line: plain words from the failed job."""
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        QMessageBox.warning(self, "Jazz Remix", text)
