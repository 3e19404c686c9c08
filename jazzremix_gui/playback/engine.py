"""The playback engine: one sounddevice output stream feeding from a :class:`BlockRenderer`.

No Qt here. The stream opens at the device's own default sample rate. A track's material
stays at the file's rate, in memory-mapped files: :meth:`PlaybackEngine.load_stream` starts a
:class:`playback.stream.Feeder` thread that resamples it to :attr:`PlaybackEngine.rate` a piece at
a time into the ring the audio callback reads (:meth:`load` takes short material already at the
device's rate, in memory). Without PortAudio or an output device the engine stays usable but
:attr:`available` is False and :attr:`reason` says why in plain words.

A device can go away while the stream runs (the audio server stops, a USB interface is
unplugged). :meth:`PlaybackEngine.check`, called from the UI's refresh timer, notices it
within :data:`LOST_AFTER_S` (the stream went inactive or its callback stopped coming) and
sets the stream aside without calling into PortAudio, whose abort can block for minutes then;
:meth:`close` never waits more than :data:`CLOSE_WAIT_S` on the library.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from jazzremix_gui.core.signal.panlaw import SOLO_LEVEL_DEFAULT
from jazzremix_gui.playback import devices
from jazzremix_gui.playback import renderer as R
from jazzremix_gui.playback.renderer import BlockRenderer
from jazzremix_gui.playback.stream import AT_ONCE, Feeder, Ring

#: Seconds without an audio callback after which a started stream counts as lost.
LOST_AFTER_S = 0.5
#: Longest wait on the audio library when closing a stream, in seconds.
CLOSE_WAIT_S = 0.5


class PlaybackEngine:
    """Transport (play, pause, stop, seek, loop) over an output stream.

    Parameters
    ----------
    device : str, optional
        Output device label or name (see :func:`devices.pick_device`); default device when empty.
    """

    def __init__(self, device: str | None = None):
        self.renderer = BlockRenderer()
        self.feeder: Feeder | None = None
        self.stream = None
        self.device = None
        self.reason: str | None = None
        self.stand_in_for: str | None = None  # the device asked for, where another plays in its place
        self.callbacks = 0
        self.lost = False  # the device went away; :meth:`reconnect` tries again
        self.abandoned: list = []  # streams that cannot be stopped any more; never touched again
        self._started = False
        self._seen = (0, 0.0)  # (callback count, when it last changed)
        self.open(device)

    @property
    def available(self) -> bool:
        return self.stream is not None

    @property
    def rate(self) -> int:
        """Output sample rate in Hz (the device's default rate)."""
        return self.renderer.rate

    def open(self, device: str | None = None) -> bool:
        """(Re)open the output stream on ``device``; returns whether playback is possible."""
        self.close()
        self.reason = devices.unavailable_reason()
        if self.reason is not None:
            return False
        dev = devices.pick_device(device)
        if dev is None:
            self.reason = "no audio output device was found"
            return False
        # a device chosen in Preferences that is gone (unplugged): the default plays, and the app says so
        self.stand_in_for = device if device and device not in (dev.label, dev.name) else None
        sd = devices.sounddevice()
        try:
            self.stream = sd.OutputStream(device=dev.index, samplerate=dev.default_rate, channels=2,
                                          dtype="float32", callback=self._callback)
        except Exception as exc:  # PortAudioError and friends
            self.stream = None
            self.reason = f"cannot open {dev.label}: {str(exc).strip() or type(exc).__name__}"
            return False
        self.device = dev
        self.renderer.rate = int(self.stream.samplerate)
        return True

    def close(self) -> None:
        """Stop and close the stream, waiting at most :data:`CLOSE_WAIT_S` on the audio library."""
        self.renderer.playing = False
        stream, self.stream = self.stream, None
        if stream is None:
            return
        if self._started and self._stalled(stream):
            self._set_aside(stream)
            return
        self._started = False
        done = threading.Event()

        def stop() -> None:
            try:
                stream.abort()
                stream.close()
            except Exception:
                pass
            done.set()

        threading.Thread(target=stop, name="close audio stream", daemon=True).start()
        if not done.wait(CLOSE_WAIT_S):
            self._set_aside(stream)

    def _stalled(self, stream) -> bool:
        """Whether a started stream stopped running by itself (inactive, or no callback for a while)."""
        try:
            if not stream.active:
                return True
        except Exception:
            return True
        count, since = self._seen
        now = time.monotonic()
        if self.callbacks != count:
            self._seen = (self.callbacks, now)
            return False
        return now - since >= LOST_AFTER_S

    def _set_aside(self, stream) -> None:
        self.abandoned.append(stream)
        self._started = False
        devices.set_aside_library()

    def check(self) -> str | None:
        """Notice a lost device (call often from the UI thread); returns the reason once, when it is lost."""
        stream = self.stream
        if stream is None or not self._started or not self._stalled(stream):
            return None
        self.renderer.playing = False
        self.stream = None
        self._set_aside(stream)
        self.lost = True
        label = self.device.label if self.device else "the audio device"
        self.reason = f"{label} stopped responding"
        return self.reason

    def reconnect(self, device: str | None = None) -> bool:
        """Scan the devices again and reopen (after a loss, or to switch devices); the material stays loaded."""
        self.close()
        reason = devices.rescan()
        if reason is not None:
            self.reason = reason
            return False
        ok = self.open(device)
        self.lost = self.lost and not ok
        return ok

    def _callback(self, outdata, frames, time_info, status) -> None:  # audio thread
        self.callbacks += 1
        self.renderer.render(outdata)

    # ---- what plays ---------------------------------------------------------------------
    def set_mix(self, pan: float | None = None, gain: float | None = None, automation: bool | None = None,
                sections=None, solo_on: bool | None = None, accompaniment_on: bool | None = None,
                original: bool | None = None, original_gain: float | None = None) -> None:
        """Change what plays; the only way callers do (the audio callback picks it up at its next block).

        Every argument left as None keeps its value.

        Parameters
        ----------
        pan, gain : float, optional
            The whole track's pan (degrees) and gain (linear, 1.0 = as recorded).
        automation : bool, optional
            Play the per-section values of ``sections`` instead of the whole track's.
        sections : list of (start_s, end_s, pan_deg, gain), optional
            The automation rows (the last one runs to the end).
        solo_on, accompaniment_on : bool, optional
            Stem switches (mute solo, mute accompaniment).
        original : bool, optional
            Play the original recording instead of the remix (A/B).
        original_gain : float, optional
            Linear gain on the original (loudness matching).
        """
        r = self.renderer
        if sections is not None:
            r.set_sections(sections)
        c = r.controls
        for index, value in ((R.PAN, pan), (R.GAIN, gain), (R.AUTOMATION, automation), (R.SOLO_ON, solo_on),
                             (R.ACC_ON, accompaniment_on), (R.ORIGINAL, original), (R.ORIG_GAIN, original_gain)):
            if value is not None:
                c[index] = float(value)

    def set_solo_silent(self, spans) -> None:
        """Where the solo rests, ``((start_s, end_s), ...)`` at the file's time: the solo silent there and the
        accompaniment the recording (:mod:`core.signal.solo_rests`). Streamed material only (what the app plays);
        the frames ahead are made again from the playing position, as after a seek."""
        spans = tuple(spans)
        if self.feeder is None or spans == self.feeder.solo_silent:
            return
        self.feeder.solo_silent = spans
        self.renderer.seek(self.renderer.position)
        self._moved()

    @property
    def levels(self) -> np.ndarray:
        """Peak level of the last block played, per channel (linear; read by the meter's timer)."""
        return self.renderer.levels

    # ---- transport --------------------------------------------------------------------
    def load(self, solo: np.ndarray, accompaniment: np.ndarray, mixture: np.ndarray,
             solo_level: float = SOLO_LEVEL_DEFAULT) -> None:
        """Material in memory at :attr:`rate`: solo (n,), accompaniment and mixture (n, 2), and the solo level ``k``."""
        self.unload()
        self.renderer.load(solo, accompaniment, mixture, self.rate, solo_level)

    def load_stream(self, solo: np.ndarray | None, accompaniment: np.ndarray, mixture: np.ndarray, rate: int,
                    solo_level: float = SOLO_LEVEL_DEFAULT) -> None:
        """Play a track streamed from its files at its own ``rate``, resampled to :attr:`rate` as it plays.

        Parameters
        ----------
        solo : np.ndarray [shape=(n,), dtype=float32] or None
            None: no stems (the original plays; the remix is the mixture).
        accompaniment, mixture : np.ndarray [shape=(n, 2), dtype=float32]
            Memory-mapped (read a piece at a time, pages given back) or in memory.
        rate : int
            Their sample rate in Hz.
        solo_level : float
            The recording's solo level ``k``.
        """
        self.unload()
        ring = Ring()
        feeder = Feeder(self.renderer, ring, solo, accompaniment, mixture, rate, self.rate)
        self.renderer.attach(ring, feeder.length, self.rate, solo_level)
        self.feeder = feeder
        feeder.start()

    def unload(self) -> None:
        """Stop playing and the feeder thread (its files are no longer read)."""
        self.renderer.playing = False
        feeder, self.feeder = self.feeder, None
        if feeder is not None:
            feeder.stop()

    @property
    def underruns(self) -> int:
        """Blocks that played silence because the feeder was late (streamed material)."""
        return self.renderer.underruns

    def _moved(self) -> None:
        if self.feeder is not None:  # the first frames from the new place are written here, at once
            self.feeder.wake(AT_ONCE)

    def play(self) -> bool:
        """Start (or resume); returns False when playback is not possible."""
        if self.stream is None or self.renderer.length == 0:
            return False
        self.renderer.start()
        self._moved()
        if not self._started:
            try:
                self.stream.start()
                self._started = True
                self._seen = (self.callbacks, time.monotonic())
            except Exception as exc:
                self.reason = f"playback failed: {exc}"
                self.renderer.playing = False
                return False
        return True

    def pause(self) -> None:
        self.renderer.pause()

    def stop(self) -> None:
        self.renderer.pause()
        self.renderer.seek(self.renderer.loop[0] if self.renderer.loop_on else 0)
        self._moved()

    @property
    def playing(self) -> bool:
        return self.renderer.playing

    def seek_seconds(self, t: float) -> None:
        self.renderer.seek(int(round(t * self.rate)))
        self._moved()

    @property
    def position_seconds(self) -> float:
        return self.renderer.position / self.rate

    def set_loop(self, start_s: float, end_s: float, on: bool) -> None:
        r = self.renderer
        a = int(max(0, start_s) * self.rate)
        b = int(min(end_s * self.rate, r.length))
        r.loop = [a, max(a, b)]
        r.loop_on = bool(on) and b > a
        if not r.playing:  # the ring follows the new loop from where the playhead is
            r.seek(r.position)
            self._moved()
        elif self.feeder is not None:  # from a little ahead of what is playing
            self.feeder.replan()
