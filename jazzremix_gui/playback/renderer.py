"""Real-time block renderer: the remix (or the original) computed block by block for the audio callback.

:meth:`BlockRenderer.render` runs inside the audio callback. It allocates no arrays,
takes no locks and never raises: every buffer is preallocated here, the UI writes the
controls (pan, gain, mutes, A/B, loudness match) into a small numpy array and the
renderer reads them once per block. Each weight moves linearly from its value at the end
of the previous block to its new value across the block, so edits are heard within one
block and never click.

Per output channel ``c`` the block is
``w_solo_c * solo + w_acc * acc_c + w_orig * mixture_c`` with
``(w_solo_L, w_solo_R) = remix * solo_on * core.signal.panlaw.solo_weights(pan, gain, k)`` (constant-power pan
law and the gain convention: ``k`` is the recording's solo level, so gain 1.0 is as recorded),
``w_acc = remix * acc_on`` and ``w_orig = (1 - remix) * orig_gain``, all times ``master``.

The material is either in memory at the device's rate (:meth:`BlockRenderer.load`: short
material, tests) or streamed (:meth:`BlockRenderer.attach`): a :class:`playback.stream.Ring` that a
:class:`playback.stream.Feeder` thread keeps filled from files. Then the callback takes the
frames whose tags follow its position; when they are not there it plays silence for the rest
of the block, counts an underrun (:attr:`BlockRenderer.underruns`), stays where it is and, when
the ring holds other positions (a seek), asks the feeder to start again from there.
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.core.signal.panlaw import SOLO_LEVEL_DEFAULT, solo_weights

#: Largest block the renderer accepts (frames); bigger requests play silence.
MAX_BLOCK = 16384
#: Most sections the automation table holds.
MAX_SECTIONS = 256

# indices into BlockRenderer.controls
PAN, GAIN, SOLO_ON, ACC_ON, ORIGINAL, ORIG_GAIN, MASTER, AUTOMATION = range(8)


class BlockRenderer:
    """Mixes preloaded stems into output blocks; shared between the UI thread and the audio callback.

    Attributes
    ----------
    controls : np.ndarray [shape=(8,), dtype=float64]
        Written by the UI: pan (deg), gain (linear), solo on (0/1), accompaniment on (0/1),
        original instead of remix (0/1), gain applied to the original (loudness match),
        master gain, automation on (0/1, pan/gain from :attr:`sections`).
    sections : np.ndarray [shape=(MAX_SECTIONS, 4), dtype=float64]
        Automation rows ``(start_sample, end_sample, pan_deg, gain)``; :attr:`n_sections` are used.
    levels : np.ndarray [shape=(2,), dtype=float32]
        Peak level of the last block per channel (linear).
    position : int
        Next sample to play, at :attr:`rate`.
    """

    def __init__(self):
        self.controls = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0])
        self.sections = np.zeros((MAX_SECTIONS, 4))
        self.n_sections = 0
        self.levels = np.zeros(2, np.float32)
        self.position = 0
        self.playing = False
        self.loop_on = False
        self.loop = [0, 0]
        self.rate = 48000
        self.solo_level = SOLO_LEVEL_DEFAULT
        self.blocks_rendered = 0
        self.last_block = np.zeros((MAX_BLOCK, 2), np.float32)
        self.last_frames = 0
        self.last_position = 0
        self.last_target = np.zeros(4)
        self._fade_out = False
        self._data = (np.zeros(0, np.float32), np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32), 0)
        self._base = np.arange(1, MAX_BLOCK + 1, dtype=np.float32)
        self._ramp = np.zeros(MAX_BLOCK, np.float32)
        self._w = np.zeros((4, MAX_BLOCK), np.float32)
        self._tmp = np.zeros(MAX_BLOCK, np.float32)
        self._abs = np.zeros((MAX_BLOCK, 2), np.float32)
        self._prev = np.zeros(4)
        self._target = np.zeros(4)
        self._ring = None  # playback.stream.Ring when streaming
        self._ring_data = None
        self._length = 0
        self.underruns = 0

    # ---- UI side -------------------------------------------------------------------
    def load(self, solo: np.ndarray, accompaniment: np.ndarray, mixture: np.ndarray, rate: int,
             solo_level: float = SOLO_LEVEL_DEFAULT) -> None:
        """Replace the material (all at ``rate`` Hz, the device's rate); playback stops.

        Parameters
        ----------
        solo : np.ndarray [shape=(n,), dtype=float32]
        accompaniment, mixture : np.ndarray [shape=(n, 2), dtype=float32]
        solo_level : float
            The recording's solo level ``k`` (:attr:`core.pipeline.Stems.solo_level`).
        """
        self.playing = False
        self.solo_level = float(solo_level)
        n = min(solo.shape[0], accompaniment.shape[0], mixture.shape[0])
        self._ring = self._ring_data = None
        self._data = (np.ascontiguousarray(solo[:n], np.float32), np.ascontiguousarray(accompaniment[:n], np.float32),
                      np.ascontiguousarray(mixture[:n], np.float32), n)
        self._reset(n, rate)

    def attach(self, ring, length: int, rate: int, solo_level: float = SOLO_LEVEL_DEFAULT) -> None:
        """Play streamed material from ``ring`` (a :class:`playback.stream.Ring` its feeder fills); playback stops.

        Parameters
        ----------
        length : int
            Frames of the material at ``rate`` Hz (the device's rate).
        solo_level : float
            The recording's solo level ``k``.
        """
        self.playing = False
        self.solo_level = float(solo_level)
        self._data = (np.zeros(0, np.float32), np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32), 0)
        self._ring_data = (ring.solo, ring.accompaniment, ring.mixture, ring.size)
        self._ring = ring
        self._reset(int(length), rate)

    def _reset(self, n: int, rate: int) -> None:
        self._length = n
        self.rate = int(rate)
        self.loop = [0, n]
        self.seek(0)
        self._prev[:] = 0.0

    @property
    def length(self) -> int:
        """Samples loaded (at :attr:`rate`)."""
        return self._length

    def set_sections(self, rows) -> None:
        """Automation rows ``(start_s, end_s, pan_deg, gain)`` in seconds (at most :data:`MAX_SECTIONS`)."""
        rows = list(rows)[:MAX_SECTIONS]
        for i, (a, b, pan, gain) in enumerate(rows):
            self.sections[i] = (a * self.rate, b * self.rate, pan, gain)
        self.n_sections = len(rows)

    def start(self) -> None:
        if self.position >= self.length:
            self.seek(self.loop[0] if self.loop_on else 0)
        self._fade_out = False
        self.playing = self.length > 0

    def pause(self) -> None:
        """Fade out over the next block, then stop."""
        if self.playing:
            self._fade_out = True

    def seek(self, sample: int) -> None:
        """Play from ``sample`` next (streamed material: the feeder is asked to start there)."""
        self.position = int(min(max(sample, 0), self.length))
        if self._ring is not None:
            self._ring.request = self.position

    # ---- audio thread ----------------------------------------------------------------
    def _targets(self) -> None:
        c = self.controls
        pan, gain = c[PAN], c[GAIN]
        if c[AUTOMATION] > 0.5 and self.n_sections:
            pos = self.position
            for i in range(self.n_sections):
                if self.sections[i, 0] <= pos < self.sections[i, 1]:
                    pan, gain = self.sections[i, 2], self.sections[i, 3]
                    break
        orig = 1.0 if c[ORIGINAL] > 0.5 else 0.0
        remix = (1.0 - orig) * c[MASTER]
        if self._fade_out:
            remix = orig = 0.0
        w_left, w_right = solo_weights(float(pan), float(gain), self.solo_level)
        solo = remix * c[SOLO_ON]
        self._target[0] = solo * w_left
        self._target[1] = solo * w_right
        self._target[2] = remix * c[ACC_ON]
        self._target[3] = orig * c[ORIG_GAIN] * c[MASTER]

    def _mix(self, out: np.ndarray, o: int, m: int, pos: int, data) -> None:
        solo, acc, mix = data[0], data[1], data[2]
        ramp = self._ramp[o:o + m]
        for j in range(4):
            w = self._w[j, :m]
            prev = float(self._prev[j])  # Python floats keep float32 arithmetic (no cast buffers)
            np.multiply(ramp, float(self._target[j]) - prev, out=w)
            w += prev
        tmp = self._tmp[:m]
        for ch in range(2):
            dst = out[o:o + m, ch]
            np.multiply(solo[pos:pos + m], self._w[ch, :m], out=tmp)
            dst[:] = tmp
            np.multiply(acc[pos:pos + m, ch], self._w[2, :m], out=tmp)
            dst += tmp
            np.multiply(mix[pos:pos + m, ch], self._w[3, :m], out=tmp)
            dst += tmp

    def _take(self, ring, pos: int, m: int) -> int:
        """How many of the ``m`` frames from ``pos`` the ring holds in one piece at ``ring.rd`` (0: none; then,
        when it holds other positions, the feeder is asked to start again at ``pos``)."""
        if ring.rd < ring.stale:
            ring.rd = ring.stale
        rd = ring.rd
        i = rd % ring.size
        m = min(m, ring.wr - rd, ring.size - i)
        tags = ring.tags
        if m > 0 and tags[i] == pos and tags[i + m - 1] == pos + m - 1:
            return m
        if m > 0 or tags[(rd - 1) % ring.size] != pos - 1:  # other positions, not just late ones
            ring.request = pos
        return 0

    def render(self, out: np.ndarray) -> None:
        """Fill ``out`` [shape=(frames, 2), dtype=float32] with the next block (silence when stopped)."""
        try:
            self._render(out)
        except Exception:  # never raise into PortAudio
            out.fill(0.0)
            self.playing = False

    def _render(self, out: np.ndarray) -> None:
        n = out.shape[0]
        data = self._data
        if not self.playing or n > MAX_BLOCK or n == 0:
            out.fill(0.0)
            self.levels[:] = 0.0
            self._prev[:] = 0.0
            return
        self._targets()
        np.multiply(self._base[:n], 1.0 / n, out=self._ramp[:n])
        self.last_position = self.position
        o = 0
        length = self._length
        ring = self._ring
        starved = False
        while o < n:
            pos = self.position
            looping = self.loop_on and self.loop[1] - self.loop[0] > 0 and pos < self.loop[1]
            end = self.loop[1] if looping else length
            m = min(n - o, end - pos)
            if m <= 0:
                out[o:].fill(0.0)
                self.playing = False
                break
            if ring is None:
                self._mix(out, o, m, pos, data)
            else:
                m = self._take(ring, pos, m)
                if m <= 0:  # underrun: silence, counted; stays here
                    out[o:].fill(0.0)
                    self.underruns += 1
                    starved = True
                    break
                self._mix(out, o, m, ring.rd % ring.size, self._ring_data)
                ring.rd += m
            self.position = pos + m
            o += m
            if looping and self.position >= self.loop[1]:
                self.position = self.loop[0]
        if self._fade_out:
            self.playing = False
            self._fade_out = False
        self._prev[:] = 0.0 if starved else self._target  # after a gap the sound fades in again
        self.last_target[:] = self._target
        np.abs(out, out=self._abs[:n])
        np.maximum.reduce(self._abs[:n], axis=0, out=self.levels)
        self.last_block[:n] = out
        self.last_frames = n
        self.blocks_rendered += 1
