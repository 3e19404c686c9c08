"""Mono records transferred in stereo (diagnostic r35, rule r35, docs/SEPARATOR_V3.md): blocks separated as mono.

A mono record played with a stereo cartridge, or copied to two tape tracks, gives two channels that are not
bit-identical (one a little louder or later, each with its own hiss) but hold one signal. The pan-aware step has no
side to read there, yet only bit-identical channels used to count as mono, so such a transfer missed the mono
separation's pitch comb (:mod:`core.signal.pitch_comb`). A block counts as mono when its channels'
**decorrelation**, one minus their energy-weighted magnitude-squared coherence over the block's bins,

    D = 1 - sum_f |sum_t L_tf conj(R_tf)|^2 / sum_f (sum_t |L_tf|^2) (sum_t |R_tf|^2),

lies under :data:`LIMIT_DB`, and its **incoherent share**, the same with each bin weighted by its energy
(``sqrt(sum_t |L_tf|^2 sum_t |R_tf|^2)``) instead of its energy squared, under :data:`INCOHERENT_DB`. D ignores a
level difference, a short delay and a difference of the channels' frequency responses (all act within a bin); what
raises it is what differs between the channels: parts that overlap in a bin from different places, or independent
noise. Weighing each bin by its energy squared lets the music's loud bins decide, so a transfer with its hiss 30-35
dB under the music still reads under the limit; the incoherent share is what keeps one loud tone over independent
noise (a stereo recording) from passing on its tone alone. Measured on 6 s blocks (docs/SEPARATOR_V3.md, "Mono
records transferred in stereo"): transfers with hiss 35-50 dB under the music D -43 to -64 dB, incoherent share
-28 dB and under; stereo recordings (the validation sets, the real segments) D -31 dB at the lowest.
"""

from __future__ import annotations

import numpy as np

#: Blocks whose decorrelation lies under this (dB) are separated as mono (rule r35) ...
LIMIT_DB = -40.0
#: ... when the share of their energy that is incoherent lies under this (dB).
INCOHERENT_DB = -20.0
#: After a block taken as mono, the next stays mono while its decorrelation and incoherent share lie under these
#: (dB): a noisy transfer reading near the limit is separated one way throughout, not block by block both ways
#: (every stereo block measured reads -31 dB and over, so none stays).
STAY_DB, STAY_INCOHERENT_DB = -34.0, -15.0
#: The decorrelation is read on every this many frames of a block (the same figure within a few tenths of a dB).
FRAME_STEP = 4
#: A block with fewer frames read than this is too short to tell (coherence over few frames reads high): it takes
#: the previous block's answer, or, the first, bit-identical channels only.
MIN_READ = 16


def _sums(spec: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin over every ``step``-th frame of ``spec`` (T, 2, F): ``sum |L|^2``, ``sum |R|^2`` (float64) and
    ``|sum L conj(R)|`` (float64)."""
    left, right = spec[::step, 0], spec[::step, 1]
    sll = np.einsum("tf,tf->f", left.real, left.real) + np.einsum("tf,tf->f", left.imag, left.imag)
    srr = np.einsum("tf,tf->f", right.real, right.real) + np.einsum("tf,tf->f", right.imag, right.imag)
    slr = np.abs(np.einsum("tf,tf->f", left, np.conj(right)))
    return sll.astype(np.float64), srr.astype(np.float64), slr.astype(np.float64)


def decorrelation_db(spec: np.ndarray, step: int = FRAME_STEP) -> float:
    """One minus the energy-weighted magnitude-squared coherence of the two channels of ``spec`` [shape=(T, 2, F),
    complex], read on every ``step``-th frame, in dB (-inf: the channels proportional; 0: unrelated; NaN: silent)."""
    sll, srr, slr = _sums(spec, step)
    den = float(np.dot(sll, srr))
    if den <= 0:
        return float("nan")
    return float(10 * np.log10(max(1.0 - float(np.dot(slr, slr)) / den, 1e-30)))


def incoherent_share_db(spec: np.ndarray, step: int = FRAME_STEP) -> float:
    """The share of the block's energy that is incoherent between its channels: ``1 - coherence`` per bin, weighted
    by ``sqrt(sum |L|^2 sum |R|^2)``, in dB (NaN: silent)."""
    sll, srr, slr = _sums(spec, step)
    ok = (sll > 0) & (srr > 0)
    if not ok.any():
        return float("nan")
    w = np.sqrt(sll[ok] * srr[ok])
    coherent = float(np.sum(slr[ok] ** 2 / w)) / float(w.sum())
    return float(10 * np.log10(max(1.0 - coherent, 1e-30)))


def mono_throughout(mono_s: float, seconds: float) -> bool:
    """Whether a separation whose mono blocks lasted ``mono_s`` seconds took all of a ``seconds``-long recording as
    mono (within a second: the blocks' frames against the samples): no side anywhere to give."""
    return mono_s > 0 and mono_s >= seconds - 1.0


class MonoBlocks:
    """Which blocks of one recording are separated as mono: bit-identical channels, or a decorrelation under
    :data:`LIMIT_DB` with an incoherent share under :data:`INCOHERENT_DB` (after a mono block, :data:`STAY_DB` and
    :data:`STAY_INCOHERENT_DB`). Call it on each block's STFT ``(T, 2, F)`` in order."""

    def __init__(self):
        self._previous: bool | None = None
        #: Whether the last block's channels were the same, bit for bit (mono, and not a transfer).
        self.same = False

    def __call__(self, spec: np.ndarray) -> bool:
        self.same = bool(np.array_equal(spec[:1, 0], spec[:1, 1]) and np.array_equal(spec[:, 0], spec[:, 1]))
        if self.same:
            mono = True
        elif -(-spec.shape[0] // FRAME_STEP) < MIN_READ:
            mono = bool(self._previous)
        else:
            d = decorrelation_db(spec)
            if np.isnan(d):
                mono = bool(self._previous)
            else:
                limit, incoherent = (STAY_DB, STAY_INCOHERENT_DB) if self._previous else (LIMIT_DB, INCOHERENT_DB)
                mono = bool(d < limit) and incoherent_share_db(spec) < incoherent  # the share only when it counts
        self._previous = mono
        return mono
