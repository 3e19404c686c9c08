"""Pitch labels of a solo excerpt, frame by frame: the target of a separator's pitch head (separator v3, #21).

The synthesiser writes each track's solo alone (``solo.wav``), so its pitch can be read from the
clean signal: YIN (de Cheveigné and Kawahara, 2002) on a 2048-sample window at each of the
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

#: Semitone classes (C2 .. B6) besides the unvoiced class 0.
N_PITCHES = 60
N_CLASSES = N_PITCHES + 1
#: Lowest pitch class (Hz): C2.
LOWEST_HZ = 65.406
#: YIN's threshold on the cumulative-mean-normalised difference.
THRESHOLD = 0.15
#: Window (samples at 44.1 kHz) and the largest lag searched (half of it).
WINDOW = 2048
_HALF = WINDOW // 2
#: Frames quieter than this RMS (linear) are unvoiced.
SILENT_RMS = 1e-4


def _lag_range(rate: int) -> tuple[int, int]:
    top = LOWEST_HZ * 2 ** ((N_PITCHES - 0.5) / 12)
    return max(2, int(rate / top)), min(_HALF - 1, int(np.ceil(rate / (LOWEST_HZ * 2 ** (-0.5 / 12)))))


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


def f0_hz(x: np.ndarray, hop: int, n_frames: int, rate: int = 44100) -> np.ndarray:
    """Fundamental frequency of each frame of a mono excerpt (YIN, parabolic interpolation of its dip).

    Parameters
    ----------
    x : np.ndarray [shape=(n,), float]
        The solo excerpt (at least ``(n_frames - 1) hop + 2048`` samples; missing ones count as zeros).
    hop : int
    n_frames : int
    rate : int
        Sample rate in Hz.

    Returns
    -------
    np.ndarray [shape=(n_frames,), dtype=float64]
        Hz; 0 where the frame is unvoiced or silent.
    """
    need = (n_frames - 1) * hop + WINDOW
    x = np.asarray(x, np.float64)
    if x.shape[0] < need:
        x = np.concatenate([x, np.zeros(need - x.shape[0])])
    frames = np.lib.stride_tricks.sliding_window_view(x[:need], WINDOW)[::hop][:n_frames]  # (T, W)
    head = frames[:, :_HALF]
    # r(tau) = sum_j head_j x_{j+tau}: the cross-correlation of the first half with the whole window
    n_fft = 2 * WINDOW
    spec = np.fft.rfft(frames, n_fft) * np.conj(np.fft.rfft(head, n_fft))
    r = np.fft.irfft(spec, n_fft)[:, :_HALF]
    sq = np.concatenate([np.zeros((frames.shape[0], 1)), np.cumsum(frames ** 2, axis=1)], axis=1)
    e0 = sq[:, _HALF]
    e_tau = sq[:, _HALF:_HALF + _HALF] - sq[:, :_HALF]  # energy of x[tau .. tau + HALF)
    d = np.maximum(e0[:, None] + e_tau - 2 * r, 0.0)  # (T, HALF): difference function, d(0) = 0
    d[:, 0] = 0.0
    cum = np.cumsum(d[:, 1:], axis=1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * np.arange(1, _HALF) / np.maximum(cum, 1e-20)
    lo, hi = _lag_range(rate)
    window = dn[:, lo:hi + 1]
    below = window < THRESHOLD
    # the first lag under the threshold, then down to the bottom of that dip
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    voiced = (first >= 0) & (rms > SILENT_RMS)
    # the bottom of the dip: the first lag from `first` on whose next value is not lower
    cols = np.arange(window.shape[1])
    rising = np.ones_like(below)
    rising[:, :-1] = window[:, 1:] >= window[:, :-1]
    k = np.argmax(rising & (cols >= first[:, None]), axis=1)
    rows = np.arange(window.shape[0])
    tau = (lo + k).astype(np.float64)
    inner = (k > 0) & (k < window.shape[1] - 1)  # parabolic interpolation of the dip
    a = window[rows, np.maximum(k - 1, 0)]
    b = window[rows, k]
    c = window[rows, np.minimum(k + 1, window.shape[1] - 1)]
    den = a - 2 * b + c
    shift = np.where(inner & (den > 0), 0.5 * (a - c) / np.where(den > 0, den, 1.0), 0.0)
    tau += shift
    return np.where(voiced, rate / tau, 0.0)


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
