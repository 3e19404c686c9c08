"""Qt side of playback: owns the engine, prepares material off the UI thread, refreshes on a timer.

The UI changes what plays only through :meth:`PlaybackEngine.set_mix` (pan/gain, sections,
switches); the audio callback reads them once per block. Playhead, time and meter refresh on a 30 ms QTimer,
never from the callback. Loudness matching (A/B) measures both versions in a worker.
The same timer notices a lost output device; while it is lost, the player tries to
reconnect every :data:`RECONNECT_MS`.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from jazzremix_gui.core.signal.panlaw import SOLO_LEVEL_DEFAULT
from jazzremix_gui.playback.engine import PlaybackEngine
from jazzremix_gui.core.audio.loudness import integrated_loudness
from jazzremix_gui.core.files.mapped import pieces
from jazzremix_gui.services.processing import prepare_playback
from jazzremix_gui.ui.worker import make_runner
from jazzremix_gui.services.remix_writer import remix_blocks

log = logging.getLogger(__name__)

REFRESH_MS = 30
RECONNECT_MS = 2000


def loudness_ratio(mixture, remix, rate: int, cancel=None) -> float:
    """Linear gain that brings ``mixture`` to the integrated loudness of ``remix`` (1.0 when unmeasurable); each an
    array ``(n, 2)`` or its blocks (:func:`core.audio.loudness.integrated_loudness`)."""
    a = integrated_loudness(mixture, rate, cancel)
    b = integrated_loudness(remix, rate, cancel)
    if not (np.isfinite(a) and np.isfinite(b)):
        return 1.0
    return float(np.clip(10 ** ((b - a) / 20), 0.1, 10.0))


class Player(QObject):
    """Transport for the current track.

    Signals
    -------
    position_changed(float): seconds, on every refresh while playing.
    state_changed(bool): playing or not.
    ready_changed(bool): material loaded (playable) or not.
    device_lost(str): the output device went away (the reason in words); playback stopped.
    device_restored(str): playback works again (the device's name).
    """

    position_changed = Signal(float)
    state_changed = Signal(bool)
    ready_changed = Signal(bool)
    device_lost = Signal(str)
    device_restored = Signal(str)

    def __init__(self, device: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = PlaybackEngine(device)
        self.runner = make_runner(1, self)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._refresh)
        self.timer.start()
        self.reconnect_timer = QTimer(self)
        self.reconnect_timer.setInterval(RECONNECT_MS)
        self.reconnect_timer.timeout.connect(lambda: self.reopen(self.device))
        self.device = device
        self._token = 0
        self._was_playing = False
        self.ready = False
        self.match_loudness = False
        self._loud_ratio = 1.0
        self._loud_timer = QTimer(self)
        self._loud_timer.setSingleShot(True)
        self._loud_timer.setInterval(400)
        self._loud_timer.timeout.connect(self._measure_loudness)
        self._material = None
        self.meter_sink = None  # callable(levels) set by the window

    @property
    def available(self) -> bool:
        return self.engine.available

    @property
    def reason(self) -> str | None:
        return self.engine.reason

    # ---- material --------------------------------------------------------------------------
    def set_material(self, decoded, stems, state=None) -> None:
        """Stream the track to the device (resampled as it plays); ``stems`` may be None (original only)."""
        self.engine.pause()
        self._token += 1
        token = self._token
        self.ready = False
        self.ready_changed.emit(False)
        self._material = (decoded, stems, state)
        if decoded is None or not self.available:
            self.engine.unload()  # the previous track's files are no longer read
            return
        self.runner.submit(lambda job: prepare_playback(decoded, stems), "prepare playback",
                           on_success=lambda res, t=token: self._loaded(t, res))

    def _loaded(self, token: int, result) -> None:
        if token != self._token:
            return
        stems = self._material[1] if self._material else None
        self.engine.load_stream(*result, stems.solo_level if stems is not None else SOLO_LEVEL_DEFAULT)
        state = self._material[2] if self._material else None
        if state is not None and stems is not None:
            self.engine.set_solo_silent(state.silent)
        self.ready = True
        self.ready_changed.emit(True)
        self.request_loudness()

    # ---- controls --------------------------------------------------------------------------
    def set_mix(self, state) -> None:
        """Play a :class:`MixState`'s values (pan/gain of the whole track and the section rows, where the solo
        is silent)."""
        if state is None:
            return
        pan, gain = state.value(-1)
        self.engine.set_mix(pan=pan, gain=gain, automation=state.automation, sections=state.rows())
        if self._material is not None and self._material[1] is not None:  # the frames ahead made again if changed
            self.engine.set_solo_silent(state.silent)
        self.request_loudness()

    def set_original(self, on: bool) -> None:
        self.engine.set_mix(original=on)

    def set_stems_on(self, solo: bool, accompaniment: bool) -> None:
        self.engine.set_mix(solo_on=solo, accompaniment_on=accompaniment)

    def set_match_loudness(self, on: bool) -> None:
        self.match_loudness = on
        self.engine.set_mix(original_gain=self._loud_ratio if on else 1.0)
        self.request_loudness()

    def request_loudness(self) -> None:
        if self.match_loudness:
            self._loud_timer.start()

    def _measure_loudness(self) -> None:
        if self._material is None or self._material[1] is None or self._material[2] is None:
            return
        decoded, stems, state = self._material
        mix = state.mix(len(stems), stems.rate)
        token = self._token

        def work(job):  # both read a piece at a time: nothing whole-length
            return loudness_ratio(pieces(decoded.audio), remix_blocks(stems, mix, decoded.path), stems.rate,
                                  job.is_cancelled)

        self.runner.submit(work, "loudness", on_success=lambda r, t=token: self._loudness_done(t, r))

    def _loudness_done(self, token: int, ratio: float) -> None:
        if token == self._token:
            self._loud_ratio = ratio
            if self.match_loudness:
                self.engine.set_mix(original_gain=ratio)

    # ---- transport ---------------------------------------------------------------------------
    def toggle(self) -> bool:
        if self.engine.playing:
            self.engine.pause()
            return False
        return self.play()

    def play(self) -> bool:
        playing = self.ready and self.engine.play()
        if playing:
            log.info("playing from %.1f s", self.engine.position_seconds)
        return playing

    def pause(self) -> None:
        self.engine.pause()

    def stop(self) -> None:
        self.engine.stop()
        self.position_changed.emit(self.engine.position_seconds)

    def seek(self, t: float) -> None:
        self.engine.seek_seconds(t)
        self.position_changed.emit(self.engine.position_seconds)

    def set_loop(self, start: float, end: float, on: bool) -> None:
        self.engine.set_loop(start, end, on)

    def reopen(self, device: str | None = None) -> bool:
        """Open ``device`` (Preferences, or a retry after a loss); reloads the material for it."""
        self.device = device
        was_lost = self.engine.lost
        ok = self.engine.reconnect(device)
        if ok:
            self.reconnect_timer.stop()
            if self._material is not None:
                self.set_material(*self._material)
            if was_lost:
                self.device_restored.emit(self.engine.device.label if self.engine.device else "")
        elif self.engine.lost and not self.reconnect_timer.isActive():
            self.reconnect_timer.start()
        return ok

    def _refresh(self) -> None:
        lost = self.engine.check()
        if lost is not None:
            self.ready = False
            self.ready_changed.emit(False)
            self.reconnect_timer.start()
            self.device_lost.emit(lost)
        playing = self.engine.playing
        if playing or self._was_playing:
            self.position_changed.emit(self.engine.position_seconds)
        if playing != self._was_playing:
            self._was_playing = playing
            self.state_changed.emit(playing)
        if self.meter_sink is not None:
            self.meter_sink(self.engine.levels if playing else (0.0, 0.0))

    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Stop the timers and the audio stream, cancel the preparation and loudness jobs and wait at most
        ``wait_ms`` for them; returns whether they ended."""
        self.timer.stop()
        self.reconnect_timer.stop()
        self._loud_timer.stop()
        self.engine.close()
        self.engine.unload()
        self.runner.cancel_all()
        return self.runner.wait(wait_ms)
