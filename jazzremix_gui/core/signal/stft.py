"""Short-time Fourier transform of the paper (DESIGN.md §1.1).

Symmetric Bartlett window of 2049 samples normalised to sum 1, zero-phase windowing
(the window centre sits at FFT index 0), N = 4096, and plain overlap-add synthesis that
reconstructs exactly. Frame ``t`` is centred on sample ``t * hop + first_centre(hop)`` (sample 0 for
hop 1024, sample -512 for hop 512), so every signal sample gets the full overlap-add
weight; samples outside the signal are zeros, so frames can be computed for any global index range and chunked
processing gives the same frames as whole-signal processing.
"""

from __future__ import annotations

import contextlib
import functools
import threading

import numpy as np

from jazzremix_gui.core import scipy_parts
from jazzremix_gui.core.constants import N_FFT, WIN_LEN

HALF = WIN_LEN // 2  # 1024: samples each side of a frame centre
#: Threads for one FFT call (1: the separation runs its stages in threads of their own, :mod:`core.signal.pipelined`).
FFT_WORKERS = 1
#: Frames framed and transformed at a time: 64 stereo frames of 4096 float32 samples are 2 MB, which stay in a
#: core's cache between the windowing and the FFT (a 292-frame block's 9.6 MB did not: docs/SPEED.md).
CHUNK_FRAMES = 64


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


def _zero_phase_frames(x: np.ndarray, hop: int, t0: int, t1: int, offset: int, out: np.ndarray) -> None:
    """Windowed frames ``t0 .. t1-1`` of a mono signal slice, rotated for zero phase, into ``out`` (T, 4096).

    The window's centre goes to FFT index 0: segment samples ``1024 .. 2048`` to indices
    ``0 .. 1024``, samples ``0 .. 1023`` to ``3072 .. 4095``, zeros between. Its DFT equals the
    DFT of the unrotated segment times ``exp(2 pi i k 1024 / 4096)``. Samples outside ``x`` count as zeros.
    """
    start = frame_centre(t0, hop) - HALF - offset  # first sample of frame t0, relative to x
    n_needed = (t1 - t0 - 1) * hop + WIN_LEN
    lo, hi = max(0, -start), max(0, min(n_needed, x.shape[0] - start))
    if lo == 0 and hi == n_needed:
        padded = x[start : start + n_needed]
    else:
        padded = np.zeros(n_needed, np.float32)
        if hi > lo:
            padded[lo:hi] = x[start + lo : start + hi]
    view = np.lib.stride_tricks.sliding_window_view(padded, WIN_LEN)[::hop]
    w = _window32()
    np.multiply(view[:, HALF:], w[HALF:], out=out[:, : HALF + 1])
    np.multiply(view[:, :HALF], w[:HALF], out=out[:, N_FFT - HALF :])
    out[:, HALF + 1 : N_FFT - HALF] = 0


@functools.lru_cache(maxsize=None)
def _window32() -> np.ndarray:
    return bartlett_window().astype(np.float32)


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
    if t1 <= t0:
        return np.zeros((0,) + x.shape[1:] + (N_FFT // 2 + 1,), np.complex64)
    channels = x.reshape(x.shape[0], -1)
    spec = np.empty((t1 - t0, channels.shape[1], N_FFT // 2 + 1), np.complex64)
    for a in range(t0, t1, CHUNK_FRAMES):  # framed and transformed a chunk at a time: its frames stay in cache
        b = min(t1, a + CHUNK_FRAMES)
        frames = _scratch("frames", (b - a, channels.shape[1], N_FFT))
        for c in range(channels.shape[1]):
            _zero_phase_frames(channels[:, c], hop, a, b, offset, frames[:, c])
        _rfft(frames, spec[a - t0 : b - t0])
    return spec.reshape((t1 - t0,) + x.shape[1:] + (N_FFT // 2 + 1,))


_SCRATCH = threading.local()


@contextlib.contextmanager
def reusing_memory():
    """Within it, this thread's transforms reuse their large temporaries from block to block.

    Fresh ones each block cost page faults (the allocator maps them anew): about a tenth of the
    separation's time. The memory is given back when the outermost ``with`` on this thread ends.
    """
    _SCRATCH.depth = getattr(_SCRATCH, "depth", 0) + 1
    try:
        yield
    finally:
        _SCRATCH.depth -= 1
        if not _SCRATCH.depth:
            _SCRATCH.__dict__.clear()


def _scratch(name: str, shape: tuple) -> np.ndarray:
    """A float32 array of ``shape``, contents undefined: this thread's reused one within :func:`reusing_memory`."""
    if not getattr(_SCRATCH, "depth", 0):
        return np.empty(shape, np.float32)
    size = int(np.prod(shape))
    buf = getattr(_SCRATCH, name, None)
    if buf is None or buf.size < size:
        buf = np.empty(size, np.float32)
        setattr(_SCRATCH, name, buf)
    return buf[:size].reshape(shape)


def _pocketfft():
    """scipy's pocketfft extension (what ``scipy.fft.rfft`` calls), loaded on its own (:mod:`core.scipy_parts`);
    None where that fails."""
    return scipy_parts.extension("fft/_pocketfft/pypocketfft*")


def _rfft(frames: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``scipy.fft.rfft(frames, axis=-1)`` into ``out``: (..., 4096) float32 -> (..., 2049) complex64."""
    pocketfft = _pocketfft()
    if pocketfft is not None:
        return pocketfft.r2c(frames, (frames.ndim - 1,), True, 0, out, FFT_WORKERS)
    import scipy.fft  # here, not at import: the CLI's parser is built without scipy

    out[...] = scipy.fft.rfft(frames, axis=-1, workers=FFT_WORKERS)
    return out


def _irfft(spec: np.ndarray) -> np.ndarray:
    """``scipy.fft.irfft(spec, n=4096, axis=-1)``: (..., 2049) complex64 -> (..., 4096) float32 (scratch memory)."""
    pocketfft = _pocketfft()
    if pocketfft is not None:
        out = _scratch("irfft", spec.shape[:-1] + (N_FFT,))
        return pocketfft.c2r(np.asarray(spec, np.complex64), (spec.ndim - 1,), N_FFT, False, 2, out, FFT_WORKERS)
    import scipy.fft

    return scipy.fft.irfft(spec, n=N_FFT, axis=-1, workers=FFT_WORKERS)


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


def overlap_add(spec: np.ndarray, hop: int, t0: int, out: np.ndarray, out_offset: int,
                mix: np.ndarray | None = None, mixed_out: np.ndarray | None = None, scaled: bool = True) -> None:
    """Inverse FFT of the frames ``t0 ..`` and overlap-add of their windowed segments into ``out`` (in place).

    Contributions to each sample are added in ascending frame order, so adding a block of
    frames onto a buffer that holds the earlier frames' partial sums gives bit-identical
    results to adding all frames at once.

    Parameters
    ----------
    spec : np.ndarray [shape=(T, 2049) or (T, c, 2049), dtype=complex64]
        Spectra of frames ``t0 .. t0 + T - 1`` (zero phase, as :func:`stft` makes them).
    hop : int
    t0 : int
        Global index of the first frame.
    out : np.ndarray [shape=(m,) or (c, m), dtype=float32]
        Output buffer, channels first, whose index 0 is global sample ``out_offset``.
        Contributions that fall outside it are dropped.
    out_offset : int
    mix : np.ndarray [shape=(c,)], optional
        Weights of the channels whose weighted sum is also overlap-added, into ``mixed_out``: the inverse
        transform being linear, that is the overlap-add of ``sum_c mix_c spec_c`` (within float32 rounding)
        without a transform of its own.
    mixed_out : np.ndarray [shape=(m,), dtype=float32], optional
        The buffer for ``mix``, indexed as ``out``.
    scaled : bool
        False: the segments are added without the overlap-add gain ``1 / ola_gain(hop)``, for a caller that
        scales the finished samples instead (a quarter of the products at hop 1024; for the hops whose gain is a
        power of two, 512 and 1024, the same values).
    """
    T = spec.shape[0]
    if T == 0:
        return
    rotated = _irfft(spec)  # the segment's centre sits at index 0 (zero phase)
    if scaled:
        rotated *= np.float32(1.0 / ola_gain(hop))
    frames = rotated.reshape(T, -1, N_FFT).transpose(1, 0, 2)  # (c, T, 4096)
    _add_segments(frames, hop, t0, out.reshape(-1, out.shape[-1]), out_offset)
    if mix is not None:
        mixed = _scratch("mixed", (1, T, N_FFT))
        np.multiply(frames[0], np.float32(mix[0]), out=mixed[0])
        for c in range(1, frames.shape[0]):
            mixed[0] += frames[c] * np.float32(mix[c])
        _add_segments(mixed, hop, t0, mixed_out.reshape(1, -1), out_offset)


def _add_segments(frames: np.ndarray, hop: int, t0: int, buf: np.ndarray, out_offset: int) -> None:
    """Overlap-add of zero-phase frames ``(c, T, 4096)`` (frames ``t0 ..``) into ``buf`` ``(c, m)`` (a view of the
    output, index 0 at global sample ``out_offset``), in ascending frame order."""
    T = frames.shape[1]
    pieces = -(-WIN_LEN // hop)  # a segment is `pieces` runs of `hop` samples
    start = frame_centre(t0, hop) - HALF - out_offset  # where frame t0's segment begins in `out`
    span = _scratch("span", (buf.shape[0], (T + pieces - 1) * hop))
    span[:] = 0
    lo, hi = max(0, start), min(buf.shape[1], start + span.shape[1])
    if hi <= lo:
        return
    span[:, lo - start : hi - start] = buf[:, lo:hi]
    blocks = span.reshape(buf.shape[0], T + pieces - 1, hop)
    for k in range(pieces - 1, -1, -1):  # later pieces belong to earlier frames: ascending frame order
        first, last = k * hop, min(WIN_LEN, (k + 1) * hop)  # segment samples of piece k
        src = (first - HALF) % N_FFT  # their place in the rotated frame (hop divides 1024: no wrap)
        blocks[:, k : k + T, : last - first] += frames[:, :, src : src + last - first]
    buf[:, lo:hi] = span[:, lo - start : hi - start]


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
    channels = 1 if spec.ndim == 2 else spec.shape[1]
    out = np.zeros((channels, length), np.float32)
    overlap_add(spec, hop, 0, out, 0)
    return out[0] if spec.ndim == 2 else np.ascontiguousarray(out.T)
