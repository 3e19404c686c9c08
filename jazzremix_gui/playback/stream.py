"""Streamed playback material: a feeder thread resamples the track for the device into a ring the callback reads.

The recording and its stems stay at the file's rate in memory-mapped files (or arrays); the
:class:`Feeder` reads them a piece at a time (:func:`core.files.mapped.read_rows`, pages given back),
resamples the five channels (solo, accompaniment L/R, mixture L/R; where the engineer says the solo rests,
:attr:`Feeder.solo_silent`, the solo silent and the accompaniment the mixture: :mod:`core.signal.solo_rests`)
to the device's rate with one
:class:`core.audio.audio_io.StreamResampler` and writes them into a preallocated :class:`Ring`,
each frame tagged with its position at the device's rate. The audio callback
(:class:`playback.renderer.BlockRenderer`) takes frames from the ring only where the tags follow
its own position; anything else (a seek the feeder has not seen yet, a slow feeder) is an
underrun: silence for the rest of the block, counted, and a request for the feeder to start
again from the callback's position. The engine avoids them: a seek writes the first frames from
the new place at once (:meth:`Feeder.wake`), a loop changed while playing keeps the frames ahead
only as far as they follow the new loop (:meth:`Feeder.replan`).

The feeder plays in the callback's order: at the loop's end it goes on from the loop's start,
at the file's end it stops. It starts the resampler again there (and after each seek) a little
before the wanted position, at an input sample whose output position is whole, and drops the
output before the wanted position, so the frames equal those of the whole file resampled at
once (:func:`core.audio.audio_io.resample`) to within float rounding (1e-7).

Only two counters are shared and each has one writer: the feeder writes :attr:`Ring.wr` (frames
written) and :attr:`Ring.stale` (frames before it are out of date), the callback :attr:`Ring.rd`
(frames taken) and :attr:`Ring.request` (where to start again); the feeder clears the request.
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import weakref

import numpy as np

from jazzremix_gui.core.audio.audio_io import StreamResampler, resampled_length
from jazzremix_gui.core.files.mapped import read_rows
from jazzremix_gui.core.signal import solo_rests

log = logging.getLogger(__name__)

#: Frames the ring holds (0.68 s at 48 kHz).
RING_FRAMES = 1 << 15
#: Input frames read and resampled at a time.
PIECE = 4096
#: Frames written at once in the thread that seeks (about 0.1 s): the callback finds them at its next block.
AT_ONCE = 4096
#: Frames kept ahead of the callback when the loop changes while playing (more than any block it asks for);
#: those after them are written again for the new loop.
GUARD = 8192
#: Input frames fed to the resampler before a restart position (its filter's reach, with room).
PRIME = 1024
#: Seconds the feeder sleeps when the ring is full (0.68 s of sound in it) while playing, and while not playing
#: (a seek, a play or a new loop wakes it at once).
IDLE_S = 0.02
PAUSED_S = 0.1


_running: "weakref.WeakSet[Feeder]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """End every feeder thread before the interpreter goes (a resampler left alive then is reported as a leak)."""
    for feeder in list(_running):
        feeder.stop()


class Ring:
    """Resampled frames waiting for the audio callback, with the position each one plays at.

    Attributes
    ----------
    solo : np.ndarray [shape=(RING_FRAMES,), dtype=float32]
    accompaniment, mixture : np.ndarray [shape=(RING_FRAMES, 2), dtype=float32]
    tags : np.ndarray [shape=(RING_FRAMES,), dtype=int64]
        Position (at the device's rate) of the frame in each slot.
    rd, wr, stale : int
        Frames taken by the callback, written by the feeder, and out of date (a restart): slot ``i % size``.
    request : int
        Position the callback wants the feeder to start again from (``-1``: none).
    underruns : int
        Blocks that played silence because the frames were not there (written by the callback).
    """

    def __init__(self, size: int = RING_FRAMES):
        self.size = size
        self.solo = np.zeros(size, np.float32)
        self.accompaniment = np.zeros((size, 2), np.float32)
        self.mixture = np.zeros((size, 2), np.float32)
        self.tags = np.full(size, -1, np.int64)
        self.rd = 0
        self.wr = 0
        self.stale = 0
        self.request = 0
        self.underruns = 0


class Feeder:
    """The thread that keeps a :class:`Ring` filled for a renderer.

    Parameters
    ----------
    renderer : playback.renderer.BlockRenderer
        Read for its position, loop and length (never written).
    ring : Ring
    solo : np.ndarray [shape=(n,)] or None
        None: a silent solo (the original only).
    accompaniment, mixture : np.ndarray [shape=(n, 2), dtype=float32]
        At ``rate_in``; memory-mapped or in memory.
    rate_in, rate_out : int
        The file's and the device's rates (Hz).
    """

    def __init__(self, renderer, ring: Ring, solo, accompaniment, mixture, rate_in: int, rate_out: int):
        self.renderer, self.ring = renderer, ring
        self.sources = (solo, accompaniment, mixture)
        n = min(a.shape[0] for a in self.sources if a is not None)
        self.n_in, self.rate_in, self.rate_out = n, int(rate_in), int(rate_out)
        self.length = resampled_length(n, self.rate_in, self.rate_out)
        self.align = self.rate_in // math.gcd(self.rate_in, self.rate_out)  # input steps with whole output steps
        self._piece = np.zeros((PIECE, 5), np.float32)
        self._solo = np.zeros(PIECE, np.float32)
        self._stereo = np.zeros((PIECE, 2), np.float32)
        self._resampler = None
        self._in = 0  # next input frame to read
        self._pos = 0  # position of the next output frame to keep
        self._start = 0  # where the current run started
        self._skip = 0  # output frames still to drop before _pos
        self._end = 0  # position where this run stops (the loop's end or the length)
        self._pending = np.zeros((0, 5), np.float32)
        self.solo_silent: tuple = ()  # spans (seconds) where the solo rests: the accompaniment is the recording
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._stop = False
        self._thread = None

    # ---- control (any thread) --------------------------------------------------------------
    def start(self) -> None:
        """Fill the ring for the current position now, then keep it filled from a thread."""
        self.fill()
        self._thread = threading.Thread(target=self._run, name="playback feeder", daemon=True)
        self._thread.start()
        _running.add(self)

    def wake(self, now: int = 0) -> None:
        """Look at the ring now (after a seek) rather than at the next idle tick; with ``now``, write that many
        frames first in the calling thread, so a seek while playing is heard at once."""
        if now:
            self._guarded(lambda: self.fill(now))
        self._wake.set()

    def replan(self) -> None:
        """The loop changed while playing: keep :data:`GUARD` frames ahead of the callback, write the rest again
        in the new loop's order (from the calling thread, at once)."""
        self._guarded(self._replan)
        self._wake.set()

    def _replan(self) -> bool:
        with self._lock:
            ring, r = self.ring, self.renderer
            base = max(ring.rd, ring.stale)
            tags = ring.tags[np.arange(base, min(ring.wr, base + GUARD)) % ring.size]
            a, b = r.loop
            looping = r.loop_on and b - a > 0
            # where the frames ahead stop following the new loop (an old wrap, or the new end passed)
            wanted = np.where(looping & (tags < b) & (tags + 1 >= b), a, tags + 1)[:-1]
            off = np.flatnonzero(tags[1:] != wanted)
            keep = base + (int(off[0]) + 1 if off.size else tags.size)
            if keep <= base:  # nothing ahead: start again where the callback is
                self._restart(r.position)
            else:
                last = int(ring.tags[(keep - 1) % ring.size])
                following = a if looping and last < b <= last + 1 else last + 1
                ring.wr = keep  # the frames after it are out of date: written over from here
                self._restart(following, fresh=False)
            return self._fill(AT_ONCE)

    def stop(self, wait_s: float = 0.2) -> None:
        """End the thread (waiting at most ``wait_s``) and drop the resampler."""
        self._stop = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait_s)
        if thread is None or not thread.is_alive():
            self._resampler = None

    # ---- the thread --------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop:
            busy = self._guarded(self.fill)
            if not busy:
                self._wake.wait(IDLE_S if self.renderer.playing else PAUSED_S)
                self._wake.clear()
        self._resampler = None

    def _guarded(self, work) -> bool:
        """``work()``; an error (a file that went away, a resampler error) is logged and this run ends: the
        callback plays silence until the next seek, nothing is raised."""
        try:
            return work()
        except Exception:
            log.exception("playback feeder")
            with self._lock:
                self._resampler, self._end = None, self._pos
            return False

    def fill(self, limit: int | None = None) -> bool:
        """Write what fits into the ring (restarting where the callback asks), at least ``limit`` frames when
        given; returns whether it wrote. Any thread may call it (one at a time: a lock)."""
        with self._lock:
            return self._fill(limit)

    def _fill(self, limit: int | None) -> bool:
        ring = self.ring
        request = ring.request
        if request >= 0:
            ring.request = -1
            self._restart(request)
        if self._resampler is not None and self._pos > self._start:  # the loop may have moved meanwhile
            a, b = self.renderer.loop
            looping = self.renderer.loop_on and b - a > 0 and self._pos <= b
            self._end = min(b, self.length) if looping else self.length
        wrote = False
        while not self._stop and ring.request < 0:
            space = ring.size - (ring.wr - max(ring.rd, ring.stale))
            if space <= 0:
                break
            if self._pending.shape[0] == 0 and not self._produce():
                break
            k = min(space, self._pending.shape[0], self._end - self._pos)
            if k > 0:
                self._write(self._pending[:k])
                wrote = True
                if limit is not None:
                    limit -= k
            self._pending = self._pending[max(k, 0):]
            if self._pos >= self._end:
                self._pending = self._pending[:0]
                if not self._wrap():
                    break
            if limit is not None and limit <= 0:
                break
        return wrote

    def _write(self, frames: np.ndarray) -> None:
        ring = self.ring
        k = frames.shape[0]
        done = 0
        while done < k:
            i = (ring.wr + done) % ring.size
            m = min(k - done, ring.size - i)
            part = frames[done:done + m]
            ring.solo[i:i + m] = part[:, 0]
            ring.accompaniment[i:i + m] = part[:, 1:3]
            ring.mixture[i:i + m] = part[:, 3:5]
            ring.tags[i:i + m] = np.arange(self._pos + done, self._pos + done + m)
            done += m
        self._pos += k
        ring.wr += k  # published last: the callback sees the frames only once they are there

    def _loop_end(self, position: int) -> int:
        """Where a run from ``position`` ends, as the callback decides it (the loop's end or the length)."""
        r = self.renderer
        a, b = r.loop
        if r.loop_on and b - a > 0 and position < b:
            return min(b, self.length)
        return self.length

    def _restart(self, position: int, fresh: bool = True) -> None:
        """Start a run at ``position`` (device rate); ``fresh``: the frames written so far are out of date (a seek),
        otherwise the run continues the ring (the loop's start after its end)."""
        ring = self.ring
        if fresh:
            ring.stale = ring.wr
        position = min(max(int(position), 0), self.length)
        self._pos = self._start = position
        self._end = self._loop_end(position)
        self._pending = self._pending[:0]
        wanted = position * self.rate_in // self.rate_out  # input frame at or before the position
        start = max(0, (wanted - PRIME) // self.align * self.align)
        self._in = start
        self._skip = position - start * self.rate_out // self.rate_in
        self._resampler = StreamResampler(self.rate_in, self.rate_out, 5)

    def _wrap(self) -> bool:
        """At the end of a run: go on from the loop's start when the callback will; returns whether it does."""
        r = self.renderer
        a, b = r.loop
        if self._end < self.length and r.loop_on and b - a > 0 and self._end == b:
            self._restart(a, fresh=False)
            return True
        self._resampler = None
        return False

    def _produce(self) -> bool:
        """Resample the next input piece into :attr:`_pending` (dropping the priming output); False at the end."""
        rs = self._resampler
        if rs is None:
            return False
        if self._in >= self.n_in:
            out = rs.finish()
            self._resampler = None
        else:
            k = min(PIECE, self.n_in - self._in)
            piece = self._piece[:k]
            solo, acc, mix = self.sources
            if solo is None:
                piece[:, 0] = 0.0
            else:
                read_rows(solo, self._in, self._solo[:k])
                piece[:, 0] = self._solo[:k]
            for col, source in ((1, acc), (3, mix)):
                read_rows(source, self._in, self._stereo[:k])
                piece[:, col:col + 2] = self._stereo[:k]
            spans = self.solo_silent  # read once: the main thread replaces the tuple
            if spans:
                piece[:, 0], piece[:, 1:3] = solo_rests.silence(piece[:, 0], piece[:, 1:3], piece[:, 3:5], spans,
                                                                self._in, self.rate_in)
            self._in += k
            out = rs.push(piece)
        if self._skip:
            drop = min(self._skip, out.shape[0])
            out, self._skip = out[drop:], self._skip - drop
        self._pending = out
        return True
