"""Pictures of a signal for the views: log-frequency dB spectrogram and min/max waveform envelope.

Pure numpy (runs in worker threads). The spectrogram uses the project's own STFT
(:func:`jazzremix_gui.core.signal.stft.stft`, hop 1024), computed in chunks; long files are
reduced to at most ``max_columns`` columns by taking the maximum over neighbouring
frames, and the 2049 linear bins are mapped onto log-spaced bins by linear interpolation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.constants import N_FFT
from jazzremix_gui.core.files.mapped import release
from jazzremix_gui.core.signal.features import mid
from jazzremix_gui.core.signal.stft import HALF, frame_centre, frame_count, stft

HOP = 1024
#: Frames per STFT chunk (bounded memory).
CHUNK = 256
#: Floor of the colour scale, in dB below full scale.
FLOOR_DB = -100.0


@dataclass
class Spectrogram:
    """A log-frequency magnitude picture.

    Attributes
    ----------
    image : np.ndarray [shape=(n_bins, n_columns), dtype=float32]
        Level in dB (rows = frequency, low to high; columns = time).
    duration : float
        Seconds covered by the columns.
    fmin, fmax : float
        Frequency (Hz) of the first and last row.
    """

    image: np.ndarray
    duration: float
    fmin: float
    fmax: float


def log_bins(rate: int, n_bins: int, fmin: float) -> np.ndarray:
    """Centre frequencies (Hz) of ``n_bins`` log-spaced bins from ``fmin`` to Nyquist."""
    return np.geomspace(fmin, rate / 2, n_bins)


def _log_interp(rate: int, n_bins: int, fmin: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower FFT bin index [shape=(n_bins,)] and interpolation weight of the upper one for log-spaced bins.

    (Elementwise interpolation, not a BLAS product: BLAS worker threads would compete with the UI thread.)
    """
    pos = log_bins(rate, n_bins, fmin) * N_FFT / rate  # fractional FFT bin
    lo = np.clip(np.floor(pos).astype(int), 0, N_FFT // 2 - 1)
    return lo, (pos - lo).astype(np.float32)


def log_spectrogram(x: np.ndarray, rate: int, max_columns: int = 1600, n_bins: int = 256, fmin: float = 30.0,
                    cancel=None) -> Spectrogram:
    """Log-frequency dB spectrogram of a mono or stereo signal (stereo is averaged to mid).

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)]
    rate : int
        Sample rate in Hz.
    max_columns : int
        Most time columns; longer signals are max-pooled over ``ceil(frames / max_columns)`` frames.
    cancel : callable, optional
        Checked between chunks; the computation stops early (returning what exists) when it returns True.
    """
    x = x if isinstance(x, np.ndarray) else np.asarray(x)  # a mapped array stays one (its pages go back)
    n = x.shape[0]
    n_frames = max(frame_count(n, HOP), 1)
    pool = int(np.ceil(n_frames / max_columns))
    chunk = max(pool, (CHUNK // pool) * pool)
    fmin = min(fmin, rate / 4)
    lo, frac = _log_interp(rate, n_bins, fmin)
    n_cols = int(np.ceil(n_frames / pool))
    image = np.full((n_bins, n_cols), FLOOR_DB, np.float32)
    for t0 in range(0, n_frames, chunk):
        if cancel is not None and cancel():
            break
        t1 = min(t0 + chunk, n_frames)
        lo_s, hi_s = max(0, frame_centre(t0, HOP) - HALF), min(n, frame_centre(t1 - 1, HOP) + HALF + 1)
        mag = np.abs(stft(_mid(x, lo_s, hi_s), HOP, t0, t1, offset=lo_s))  # (T, 2049)
        pad = (-mag.shape[0]) % pool
        if pad:
            mag = np.concatenate([mag, np.zeros((pad, mag.shape[1]), mag.dtype)])
        pooled = mag.reshape(-1, pool, mag.shape[1]).max(axis=1)  # (T / pool, 2049)
        logmag = pooled[:, lo] * (1 - frac) + pooled[:, lo + 1] * frac  # (cols, n_bins)
        c0 = t0 // pool
        image[:, c0:c0 + logmag.shape[0]] = (20 * np.log10(np.maximum(logmag, 1e-5))).T
    np.maximum(image, FLOOR_DB, out=image)
    return Spectrogram(image, n / rate, float(fmin), rate / 2)


def _mid(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Samples ``start .. stop-1`` of ``x`` as float32 mono (stereo averaged): a copy of that piece only.

    The pictures are drawn piece by piece from this, so a long recording (or its memory-mapped
    stems) is never copied whole, and a mapped one gives its pages back up to the piece's end: from the start,
    not from the piece's, because the spectrogram's pieces overlap and reading a page again can map its
    neighbours back too (the page cache's large folios), well before the piece.
    """
    piece = np.array(x[start:stop], np.float32)
    release(x, 0, stop)
    return mid(piece)  # the channels' mean to the bit, 30x faster than numpy's over an axis of two


def envelope(x: np.ndarray, n_points: int = 4000, piece: int = 1 << 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min/max envelope of a signal for an overview plot, computed piece by piece (no full-length copy).

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)]
        Stereo is averaged.
    n_points : int
        About how many buckets.
    piece : int
        Samples read at a time (rounded to whole buckets).

    Returns
    -------
    times : np.ndarray [shape=(k,)]
        Start of each bucket in samples.
    lo, hi : np.ndarray [shape=(k,), dtype=float32]
        Minimum and maximum sample value in each bucket (the last bucket is padded with zeros).
    """
    x = x if isinstance(x, np.ndarray) else np.asarray(x)  # a mapped array stays one (its pages go back)
    n = x.shape[0]
    step = max(1, int(np.ceil(n / n_points)))
    k = int(np.ceil(n / step))
    lo, hi = np.zeros(k, np.float32), np.zeros(k, np.float32)
    per = max(1, piece // step)  # buckets per piece
    for b0 in range(0, k, per):
        b1 = min(k, b0 + per)
        mono = _mid(x, b0 * step, min(n, b1 * step))
        padded = np.zeros((b1 - b0) * step, np.float32)
        padded[: mono.shape[0]] = mono
        blocks = padded.reshape(b1 - b0, step)
        lo[b0:b1], hi[b0:b1] = blocks.min(axis=1), blocks.max(axis=1)
    return np.arange(k) * step, lo, hi
