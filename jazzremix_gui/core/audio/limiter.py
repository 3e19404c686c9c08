"""True-peak measurement and a transparent look-ahead peak limiter, both streaming.

True peak (ITU-R BS.1770-4 annex 2 style): the signal is oversampled 4x
(``scipy.signal.resample_poly``, Kaiser-windowed polyphase FIR) and the largest
magnitude of each input sample's interval, over all channels, is taken. Blocks are
processed with :data:`MARGIN` samples of context on each side, so block-wise results
equal whole-signal results, with a delay of ``MARGIN`` samples.

The limiter computes, per sample, the gain that keeps the true peak at the ceiling,
holds its minimum over a window, and smooths it with two box filters of the attack
length. The audio is delayed by the look-ahead, so the gain is already down when a
peak arrives (a smooth S-shaped 2 x 5 ms fade, never a step) and recovers the same way
after a 20 ms hold; only the overs and their immediate surroundings are touched.
Memory is bounded by the block size; everything is vectorised numpy/scipy.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d
from scipy.signal import resample_poly

#: Oversampling factor of the true-peak estimate.
OVERSAMPLE = 4
#: Context samples on each side of a block (the FIR's half-length is 10 input samples).
MARGIN = 16


def db_to_lin(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def lin_to_db(x: float) -> float:
    return float(20.0 * np.log10(max(float(x), 1e-12)))


def _tp_of(ext: np.ndarray) -> np.ndarray:
    """Per-sample true peak of ``ext[MARGIN:-MARGIN]``: ``ext`` (m + 2 MARGIN, c) -> (m,)."""
    y = resample_poly(ext.astype(np.float64, copy=False), OVERSAMPLE, 1, axis=0)
    y = np.abs(y[OVERSAMPLE * MARGIN: y.shape[0] - OVERSAMPLE * MARGIN]).max(axis=1)
    return y.reshape(-1, OVERSAMPLE).max(axis=1)


class TruePeakTracker:
    """Stream of ``(samples, true_peak)`` pairs, ``MARGIN`` samples behind the input.

    :meth:`push` a ``(m, c)`` block, get back the ``(k, c)`` samples now complete and
    their ``(k,)`` true peaks; :meth:`finish` returns the rest (silence after the end).
    """

    def __init__(self, channels: int):
        self.buf = np.zeros((MARGIN, channels), np.float32)  # MARGIN samples of past, then the pending ones

    def push(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ext = np.concatenate([self.buf, np.asarray(block, np.float32).reshape(len(block), self.buf.shape[1])])
        if ext.shape[0] <= 2 * MARGIN:
            self.buf = ext
            return ext[:0], np.zeros(0)
        self.buf = ext[-2 * MARGIN:]
        return ext[MARGIN:-MARGIN], _tp_of(ext)

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        ext = np.concatenate([self.buf, np.zeros((MARGIN, self.buf.shape[1]), np.float32)])
        return ext[MARGIN:-MARGIN], _tp_of(ext)


def _trailing(ctx: np.ndarray, new: np.ndarray, size: int, op: str) -> tuple[np.ndarray, np.ndarray]:
    """Trailing min or mean over ``size`` samples of ``new`` given the ``size - 1`` values before it."""
    ext = np.concatenate([ctx, new])
    if op == "min":
        out = minimum_filter1d(ext, size, origin=(size - 1) // 2, mode="nearest")[size - 1:]
    else:
        c = np.concatenate([[0.0], np.cumsum(ext, dtype=np.float64)])
        out = (c[size:] - c[:-size]) / size
    return out, ext[ext.shape[0] - (size - 1):]


class LookaheadLimiter:
    """Streaming true-peak limiter; output blocks add up to exactly the input's length.

    Parameters
    ----------
    rate : int
        Sample rate in Hz.
    channels : int
    ceiling_db : float
        Highest true peak let through, dBTP.
    attack_s, hold_s : float
        Length of each of the two smoothing boxes, and the extra hold before recovery.
    """

    def __init__(self, rate: int, channels: int, ceiling_db: float = -1.0, attack_s: float = 0.005,
                 hold_s: float = 0.02):
        self.w = max(1, int(round(attack_s * rate)))
        self.h = 2 * self.w - 1 + 2 * int(round(hold_s * rate / 2))  # odd, >= 2w - 1: covers both boxes
        # the 4x estimate is within ~0.1 dB of the analogue peak; aim a hair lower so the ceiling holds
        self.ceiling = db_to_lin(ceiling_db - 0.05)
        self.tracker = TruePeakTracker(channels)
        self.delay = 2 * self.w - 2
        self._hctx = np.ones(self.h - 1)
        self._s1ctx = np.ones(self.w - 1)
        self._s2ctx = np.ones(self.w - 1)
        self._audio = np.zeros((self.delay, channels), np.float32)
        self._skip = self.delay
        self.n_in = self.n_out = 0
        self.limited = 0  # frames whose gain was below 1
        self.peak = 0.0  # largest input true peak seen (linear)
        self.min_gain = 1.0

    def _gain_stage(self, x: np.ndarray, tp: np.ndarray) -> np.ndarray:
        if tp.size:
            self.peak = max(self.peak, float(tp.max()))
        need = np.minimum(1.0, self.ceiling / np.maximum(tp, 1e-12))
        held, self._hctx = _trailing(self._hctx, need, self.h, "min")
        s1, self._s1ctx = _trailing(self._s1ctx, held, self.w, "mean")
        gain, self._s2ctx = _trailing(self._s2ctx, s1, self.w, "mean")
        audio = np.concatenate([self._audio, x])
        out, self._audio = audio[: x.shape[0]], audio[x.shape[0]:]
        gain = np.minimum(gain, 1.0)
        y = (out * gain[:, None]).astype(np.float32)
        if self._skip:
            k = min(self._skip, y.shape[0])
            y, gain, self._skip = y[k:], gain[k:], self._skip - k
        live = gain < 1.0 - 1e-6
        self.limited += int(np.count_nonzero(live))
        if live.any():
            self.min_gain = min(self.min_gain, float(gain.min()))
        return y

    def push(self, block: np.ndarray) -> np.ndarray:
        """Limit one ``(m, c)`` block; returns the ``(k, c)`` samples now ready (the look-ahead holds the rest)."""
        block = np.asarray(block, np.float32).reshape(len(block), self.tracker.buf.shape[1])
        self.n_in += block.shape[0]
        x, tp = self.tracker.push(block)
        return self._emit(self._gain_stage(x, tp))

    def finish(self) -> np.ndarray:
        """The remaining samples, so that the total output length equals the input's."""
        x, tp = self.tracker.finish()
        y = [self._gain_stage(x, tp)]
        pad = np.zeros((self.delay, x.shape[1]), np.float32)
        y.append(self._gain_stage(pad, np.zeros(self.delay)))
        return self._emit(np.concatenate(y))

    def _emit(self, y: np.ndarray) -> np.ndarray:
        y = y[: max(0, self.n_in - self.n_out)]
        self.n_out += y.shape[0]
        return y
