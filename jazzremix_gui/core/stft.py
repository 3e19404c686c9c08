"""Short-time Fourier transform of the paper (DESIGN.md §1.1).

Symmetric Bartlett window of 2049 samples normalised to sum 1, zero-phase windowing
(the window centre sits at FFT index 0), N = 4096, and plain overlap-add synthesis that
reconstructs exactly. Frame ``t`` is centred on sample ``t * hop + first_centre(hop)`` (sample 0 for
hop 1024, sample -512 for hop 512), so every signal sample gets the full overlap-add
weight; samples outside the signal are zeros, so frames can be computed for any global index range and chunked
processing gives the same frames as whole-signal processing.
"""

from __future__ import annotations

import functools

import numpy as np

from jazzremix_gui.core.constants import N_FFT, WIN_LEN

HALF = WIN_LEN // 2  # 1024: samples each side of a frame centre


@functools.lru_cache(maxsize=None)
def bartlett_window() -> np.ndarray:
    """Analysis window.

    Returns
    -------
    np.ndarray [shape=(2049,), dtype=float64]
        Symmetric Bartlett window normalised so that it sums to 1.
    """
    w = np.bartlett(WIN_LEN)
    w = w / w.sum()
    w.setflags(write=False)
    return w


def first_centre(hop: int) -> int:
    """Sample index of the centre of frame 0 (``hop - 1024``; 0 for the paper's hop)."""
    if not 0 < hop <= HALF:
        raise ValueError(f"hop must be between 1 and {HALF} samples, got {hop}")
    return hop - HALF


def frame_centre(t: int, hop: int) -> int:
    """Global sample index of the centre of frame ``t``."""
    return t * hop + first_centre(hop)


def frame_count(n_samples: int, hop: int) -> int:
    """Number of frames whose window reaches into a signal of ``n_samples`` samples.

    Every sample ``n`` gets contributions from all frames with ``|n - centre| < 1024``,
    so overlap-add reconstructs every sample exactly.
    """
    if n_samples <= 0:
        return 0
    return int((n_samples - 2 + HALF - first_centre(hop)) // hop + 1)


def _frame_indices(hop: int, t0: int, t1: int) -> np.ndarray:
    """Sample positions (relative to the signal start) of frames ``t0 .. t1-1``, shape (T, 2049)."""
    centres = np.arange(t0, t1) * hop + first_centre(hop)
    return centres[:, None] + np.arange(-HALF, HALF + 1)[None, :]


def stft(x: np.ndarray, hop: int, t0: int = 0, t1: int | None = None, offset: int = 0) -> np.ndarray:
    """Spectra of frames ``t0 .. t1-1`` of a signal.

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)]
        Signal, or a slice of it that starts at global sample ``offset``.
    hop : int
        Hop size in samples (1024 in the paper, 512 in the reference code).
    t0, t1 : int
        Global frame range; ``t1`` defaults to ``frame_count(offset + len(x), hop)``.
    offset : int
        Global index of ``x[0]``; samples outside ``x`` count as zeros.

    Returns
    -------
    np.ndarray [shape=(T, 2049) or (T, c, 2049), dtype=complex64]
    """
    x = np.asarray(x, dtype=np.float32)
    if t1 is None:
        t1 = frame_count(offset + x.shape[0], hop)
    idx = _frame_indices(hop, t0, t1) - offset  # (T, 2049)
    valid = (idx >= 0) & (idx < x.shape[0])
    frames = x[np.clip(idx, 0, max(x.shape[0] - 1, 0))] if x.shape[0] else np.zeros(idx.shape + x.shape[1:], np.float32)
    w = bartlett_window().astype(np.float32)
    if x.ndim == 2:
        frames = np.where(valid[..., None], frames, 0.0) * w[None, :, None]
        frames = np.moveaxis(frames, 2, 1)  # (T, c, 2049)
    else:
        frames = np.where(valid, frames, 0.0) * w[None, :]
    buf = np.zeros(frames.shape[:-1] + (N_FFT,), np.float32)
    # zero-phase: centre sample to index 0, left half wraps to the end of the buffer
    buf[..., : HALF + 1] = frames[..., HALF:]
    buf[..., N_FFT - HALF :] = frames[..., :HALF]
    return np.fft.rfft(buf, axis=-1).astype(np.complex64)


def ola_gain(hop: int) -> float:
    """Constant sum of the shifted analysis windows, sum_t w(n - t hop) (equal to 1 / hop)."""
    w = bartlett_window()
    if WIN_LEN % hop not in (0, 1) and hop > HALF:
        raise ValueError(f"hop {hop} does not give perfect reconstruction with a {WIN_LEN}-sample Bartlett window")
    total = np.zeros(hop)
    for start in range(0, WIN_LEN, hop):
        seg = w[start : start + hop]
        total[: len(seg)] += seg
    if not np.allclose(total, total[0], rtol=1e-9, atol=1e-12):
        raise ValueError(f"hop {hop} does not give perfect reconstruction with a {WIN_LEN}-sample Bartlett window")
    return float(total[0])


def frames_to_time(spec: np.ndarray) -> np.ndarray:
    """Inverse FFT of frames back to windowed, centred time segments.

    Parameters
    ----------
    spec : np.ndarray [shape=(..., 2049), dtype=complex]

    Returns
    -------
    np.ndarray [shape=(..., 2049), dtype=float32]
        Segment ``k`` holds sample ``centre - 1024 + k``.
    """
    buf = np.fft.irfft(spec, n=N_FFT, axis=-1).astype(np.float32)
    return np.concatenate([buf[..., N_FFT - HALF :], buf[..., : HALF + 1]], axis=-1)


def overlap_add(segments: np.ndarray, hop: int, t0: int, out: np.ndarray, out_offset: int) -> None:
    """Add windowed segments of frames ``t0 ..`` into ``out`` (in place, frames in ascending order).

    Parameters
    ----------
    segments : np.ndarray [shape=(T, 2049) or (T, c, 2049)]
    out : np.ndarray [shape=(m,) or (m, c)]
        Output buffer whose index 0 is global sample ``out_offset``. Contributions that
        fall outside it are dropped.
    """
    scale = np.float32(1.0 / ola_gain(hop))
    for k in range(segments.shape[0]):
        start = frame_centre(t0 + k, hop) - HALF - out_offset
        seg = segments[k]
        if seg.ndim == 2:
            seg = seg.T  # (2049, c)
        lo, hi = max(start, 0), min(start + WIN_LEN, out.shape[0])
        if hi > lo:
            out[lo:hi] += seg[lo - start : hi - start] * scale


def istft(spec: np.ndarray, hop: int, length: int) -> np.ndarray:
    """Inverse of :func:`stft` by plain overlap-add.

    Parameters
    ----------
    spec : np.ndarray [shape=(T, 2049) or (T, c, 2049)]
        Frames ``0 .. T-1``.
    hop : int
    length : int
        Number of output samples.

    Returns
    -------
    np.ndarray [shape=(length,) or (length, c), dtype=float32]
    """
    shape = (length,) if spec.ndim == 2 else (length, spec.shape[1])
    out = np.zeros(shape, np.float32)
    overlap_add(frames_to_time(spec), hop, 0, out, 0)
    return out
