"""Streaming separation engine: separator DNN + generalised Wiener filter, chunk by chunk.

Signal flow of the paper (DESIGN.md §1): per-channel STFT, mid magnitude to the
separator, alpha-Wiener masks per channel for the stereo accompaniment. The solo is
the mid of the masked channels (``mean_c M_c X_c``), so that
``solo + mid(accompaniment) = mid(mixture)`` exactly; ``solo_mode='raw'`` instead uses
the network magnitude with the mid phase, as the authors' reference code did.

Frames are processed in blocks; each block's model input is extended by the model's
``context_frames`` on both sides, and overlap-add adds frames in ascending order, so
the result equals whole-signal processing while memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.signal.features import separator_input
from jazzremix_gui.core.models import SessionLike
from jazzremix_gui.core.signal.panlaw import pan_from_gains, solo_level
from jazzremix_gui.core.signal.stft import HALF, frame_centre, frame_count, frames_to_time, overlap_add, stft
from jazzremix_gui.core.signal.wiener import wiener_mask

#: Frames per processing block (about 12 s at hop 1024).
BLOCK_FRAMES = 512


@dataclass
class RecordedSolo:
    """How the solo sits in the recording, accumulated frame by frame while separating.

    Energies are sums of squared STFT magnitudes (only their ratios matter): ``e_left``,
    ``e_right`` of the masked channel solos ``M_c X_c``, ``e_mid`` of the mono solo estimate.
    """

    e_left: float = 0.0
    e_right: float = 0.0
    e_mid: float = 0.0
    e_mix: float = 0.0

    @property
    def share_db(self) -> float:
        """The solo's share of the recording's energy in dB (-inf for silence): how present the solo is."""
        if self.e_mix <= 1e-20 or self.e_left + self.e_right <= 1e-20:
            return float("-inf")
        return float(10 * np.log10((self.e_left + self.e_right) / self.e_mix))

    @property
    def level(self) -> float:
        """The solo level ``k`` of the gain convention (:func:`core.signal.panlaw.solo_level`)."""
        return solo_level(self.e_left, self.e_right, self.e_mid)

    @property
    def pan_deg(self) -> float:
        """The solo's recorded pan in degrees (0 when silent)."""
        if self.e_left + self.e_right <= 1e-20:
            return 0.0
        return pan_from_gains(np.sqrt(self.e_left), np.sqrt(self.e_right))


class SeparatorEngine:
    """Push stereo 44.1 kHz samples in, get solo (mono) and accompaniment (stereo) samples out.

    Parameters
    ----------
    model : SessionLike
        A separator (input: mid magnitude frames, output: solo magnitude frames).
    n_samples : int
        Total length of the signal at 44.1 kHz (needed to know the last frame).
    alpha : float, optional
        Wiener power; default: the model's ``wiener_alpha`` metadata (:data:`core.signal.wiener.ALPHA` when absent).
    solo_mode : {'masked', 'raw'}
    block_frames : int
        Frames per model call (memory bound; does not change the result).
    """

    def __init__(self, model: SessionLike, n_samples: int, alpha: float | None = None, solo_mode: str = "masked",
                 block_frames: int = BLOCK_FRAMES):
        alpha = model.meta.wiener_alpha if alpha is None else alpha
        self.model, self.n, self.alpha, self.solo_mode = model, n_samples, alpha, solo_mode
        self.hop = model.meta.hop
        self.ctx = model.meta.context_frames
        self.block = max(1, block_frames)
        self.n_frames = frame_count(n_samples, self.hop)
        self._in = np.zeros((0, 2), np.float32)
        self._in_off = 0  # global index of self._in[0]
        self._received = 0
        self._t = 0  # next frame to process
        self._out_off = 0  # global index of output buffers' first sample
        self._solo = np.zeros((0,), np.float32)
        self._acc = np.zeros((0, 2), np.float32)
        self.recorded = RecordedSolo()

    @property
    def fraction_done(self) -> float:
        return self._t / self.n_frames if self.n_frames else 1.0

    def push(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Add ``(m, 2)`` samples; returns finished ``(solo (k,), accompaniment (k, 2))`` samples."""
        self._in = np.concatenate([self._in, np.asarray(block, np.float32)])
        self._received += block.shape[0]
        return self._run(final=False)

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """Process what is left; returns the remaining samples up to ``n_samples``."""
        return self._run(final=True)

    def _available_frames(self, final: bool) -> int:
        """Frames ``< t`` whose model input (with context) is fully available."""
        if final or self._received >= self.n:
            return self.n_frames
        # frame t with context needs samples up to centre(t + ctx) + HALF
        last = (self._received - 1 - HALF - (frame_centre(0, self.hop))) // self.hop - self.ctx
        return int(max(0, min(self.n_frames, last + 1)))

    def _run(self, final: bool):
        ready = self._available_frames(final)
        solos, accs = [], []
        while self._t < ready and (ready - self._t >= self.block or final or self._received >= self.n):
            a = self._t
            b = min(a + self.block, ready)
            self._process(a, b)
            self._t = b
            s, c = self._emit(final=self._t >= self.n_frames)
            solos.append(s)
            accs.append(c)
        if not solos:
            return np.zeros((0,), np.float32), np.zeros((0, 2), np.float32)
        return np.concatenate(solos), np.concatenate(accs)

    def _process(self, a: int, b: int) -> None:
        lo, hi = max(0, a - self.ctx), min(self.n_frames, b + self.ctx)
        spec = stft(self._in, self.hop, lo, hi, offset=self._in_off)  # (F, 2, 2049)
        solo_mag = self.model.run(separator_input(spec))[a - lo : b - lo]
        spec = spec[a - lo : b - lo]
        mag = np.abs(spec)  # (T, 2, F)
        mask = wiener_mask(solo_mag, mag, self.alpha)  # (T, 2, F)
        solo_parts = mask * spec
        acc_spec = spec - solo_parts
        if self.solo_mode == "raw":
            mid = (spec[:, 0] + spec[:, 1]) * np.float32(0.5)
            solo_spec = solo_mag * np.exp(1j * np.angle(mid)).astype(np.complex64)
        else:
            solo_spec = (solo_parts[:, 0] + solo_parts[:, 1]) * np.float32(0.5)  # the mean of the channels, faster
        self._measure(mag, mask, solo_spec, spec, solo_parts)
        # grow output buffers to cover these frames, then overlap-add in frame order
        end = frame_centre(b - 1, self.hop) + HALF + 1 - self._out_off
        if end > self._solo.shape[0]:
            grow = end - self._solo.shape[0]
            self._solo = np.concatenate([self._solo, np.zeros(grow, np.float32)])
            self._acc = np.concatenate([self._acc, np.zeros((grow, 2), np.float32)])
        overlap_add(frames_to_time(solo_spec), self.hop, a, self._solo, self._out_off)
        overlap_add(frames_to_time(acc_spec), self.hop, a, self._acc, self._out_off)
        # input before the first frame still needed (next block's left context) can go
        keep_from = frame_centre(max(0, b - self.ctx), self.hop) - HALF
        drop = max(0, keep_from - self._in_off)
        if drop:
            self._in = self._in[drop:]
            self._in_off += drop

    def _measure(self, mag: np.ndarray, mask: np.ndarray, solo_spec: np.ndarray, spec: np.ndarray,
                 solo_parts: np.ndarray) -> None:
        """Add this block's energies: mixture ``|X_c|`` and mask ``M_c`` per channel ``(T, 2, F)``, mono solo ``(T, F)``.

        The masked channel solos ``M_c X_c`` have magnitude ``M_c |X_c|``. Squares are taken in
        float32 and summed in float64; where a float file's absurd samples (1e30) overflow a
        float32 square to inf, the block is measured again from ``spec`` and ``solo_parts``
        (complex, ``(T, 2, F)``) squared in float64.
        """
        def power64(x):
            return np.square(x.real, dtype=np.float64) + np.square(x.imag, dtype=np.float64)

        with np.errstate(over="ignore"):  # an overflow is caught below
            e_mix = float(np.sum(np.square(mag), dtype=np.float64))
            parts = mask * mag
            np.square(parts, out=parts)
            per_channel = parts.sum(axis=(0, 2), dtype=np.float64)
            flat = np.ascontiguousarray(solo_spec).view(np.float32)
            e_mid = float(np.sum(np.square(flat), dtype=np.float64))
        if not (np.isfinite(e_mix) and np.isfinite(per_channel).all() and np.isfinite(e_mid)):
            e_mix = float(power64(spec).sum())
            per_channel = power64(solo_parts).sum(axis=(0, 2))
            e_mid = float(power64(solo_spec).sum())
        self.recorded.e_mix += e_mix
        self.recorded.e_left += float(per_channel[0])
        self.recorded.e_right += float(per_channel[1])
        self.recorded.e_mid += e_mid

    def _emit(self, final: bool):
        """Hand out samples that no later frame touches, clipped to the signal range."""
        done = self.n if final else frame_centre(self._t, self.hop) - HALF
        k = max(0, min(done, self.n) - self._out_off)
        solo, acc = self._solo[:k], self._acc[:k]
        self._solo, self._acc = self._solo[k:], self._acc[k:]
        self._out_off += k
        return solo, acc
