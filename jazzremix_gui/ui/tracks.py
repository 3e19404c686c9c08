"""The list of open tracks and their background processing, one track at a time, in turn.

Each :class:`Track` holds what is known so far (decoded audio, stems, suggestion, the
engineer's :class:`MixState` and its undo stack). :class:`TrackManager` queues tracks,
runs :func:`processing.process_track` for each in turn on its own worker thread, and
tells the window on the main thread as results arrive.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.ui.mixstate import MixState
from jazzremix_gui.services import adaptation, edits
from jazzremix_gui.services.processing import Decoded, Processed, process_track
from jazzremix_gui.services import session
from jazzremix_gui.ui.worker import Job, make_runner

log = logging.getLogger(__name__)

QUEUED, WORKING, READY, FAILED, CANCELLED = "queued", "working", "ready", "failed", "cancelled"


class Track(QObject):
    """One open recording."""

    def __init__(self, path, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.status = QUEUED
        self.progress = 0.0
        self.eta = -1.0
        self.message = "waiting"
        self.error = ""
        self.decoded: Decoded | None = None
        self.processed: Processed | None = None
        self.state: MixState | None = None
        self.undo = QUndoStack(self)
        self.job: Job | None = None
        self.pending_session: dict | None = None
        self.pending_from_file = False  # the pending mix is a session file's: the track is clean once it is applied
        self.pending_session_path: Path | None = None  # that file: the track's session once its mix is applied
        self.restored = False  # edits from an earlier run were applied when the track became ready
        self.session_path: Path | None = None  # the session file this track was opened from or saved to
        self.clean_mix: dict = {}  # the mix as opened or last saved (what Discard goes back to)
        self.solo_side: float | None = None  # the solo's pan its stems were separated with (degrees); None: read
        self.asked_side: tuple | None = None  # (side,) a separation asked for with another side, until it is done
        self.asked_step: tuple | None = None  # (step,) a Wiener step asked for (a session's), until it is done
        self.asked_adapt: tuple | None = None  # (steps,) the separator adapted to the recording (0: not), asked for
        self.asked_comb: tuple | None = None  # (on,) mono material's pitch comb asked for (a session's), until done
        self.job_made_with: tuple = (None, None, 0, True)  # (side, step, adapt, comb) of the job under way
        self.requeue = False  # a cancel that starts the track again (a session's side asked while it worked)
        self.side_changed = False  # separated again with another side since the last save (a session would differ)
        self.wiener_step: bool | None = None  # the step its stems were made with (Preferences): None the model's own
        self.adapted = 0  # its stems were made by the separator adapted to it in that many steps (training.adapt)

    @property
    def unsaved(self) -> bool:
        """Edits made since the track opened or was last saved to a session file (a new solo side too)."""
        return self.state is not None and (not self.undo.isClean() or self.side_changed)

    def mark_saved(self) -> None:
        """The mix as it is now is what a session file holds (saved, or opened from it)."""
        self.undo.setClean()
        self.side_changed = False
        self.clean_mix = self.state.to_json() if self.state is not None else {}

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def warnings(self) -> list[str]:
        """What the CLI would warn about this file (damage, downmix), once it is decoded."""
        return self.decoded.warnings if self.decoded is not None else []

    @property
    def busy(self) -> bool:
        return self.status in (QUEUED, WORKING)

    def status_text(self) -> str:
        if self.status == WORKING:
            eta = f", {self.eta:.0f} s left" if self.eta >= 0 else ""
            return f"{self.message} {self.progress * 100:.0f} %{eta}"
        if self.status == FAILED:
            return "failed (see the message above the views)"
        if self.status == READY:
            ready = "ready (from cache)" if self.processed and self.processed.from_cache else "ready"
            notes = self.decoded.notes if self.decoded is not None else []
            return "; ".join([*notes, ready])  # a damaged file is never shown as plainly "ready"; the notes first,
            # so a narrow list still shows them
        return self.status


class TrackManager(QObject):
    """Open tracks in order; processes them one by one.

    Signals
    -------
    added(Track); changed(Track): status or progress; decoded(Track): mixture available;
    ready(Track): stems and suggestion available; failed(Track): ``track.error`` says why;
    removed(Track, int): closed; it was at that index; notice(Track, str): a word for the engineer about
    the track (a separation again that failed or was cancelled, so it is ready with its earlier results; a
    session's mix applied to a recording whose contents changed).
    """

    added = Signal(object)
    changed = Signal(object)
    decoded = Signal(object)
    ready = Signal(object)
    failed = Signal(object)
    removed = Signal(object, int)
    notice = Signal(object, str)

    def __init__(self, model_paths=lambda: (None, None), parent: QObject | None = None):
        super().__init__(parent)
        self.model_paths = model_paths
        self.cache_limit = lambda: None  # bytes the results cache may take (the window reads Preferences)
        self.pan_aware = lambda: None  # the Wiener step (Preferences): True pan-aware, False plain, None the model's
        self.mono_comb = lambda: True  # mono material's pitch comb (Preferences)
        self.tracks: list[Track] = []
        self.runner = make_runner(1, self)
        self.current_job: Job | None = None

    def find(self, path) -> Track | None:
        p = Path(path).resolve()
        return next((t for t in self.tracks if t.path.resolve() == p), None)

    def add(self, path, solo_side: float | None = None, wiener_step: tuple | None = None,
            adapt: tuple | None = None, mono_comb: tuple | None = None) -> Track:
        """Open a file (or return the track already open for it) and queue its processing; ``solo_side``: the
        solo's pan as given (a session's), ``wiener_step``: ``(step,)`` a session's step (else Preferences'),
        ``adapt``: ``(steps,)`` a session's stems came from the separator adapted to the recording in that many
        optimiser steps (0: as shipped), ``mono_comb``: ``(on,)`` a session's mono material with or without the
        pitch comb (else Preferences'), for a track opened now."""
        existing = self.find(path)
        if existing is not None:
            if existing.status in (FAILED, CANCELLED):
                self.retry(existing)
            return existing
        track = Track(path, self)
        track.solo_side, track.asked_step, track.asked_adapt = solo_side, wiener_step, adapt
        track.asked_comb = mono_comb
        self.tracks.append(track)
        self.added.emit(track)
        self._next()
        return track

    def retry(self, track: Track) -> None:
        track.status, track.progress, track.error, track.message = QUEUED, 0.0, "", "waiting"
        self.changed.emit(track)
        self._next()

    def set_solo_side(self, track: Track, side_deg: float | None, wiener_step: tuple | None = None,
                      adapt: tuple | None = None, mono_comb: tuple | None = None) -> bool:
        """Separate a ready (or failed, cancelled) track again with the solo's side given (``side_deg``, pan in
        degrees, -45 .. +45), with None read by the separator, or with :data:`core.constants.SOLO_SIDE_AUTO` chosen
        by pitch (the track then takes the side chosen, said by :attr:`notice`); False (nothing done) while it is
        busy or when nothing changes.

        A ready track keeps its results, its mix and its undo history until the new separation is ready (the
        window takes no edits meanwhile: ``MainWindow.editable``); then the mix as it was carries over to the new
        stems (sections matched by position), the undo history starts anew and the track counts as unsaved.
        If the new separation fails or is cancelled, the track is ready again as it was (said by :attr:`notice`).
        ``wiener_step``: ``(step,)`` a session's Wiener step (:func:`core.models.with_wiener_step`) to separate with
        too; None: the one its stems were made with. ``adapt``: ``(steps,)`` with the separator adapted to the
        recording in that many optimiser steps, 0: as shipped (:meth:`set_adapted`); None: as its stems were made.
        ``mono_comb``: ``(on,)`` a session's mono material with or without the pitch comb; None: as its stems were.
        """
        same_step = wiener_step is None or track.processed is not None and wiener_step[0] == track.wiener_step
        same_adapt = adapt is None or adapt[0] == track.adapted
        same_comb = mono_comb is None or track.processed is not None and mono_comb[0] == track.processed.mono_comb
        if track.busy or (track.solo_side == side_deg and same_step and same_adapt and same_comb):
            return False
        track.asked_side, track.asked_step, track.asked_adapt = (side_deg,), wiener_step, adapt
        track.asked_comb = mono_comb
        if track.state is not None:
            track.pending_session = session.session_dict(track)  # the mix now, for the new stems
        self.retry(track)
        return True

    def set_adapted(self, track: Track, adapt: bool) -> bool:
        """Separate a ready track again with the separator adapted to it (``adapt``: in the steps of
        :func:`services.adaptation.steps_of`), or with the separator as shipped, as :meth:`set_solo_side` does for a
        side (its side and step stay); False while busy or unchanged."""
        return self.set_solo_side(track, track.solo_side, None, (adaptation.steps_of(0) if adapt else 0,))

    def restart_with_side(self, track: Track, side_deg: float | None, wiener_step: tuple | None = None,
                          adapt: tuple | None = None, mono_comb: tuple | None = None) -> None:
        """A busy track: separate it with ``side_deg`` (and ``(step,)``, ``(adapt,)``, ``(comb,)``) instead (a session
        opened for it meanwhile); a job under way with others is cancelled and the track queued again."""
        track.asked_side = (side_deg,)
        if wiener_step is not None:
            track.asked_step = wiener_step
        if adapt is not None:
            track.asked_adapt = adapt
        if mono_comb is not None:
            track.asked_comb = mono_comb
        wanted = (side_deg, track.asked_step[0] if track.asked_step is not None else track.job_made_with[1],
                  track.asked_adapt[0] if track.asked_adapt is not None else track.job_made_with[2],
                  track.asked_comb[0] if track.asked_comb is not None else track.job_made_with[3])
        if track.status == WORKING and track.job is not None and wanted != track.job_made_with:
            track.requeue = True
            track.job.cancel()

    def _step_for(self, track: Track):
        """The Wiener step a job for ``track`` uses: one asked (a session's), else the one its stems were made with,
        else Preferences'."""
        if track.asked_step is not None:
            return track.asked_step[0]
        return track.wiener_step if track.processed is not None else self.pan_aware()

    def _comb_for(self, track: Track) -> bool:
        """Whether a job for ``track`` gives mono material the pitch comb: as asked (a session's), else as its stems
        were made, else as Preferences say."""
        if track.asked_comb is not None:
            return track.asked_comb[0]
        return track.processed.mono_comb if track.processed is not None else bool(self.mono_comb())

    @staticmethod
    def _adapt_for(track: Track) -> int:
        """In how many steps a job for ``track`` adapts the separator to it (0: not): as asked (a session's, or
        :meth:`set_adapted`), else as its stems were made."""
        return track.asked_adapt[0] if track.asked_adapt is not None else track.adapted

    def cancel(self, track: Track) -> None:
        if track.status == WORKING and track.job is not None:
            track.job.cancel()
            track.message = "cancelling"
            self.changed.emit(track)
        elif track.status == QUEUED:
            self._cancelled(track)

    def remove(self, track: Track) -> None:
        """Close a track (its processing is cancelled; its edits stay saved)."""
        self.cancel(track)
        if track in self.tracks:
            index = self.tracks.index(track)
            self.tracks.remove(track)
            self.removed.emit(track, index)

    def _next(self) -> None:
        if self.current_job is not None:
            return
        track = next((t for t in self.tracks if t.status == QUEUED), None)
        if track is None:
            return
        sep, mix = self.model_paths()
        limit, pan = self.cache_limit(), self._step_for(track)
        track.status, track.message = WORKING, "decoding"
        log.info("processing %s", track.path)
        side = track.asked_side[0] if track.asked_side is not None else track.solo_side
        adapt = self._adapt_for(track)
        comb = self._comb_for(track)
        track.job_made_with = (side, pan, adapt, comb)
        track.job = self.current_job = self.runner.submit(
            lambda job, p=track.path: process_track(p, job, sep, mix, limit, pan, side, adapt, comb),
            track.name,
            on_progress=lambda f, m, eta, t=track: self._progress(t, f, m, eta),
            on_partial=lambda kind, value, t=track: self._partial(t, kind, value),
            on_success=lambda res, t=track: self._done(t, res, side, pan, adapt),
            on_error=lambda msg, t=track: self._failed(t, msg),
            on_cancel=lambda t=track: self._cancelled(t),
            on_done=self._job_done)
        self.changed.emit(track)

    def _progress(self, track: Track, fraction: float, message: str, eta: float) -> None:
        if track.status == WORKING:
            track.progress, track.message, track.eta = fraction, message, eta
            self.changed.emit(track)

    def _partial(self, track: Track, kind: str, value) -> None:
        if kind == "decoded":
            track.decoded = value
            self.decoded.emit(track)
            self.changed.emit(track)  # its warnings (damage, downmix) show from now on

    def _done(self, track: Track, result: Processed, side: float | None, wiener_step: bool | None = None,
              adapt: bool = False) -> None:
        if track.requeue or (track.asked_side is not None and track.asked_side[0] != side) or \
                (track.asked_step is not None and track.asked_step[0] != wiener_step) or \
                (track.asked_adapt is not None and track.asked_adapt[0] != adapt) or \
                (track.asked_comb is not None and track.asked_comb[0] != result.mono_comb):
            # a session asked another side as this finished (too late for its cancel): separated again with it
            track.requeue = False
            track.status, track.progress, track.message = QUEUED, 0.0, "waiting"
            self.changed.emit(track)
            return
        chose = None
        if side == SOLO_SIDE_AUTO:  # the side chosen by pitch: the track keeps the one its stems were made with
            chose = result.side_choice
            side = chose.side_deg if chose is not None else None
        again = track.processed is not None  # separated again (Solo side...): the mix carries over, unsaved
        old_state = track.state
        track.side_changed = track.side_changed or (again and (side, wiener_step, adapt) != (
            track.solo_side, track.wiener_step, track.adapted))
        track.processed, track.asked_side, track.asked_step, track.asked_adapt = result, None, None, None
        track.asked_comb = None
        track.solo_side, track.wiener_step, track.adapted = side, wiener_step, adapt
        track.state = MixState(result.suggestion, track)
        if not track.pending_session and track.decoded is not None:  # edits from an earlier run
            kept = edits.load(track.decoded.sha256)
            if kept is not None:
                track.pending_session = kept
                track.restored = True
        from_file = track.pending_from_file
        was = (track.pending_session or {}).get("input_sha256") if from_file else None
        other = bool(was and track.decoded is not None and was != track.decoded.sha256)
        if track.pending_session:
            track.state.apply_json(session.mix_for(track.pending_session, result.stems.solo_level))
        if from_file:
            track.session_path = track.pending_session_path
        track.pending_session, track.pending_from_file, track.pending_session_path = None, False, None
        if again:  # the old state's undo steps would act on a state no longer shown
            track.side_changed = track.side_changed or not track.undo.isClean()
            track.undo.clear()
            if old_state is not None:
                old_state.deleteLater()
        if from_file or not again:
            track.mark_saved()
        track.status, track.progress, track.message = READY, 1.0, "ready"
        self.changed.emit(track)
        self.ready.emit(track)
        if other:
            self.notice.emit(track, f"{track.name} is not the recording its session was saved with (its contents "
                                    "differ): the session's mix was applied to it; check it by ear.")
        elif chose is not None:
            line = chose.describe()
            self.notice.emit(track, f"{track.name}: {line[0].upper()}{line[1:]}.")

    def _back_to_earlier(self, track: Track, why: str) -> bool:
        """A separation again that did not finish: the track is ready with its earlier results; False otherwise."""
        if track.processed is None:
            return False
        track.asked_side = track.asked_step = track.asked_adapt = track.asked_comb = None
        track.pending_session = track.pending_session_path = None
        track.pending_from_file = track.requeue = False
        track.status, track.progress, track.message, track.error = READY, 1.0, "ready", ""
        self.changed.emit(track)
        self.notice.emit(track, why)
        return True

    def _failed(self, track: Track, message: str) -> None:
        track.requeue = False
        if self._back_to_earlier(track, f"Separating {track.name} again failed ({message}); it keeps its earlier "
                                        "separation and your mix."):
            return
        track.status, track.error = FAILED, message
        self.changed.emit(track)
        self.failed.emit(track)

    def _cancelled(self, track: Track) -> None:
        if track.requeue:  # a session's side asked while it worked: again, at once
            track.requeue = False
            track.status, track.progress, track.message = QUEUED, 0.0, "waiting"
            self.changed.emit(track)
            return
        if self._back_to_earlier(track, f"Separating {track.name} again was cancelled; it keeps its earlier "
                                        "separation and your mix."):
            return
        track.status, track.message = CANCELLED, "cancelled"  # a session asked for it still applies on Retry
        self.changed.emit(track)

    def _job_done(self) -> None:
        self.current_job = None
        for t in self.tracks:
            t.job = None if t.status != WORKING else t.job
        self._next()

    def shutdown(self, wait_ms: int = 10000) -> bool:
        """Cancel every job and wait at most ``wait_ms`` for them to end; returns whether they did."""
        self.runner.cancel_all()
        return self.runner.wait(wait_ms)
