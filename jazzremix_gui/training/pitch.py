"""Pitch labels of a solo excerpt, frame by frame: the target of a separator's pitch head (separator v3, #21).

The synthesiser writes each track's solo alone (``solo.wav``), so its pitch can be read from the
clean signal: YIN (:mod:`core.signal.pitch`) on a 2048-sample window at each of the
sampler's STFT frames (frame ``k`` spans samples ``k hop .. k hop + 2048`` of the excerpt, the
frames :func:`core.signal.stft.stft` makes of it), with the difference function computed through
the FFT for all frames at once. A frame is voiced when the cumulative-mean-normalised difference
dips under :data:`THRESHOLD` within the solo instruments' range and the frame is not silent.

Labels: 0 = unvoiced, ``1 .. N_PITCHES`` = the semitone nearest the F0, from :data:`LOWEST_HZ` (C2).
Teaching the network *what the solo is* (its pitch) beside *what it sounds like* (its magnitude)
is the pitch-informed line of #21: the paper's own training targets came from pitch-informed separation.
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.core.signal.pitch import LOWEST_HZ, N_PITCHES, f0_hz

#: Pitch classes: the unvoiced class 0 and the semitones C2 .. B6.
N_CLASSES = N_PITCHES + 1


def f0_labels(x: np.ndarray, hop: int, n_frames: int, rate: int = 44100) -> np.ndarray:
    """Pitch class of each frame of a mono excerpt (:func:`f0_hz`, whose parameters it takes, to the nearest
    semitone).

    Returns
    -------
    np.ndarray [shape=(n_frames,), dtype=int64]
        0 (unvoiced) or ``1 .. N_PITCHES``.
    """
    hz = f0_hz(x, hop, n_frames, rate)
    semitone = np.rint(12 * np.log2(np.where(hz > 0, hz, LOWEST_HZ) / LOWEST_HZ)).astype(np.int64)
    ok = (hz > 0) & (semitone >= 0) & (semitone < N_PITCHES)
    return np.where(ok, semitone + 1, 0).astype(np.int64)


#: Relative width (of the frequency) of each harmonic's bump in :func:`harmonic_combs`: a third of a semitone's 6 %.
COMB_REL_WIDTH = 0.02
#: Harmonics above this frequency (Hz) are left out of :func:`harmonic_combs`.
COMB_TOP_HZ = 16000.0


def harmonic_combs(n_bins: int = 2049, rate: int = 44100) -> np.ndarray:
    """Where each pitch class's partials lie in an STFT frame: one harmonic comb per class.

    Class ``c >= 1`` has F0 ``LOWEST_HZ 2^((c - 1) / 12)``; its row is the largest, over harmonics
    ``k f0 <= COMB_TOP_HZ``, of Gaussian bumps centred on bin ``k f0 / (rate / n_fft)`` with a standard deviation
    of ``sqrt(1.5^2 + (COMB_REL_WIDTH k f0 / bin width)^2)`` bins (the analysis window's main lobe, then the
    class's own width of a third of a semitone). Class 0 (unvoiced) has no partials: zeros.

    Parameters
    ----------
    n_bins : int
        Bins of a frame (``n_fft / 2 + 1``).
    rate : int
        Sample rate in Hz.

    Returns
    -------
    np.ndarray [shape=(N_CLASSES, n_bins), dtype=float32]
        Values in [0, 1].
    """
    bin_hz = rate / (2 * (n_bins - 1))
    bins = np.arange(n_bins, dtype=np.float64)
    out = np.zeros((N_CLASSES, n_bins), np.float32)
    for c in range(1, N_CLASSES):
        f0 = LOWEST_HZ * 2 ** ((c - 1) / 12)
        centres = np.arange(1, int(min(COMB_TOP_HZ, rate / 2) / f0) + 1) * f0 / bin_hz
        sigma = np.sqrt(1.5 ** 2 + (COMB_REL_WIDTH * centres) ** 2)
        # each bin's nearest harmonics decide its value; only those within 5 sigma are evaluated
        bump = np.zeros(n_bins)
        for centre, s in zip(centres, sigma):
            lo, hi = max(0, int(centre - 5 * s)), min(n_bins, int(centre + 5 * s) + 2)
            np.maximum(bump[lo:hi], np.exp(-0.5 * ((bins[lo:hi] - centre) / s) ** 2), out=bump[lo:hi])
        out[c] = bump
    return out
