"""Integrated loudness (ITU-R BS.1770, as pyloudnorm measures it) computed in short pieces.

pyloudnorm filters the whole signal in one ``lfilter`` call, which holds the GIL for
about a second on a long track and would stall the UI. Here the same K-weighting
filters (pyloudnorm's coefficients) run block by block with carried filter state, the
400 ms gating blocks (75 % overlap) are built from 100 ms energies, and ``cancel()`` is
checked between blocks. Both biquads run in one call of scipy's second-order-sections
filter (what ``scipy.signal.sosfilt`` calls: direct form II transposed per section, as
``lfilter``), loaded without importing ``scipy.signal`` (:mod:`core.scipy_parts`: 0.7 s of
``remix`` otherwise), on every channel at once and in place.
"""

from __future__ import annotations

import functools
import math
import queue
import threading

import numpy as np

from jazzremix_gui.core import scipy_parts

#: Samples filtered per step.
BLOCK = 32768
#: Lowest sample rate measured (Hz): below it the K-weighting's 1.7 kHz shelf sits at or near Nyquist and its
#: filters go unstable (2 kHz overflows, 100 Hz cannot even be designed).
MIN_RATE = 8000
#: BS.1770's gating block (s): a shorter signal has no loudness (``-inf``).
GATE_BLOCK_S = 0.4


#: BS.1770 K-weighting as pyloudnorm's ``Meter`` builds it (RBJ cookbook biquads, passband gain 1):
#: (gain dB, Q, corner Hz, shape) of the high shelf, then the high pass.
K_STAGES = ((4.0, 1 / math.sqrt(2), 1500.0, "high_shelf"), (0.0, 0.5, 38.0, "high_pass"))


@functools.lru_cache(maxsize=8)
def k_weighting(rate: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The two K-weighting biquads at ``rate``: pyloudnorm's coefficients, computed here without scipy.

    Returns
    -------
    tuple of (b, a)
        ``b``, ``a``: np.ndarray [shape=(3,), dtype=float64], normalised to ``a[0] = 1``.
    """
    stages = []
    for gain_db, q, fc, shape in K_STAGES:
        big_a = 10 ** (gain_db / 40.0)
        w0 = 2.0 * math.pi * fc / rate
        cos, alpha, root = math.cos(w0), math.sin(w0) / (2.0 * q), 2 * math.sqrt(big_a)
        if shape == "high_shelf":
            b = [big_a * ((big_a + 1) + (big_a - 1) * cos + root * alpha), -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
                 big_a * ((big_a + 1) + (big_a - 1) * cos - root * alpha)]
            a = [(big_a + 1) - (big_a - 1) * cos + root * alpha, 2 * ((big_a - 1) - (big_a + 1) * cos),
                 (big_a + 1) - (big_a - 1) * cos - root * alpha]
        else:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
            a = [1 + alpha, -2 * cos, 1 - alpha]
        stages.append((np.array(b) / a[0], np.array(a) / a[0]))
    return tuple(stages)


def k_weighting_power(freqs: np.ndarray, rate: int) -> np.ndarray:
    """Power response ``|H(f)|^2`` of the K-weighting (both stages) at ``freqs`` Hz, ``(len(freqs),)`` float64."""
    z = np.exp(-2j * np.pi * np.asarray(freqs, np.float64) / rate)
    power = np.ones(z.shape)
    for b, a in k_weighting(rate):
        power *= np.abs(np.polyval(b[::-1], z) / np.polyval(a[::-1], z)) ** 2
    return power


def sections_filter():
    """``f(sos, x, zi)``: filter ``x`` (n_signals, n) float64 in place through the second-order sections
    ``sos`` (n_sections, 6), carrying ``zi`` (n_signals, n_sections, 2) (scipy's ``_sosfilt``)."""
    ext = scipy_parts.extension("signal/_sosfilt*")
    if ext is not None:
        return ext._sosfilt
    from scipy.signal._sosfilt import _sosfilt  # another scipy layout: through scipy.signal

    return _sosfilt


class LoudnessMeter:
    """Integrated loudness of a signal pushed block by block (any block sizes; equal to the whole-signal figure).

    Parameters
    ----------
    rate : int
        Sample rate in Hz.
    channels : int
        1 or 2 (BS.1770 weights are 1 for L and R).

    Memory is one energy value per 100 ms: an hour is 36,000 floats.
    """

    def __init__(self, rate: int, channels: int):
        self.hop = int(round(0.1 * rate))
        self._filter = sections_filter()
        self._sos = np.array([[*b, *a] for b, a in k_weighting(rate)])  # (2, 6): b0 b1 b2 1 a1 a2 per stage
        self._state = np.zeros((channels, self._sos.shape[0], 2))  # (channels, stages, 2), carried
        self._energy: list[np.ndarray] = []  # channel-weighted energy per 100 ms
        self._carry = np.zeros(0)
        self.frames = 0

    def push(self, block: np.ndarray) -> None:
        """Add ``(m, channels)`` or ``(m,)`` samples."""
        block = np.asarray(block, np.float64)
        if block.shape[0] == 0:
            return
        block = block.reshape(len(block), -1)
        self.frames += block.shape[0]
        for start in range(0, block.shape[0], BLOCK):
            # (channels, m) float64, a copy (always: a one-channel or one-sample block's transpose is already
            # contiguous, and ascontiguousarray would hand the caller's samples to the in-place filter)
            y = np.array(block[start:start + BLOCK].T, np.float64, order="C")
            self._filter(self._sos, y, self._state)
            np.multiply(y, y, out=y)
            sq = np.concatenate([self._carry, y.sum(axis=0)])
            whole = (sq.shape[0] // self.hop) * self.hop
            self._energy.append(sq[:whole].reshape(-1, self.hop).sum(axis=1))
            self._carry = sq[whole:]

    def integrated(self) -> float:
        """Gated integrated loudness so far in LUFS (``-inf`` for silence or under 400 ms)."""
        hop = self.hop
        energy = np.concatenate(self._energy) if self._energy else np.zeros(0)
        if self.frames < 4 * hop or energy.size < 4:
            return float("-inf")
        blocks = np.convolve(energy, np.ones(4), mode="valid") / (4 * hop)  # 400 ms blocks, 100 ms step
        with np.errstate(divide="ignore"):
            loud = -0.691 + 10 * np.log10(blocks)
        gated = blocks[loud >= -70.0]
        if gated.size == 0:
            return float("-inf")
        rel = -0.691 + 10 * np.log10(gated.mean()) - 10.0
        final = blocks[(loud > rel) & (loud > -70.0)]
        return float(-0.691 + 10 * np.log10(final.mean())) if final.size else float("-inf")


class BackgroundMeter:
    """A :class:`LoudnessMeter` fed on a thread of its own, beside the caller's work.

    The K-weighting runs without the GIL, so a writer can measure what it writes (or a command
    a second file) on the other core. :meth:`push` hands a copy over (at most four blocks wait);
    :meth:`integrated` waits for the rest and returns the figure; :meth:`close` ends the thread
    without one (an aborted write). An error on the thread is raised by :meth:`integrated`.
    """

    def __init__(self, rate: int, channels: int):
        self._meter = LoudnessMeter(rate, channels)
        self._blocks: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="jazzremix-loudness")
        self._thread.start()

    def _run(self) -> None:
        while (block := self._blocks.get()) is not None:
            if self._error is None:
                try:
                    self._meter.push(block)
                except BaseException as exc:  # raised on the caller's thread by integrated()
                    self._error = exc

    def push(self, block: np.ndarray) -> None:
        """Add ``(m, channels)`` samples (copied: the caller may reuse its array)."""
        self._blocks.put(np.array(block, np.float32))

    def close(self) -> None:
        """End the thread (idempotent)."""
        if self._thread.is_alive():
            self._blocks.put(None)
            self._thread.join()

    def integrated(self) -> float:
        """Gated integrated loudness of everything pushed, in LUFS (waits for the thread)."""
        self.close()
        if self._error is not None:
            raise self._error
        return self._meter.integrated()


def integrated_loudness(x, rate: int, cancel=None) -> float:
    """Gated integrated loudness in LUFS (``-inf`` for silence or signals shorter than 400 ms).

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)], or an iterable of such blocks
        The signal, whole or block by block (a long one read in pieces).
    rate : int
        Sample rate in Hz.
    cancel : callable, optional
        Checked between blocks; ``-inf`` when it returns True.
    """
    blocks = (x[i:i + BLOCK] for i in range(0, x.shape[0], BLOCK)) if isinstance(x, np.ndarray) else x
    meter = LoudnessMeter(rate, 1 if x.ndim == 1 else x.shape[1]) if isinstance(x, np.ndarray) else None
    for block in blocks:
        if cancel is not None and cancel():
            return float("-inf")
        if meter is None:
            meter = LoudnessMeter(rate, 1 if block.ndim == 1 else block.shape[1])
        meter.push(block)
    return meter.integrated() if meter is not None else float("-inf")


def as_played(block: np.ndarray) -> np.ndarray:
    """A file's ``(m, c)`` block as it plays on two speakers: a mono file on both (:func:`file_loudness`)."""
    return np.repeat(block, 2, axis=1) if block.shape[1] == 1 else block


def file_loudness(path, block: int = 65536, cancel=None) -> float:
    """Integrated loudness of an audio file as it plays on two speakers, in LUFS, read block by block.

    A mono file is measured on both channels (as it plays, and as its remix at pan 0 and gain 1 is
    written): 3 dB above BS.1770's one-channel figure. More than 2 channels: the stereo downmix.
    ``cancel()`` is checked between blocks (``-inf`` when it returns True).
    """
    from jazzremix_gui.core.audio import audio_io

    meter = None
    for part in audio_io.read_blocks(path, block):
        if cancel is not None and cancel():
            return float("-inf")
        part = np.asarray(part, np.float32).reshape(len(part), -1)
        meter = meter or LoudnessMeter(audio_io.probe(path).rate, 2)  # probe: the command has warned already
        meter.push(as_played(part))
    return meter.integrated() if meter is not None else float("-inf")
