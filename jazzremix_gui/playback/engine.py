"""The playback engine: one sounddevice output stream feeding from a :class:`BlockRenderer`.

No Qt here. The stream opens at the device's own default sample rate (the caller
resamples the material to :attr:`PlaybackEngine.rate` once, off the UI thread, before
:meth:`load`). Without PortAudio or an output device the engine stays usable but
:attr:`available` is False and :attr:`reason` says why in plain words.
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.core.panlaw import SOLO_LEVEL_DEFAULT
from jazzremix_gui.playback import devices
from jazzremix_gui.playback.renderer import BlockRenderer


class PlaybackEngine:
    """Transport (play, pause, stop, seek, loop) over an output stream.

    Parameters
    ----------
    device : str, optional
        Output device label or name (see :func:`devices.pick_device`); default device when empty.
    """

    def __init__(self, device: str | None = None):
        self.renderer = BlockRenderer()
        self.stream = None
        self.device = None
        self.reason: str | None = None
        self.callbacks = 0
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
        self.renderer.playing = False
        if self.stream is not None:
            try:
                self.stream.abort()
                self.stream.close()
            except Exception:
                pass
        self.stream = None

    def _callback(self, outdata, frames, time, status) -> None:  # audio thread
        self.callbacks += 1
        self.renderer.render(outdata)

    # ---- transport --------------------------------------------------------------------
    def load(self, solo: np.ndarray, accompaniment: np.ndarray, mixture: np.ndarray,
             solo_level: float = SOLO_LEVEL_DEFAULT) -> None:
        """Material at :attr:`rate`: solo (n,), accompaniment and mixture (n, 2), and the solo level ``k``."""
        self.renderer.load(solo, accompaniment, mixture, self.rate, solo_level)

    def play(self) -> bool:
        """Start (or resume); returns False when playback is not possible."""
        if self.stream is None or self.renderer.length == 0:
            return False
        self.renderer.start()
        if not self.stream.active:
            try:
                self.stream.start()
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

    @property
    def playing(self) -> bool:
        return self.renderer.playing

    def seek_seconds(self, t: float) -> None:
        self.renderer.seek(int(round(t * self.rate)))

    @property
    def position_seconds(self) -> float:
        return self.renderer.position / self.rate

    def set_loop(self, start_s: float, end_s: float, on: bool) -> None:
        r = self.renderer
        a = int(max(0, start_s) * self.rate)
        b = int(min(end_s * self.rate, r.length))
        r.loop = [a, max(a, b)]
        r.loop_on = bool(on) and b > a
