"""The fundamental frequency of a mono signal, frame by frame: YIN (de Cheveigne and Kawahara, 2002).

A 2048-sample window at every ``hop`` samples, the difference function computed through the FFT for all frames
at once (each half-window transformed once: a window's spectrum is its halves'); a frame is voiced when the
cumulative-mean-normalised difference dips under :data:`THRESHOLD` within C2 .. B6 and the frame is not silent.
The separator's pitch labels (``training.pitch``) read the clean solo with it; the side chosen by pitch
(:mod:`core.signal.side_by_pitch`) and the mono comb (:mod:`core.signal.pitch_comb`) read the separated one.
"""

from __future__ import annotations

import numpy as np

#: Semitone classes (C2 .. B6) besides the unvoiced class 0.
N_PITCHES = 60
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


def f0_hz(x: np.ndarray, hop: int, n_frames: int, rate: int = 44100) -> np.ndarray:
    """Fundamental frequency of each frame of a mono excerpt (YIN, parabolic interpolation of its dip).

    Parameters
    ----------
    x : np.ndarray [shape=(n,), float]
        The solo excerpt (at least ``(n_frames - 1) hop + 2048`` samples; missing ones count as zeros).
    hop : int
        Samples between frames; it must divide half the window (1024).
    n_frames : int
    rate : int
        Sample rate in Hz.

    Returns
    -------
    np.ndarray [shape=(n_frames,), dtype=float64]
        Hz; 0 where the frame is unvoiced or silent.
    """
    if hop <= 0 or _HALF % hop:
        raise ValueError(f"YIN's hop must divide {_HALF} samples, not {hop}")
    step = _HALF // hop  # frame t's second half is the first half of frame t + step
    need = (n_frames - 1) * hop + WINDOW
    x = np.asarray(x, np.float64)
    if x.shape[0] < need:
        x = np.concatenate([x, np.zeros(need - x.shape[0])])
    # the first halves of the frames (and of the `step` after the last): each half's transform is taken once
    halves = x[:need].reshape(-1, _HALF) if step == 1 else np.lib.stride_tricks.sliding_window_view(
        x[:need], _HALF)[::hop]  # (T + step, HALF)
    lo, hi = _lag_range(rate)
    lags = hi + 1  # only the lags searched (and those before them, for the cumulative mean)
    # r(tau) = sum_j head_j x_{j+tau}: the cross-correlation of the first half with the whole window, circular over
    # the window's own length (j + tau < WINDOW for every lag searched: nothing wraps). The window's spectrum is its
    # first half's plus (-1)^k its second half's (a shift by half the window), so with H the first half's:
    # X conj(H) = |H|^2 + (-1)^k H_next conj(H)
    spectra = np.fft.rfft(halves, WINDOW)  # (T + step, WINDOW / 2 + 1)
    head, tail = spectra[:n_frames], spectra[step:step + n_frames]
    sign = np.ones(WINDOW // 2 + 1)
    sign[1::2] = -1.0
    r = np.fft.irfft(head.real ** 2 + head.imag ** 2 + sign * (tail * np.conj(head)), WINDOW)[:, :lags]
    sq = halves ** 2
    energy = np.sum(sq, axis=1)  # of each half
    cum_sq = np.zeros((halves.shape[0], lags))
    np.cumsum(sq[:, :lags - 1], axis=1, out=cum_sq[:, 1:])  # energy of a half's first tau samples
    e0 = energy[:n_frames]
    e_tau = e0[:, None] + cum_sq[step:step + n_frames] - cum_sq[:n_frames]  # energy of x[tau .. tau + HALF)
    d = np.maximum(e0[:, None] + e_tau - 2 * r, 0.0)  # (T, lags): difference function, d(0) = 0
    d[:, 0] = 0.0
    cum = np.cumsum(d[:, 1:], axis=1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * np.arange(1, lags) / np.maximum(cum, 1e-20)
    window = dn[:, lo:hi + 1]
    below = window < THRESHOLD
    # the first lag under the threshold, then down to the bottom of that dip
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    rms = np.sqrt((e0 + energy[step:step + n_frames]) / WINDOW)
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
