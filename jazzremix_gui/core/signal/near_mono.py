"""Mono records transferred in stereo (diagnostic r35, rule r35, docs/SEPARATOR_V3.md): blocks separated as mono.

A mono record played with a stereo cartridge, or copied to two tape tracks, gives two channels that are not
bit-identical (one a little louder or later, each with its own hiss) but hold one signal. The pan-aware step has no
side to read there, yet only bit-identical channels used to count as mono, so such a transfer missed the mono
separation's pitch comb (:mod:`core.signal.pitch_comb`). A block counts as mono when its channels'
**decorrelation**, one minus their energy-weighted magnitude-squared coherence over the block's bins,

    D = 1 - sum_f |sum_t L_tf conj(R_tf)|^2 / sum_f (sum_t |L_tf|^2) (sum_t |R_tf|^2),

lies under :data:`LIMIT_DB`. D ignores a level difference and a short delay between the channels (both act within a
bin); what raises it is what differs between them: other parts placed elsewhere, or independent noise. Measured
(6 s blocks): such transfers -31 dB (hiss 20 dB under the music) to -64 dB; stereo recordings -30.5 dB at the
lowest (the validation sets; the real segments -29.5 dB), most above -17 dB.
"""

from __future__ import annotations

import numpy as np

#: Blocks whose decorrelation lies under this (dB) are separated as mono (rule r35).
LIMIT_DB = -40.0
#: The decorrelation is read on every this many frames of a block (the same figure within a few tenths of a dB).
FRAME_STEP = 4
#: A block with fewer frames read than this is too short to tell (coherence over few frames reads high): it takes
#: the previous block's answer, or, the first, bit-identical channels only.
MIN_READ = 16


def decorrelation_db(spec: np.ndarray, step: int = FRAME_STEP) -> float:
    """One minus the energy-weighted magnitude-squared coherence of the two channels of ``spec`` [shape=(T, 2, F),
    complex], read on every ``step``-th frame, in dB (-inf: the channels proportional; 0: unrelated; NaN: silent)."""
    left, right = spec[::step, 0], spec[::step, 1]
    sll = np.einsum("tf,tf->f", left.real, left.real) + np.einsum("tf,tf->f", left.imag, left.imag)
    srr = np.einsum("tf,tf->f", right.real, right.real) + np.einsum("tf,tf->f", right.imag, right.imag)
    slr = np.einsum("tf,tf->f", left, np.conj(right))
    den = float(np.dot(sll.astype(np.float64), srr.astype(np.float64)))
    if den <= 0:
        return float("nan")
    coherent = float(np.sum(np.abs(slr).astype(np.float64) ** 2)) / den
    return float(10 * np.log10(max(1.0 - coherent, 1e-30)))


class MonoBlocks:
    """Which blocks of one recording are separated as mono: bit-identical channels, or a decorrelation under
    :data:`LIMIT_DB`. Call it on each block's STFT ``(T, 2, F)`` in order."""

    def __init__(self):
        self._previous: bool | None = None

    def __call__(self, spec: np.ndarray) -> bool:
        if np.array_equal(spec[:1, 0], spec[:1, 1]) and np.array_equal(spec[:, 0], spec[:, 1]):
            mono = True
        elif -(-spec.shape[0] // FRAME_STEP) < MIN_READ:
            mono = bool(self._previous)
        else:
            d = decorrelation_db(spec)
            mono = bool(self._previous) if np.isnan(d) else bool(d < LIMIT_DB)
        self._previous = mono
        return mono
