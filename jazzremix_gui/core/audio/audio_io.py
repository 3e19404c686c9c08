"""Reading, writing and resampling audio.

Everything libsndfile reads is accepted (WAV of any bit depth, float WAV, FLAC, OGG,
AIFF, MP3) at rates from 8 kHz to 768 kHz (:data:`MIN_RATE`, :data:`MAX_RATE`: a rate outside
is refused before any decoding, so resampling to the models' rate never grows a file more than
5.5 times). Files with 3 to 8 channels are downmixed to stereo as they are
read (:mod:`core.audio.downmix`, with a warning); a file is as long as what decodes from it
(:mod:`core.audio.damage`: a damaged file is processed to its decoded length, with a warning). Writes go to a
temporary file beside the target that is renamed into place only when complete, so a
failed or cancelled job never leaves a half-written file. Resampling uses soxr
(libsoxr, high quality), delay-compensated, so resampled signals stay sample-aligned.
"""

from __future__ import annotations

import collections
import errno
import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf
import soxr

from jazzremix_gui.core.audio import damage, downmix
from jazzremix_gui.core.files.atomic import TempFile
from jazzremix_gui.core.audio.damage import Damage
from jazzremix_gui.core.errors import AudioReadError, AudioWriteError
from jazzremix_gui.core.files.oserrors import check_input_file, describe_os_error, write_failure
from jazzremix_gui.core.files.writeback import Writeback
from jazzremix_gui.core.audio.formats import FORMATS, SUBTYPES, OutputSpec, extension, spec_for_path  # noqa: F401 (re-exported)
from jazzremix_gui.core.audio.tags import apply_tags, write_tags

#: Seed of the TPDF dither: the same signal always gives the same bytes (the CLI's
#: ``render`` reproduces the app's export exactly).
DITHER_SEED = 20160

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds and how it is read.

    Attributes
    ----------
    path : Path
    frames : int
        Samples per channel that every reader delivers: the DECODED length (:mod:`core.audio.damage`).
    rate : int
        Sample rate in Hz.
    channels : int
        The file's channels (readers deliver at most 2: more are downmixed, :mod:`core.audio.downmix`).
    format : str
        libsndfile's format name.
    damage : Damage or None
        Set when the file is shorter than its header announces.
    layout : tuple of str or None
        Channel positions assumed or read for a downmixed file (None for mono and stereo).
    """

    path: Path
    frames: int
    rate: int
    channels: int
    format: str
    damage: Damage | None = None
    layout: tuple | None = None

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    @property
    def out_channels(self) -> int:
        """Channels the readers deliver: 1 or 2."""
        return min(self.channels, 2)

    def notes(self) -> list[str]:
        """The warnings in a few words each, for a track list (``damaged: 7.55 s missing``)."""
        out = [self.damage.short()] if self.damage is not None else []
        if self.layout is not None:
            out.append(downmix.short(self.channels, self.layout))
        if str(self.path) in _not_numbers:
            out.append("samples that are not numbers read as silence")
        return out

    def warnings(self) -> list[str]:
        """One line per thing the user should know (damage, downmix, samples that are not numbers found by a reader
        so far), each naming the file."""
        out = [self.damage.describe(self.path)] if self.damage is not None else []
        if self.layout is not None:
            out.append(f"{self.path}: {downmix.describe(self.channels, self.layout)}")
        if str(self.path) in _not_numbers:
            out.append(not_numbers_line(self.path, _not_numbers[str(self.path)]))
        return out


#: Probed files by identity (path, device, inode, size, modification time): each is decoded
#: once per process to count its frames.
#: Sample rates accepted, in Hz: from telephone speech to the highest rate of any audio interface.
MIN_RATE, MAX_RATE = 8000, 768000

_probed: dict[tuple, AudioInfo] = {}
_PROBE_CACHE = 64


def info(path) -> AudioInfo:
    """Check that ``path`` is a readable, non-empty audio file, describe it, and warn about it.

    The length is the decoded one (:func:`core.audio.damage.check`). A damaged or downmixed file
    gets its warning lines (:meth:`AudioInfo.warnings`) on the ``jazzremix_gui`` logger at
    every call: each command calls this once per input (:func:`core.pipeline.separate_file`,
    :func:`core.pipeline.analyse`, :func:`read_audio`); :func:`probe` is the same without
    the warnings, for the readers and checks around it.

    Raises
    ------
    AudioReadError
        With one line naming the file and what is wrong with it.
    """
    meta = probe(path)
    for line in meta.warnings():
        log.warning("warning: %s", line)
    return meta


def probe(path) -> AudioInfo:
    """:func:`info` without the warnings (cached: a file is decoded to count its frames once per process)."""
    path = check_input_file(path)  # not there, a folder, a FIFO, a device, a link loop, no permission
    st = path.stat()
    if st.st_size == 0:
        raise AudioReadError(f"{path}: empty file (0 bytes)")
    key = (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _probed:
        if len(_probed) >= _PROBE_CACHE:
            _probed.pop(next(iter(_probed)))
        _probed[key] = _probe(path)
    return _probed[key]


def _probe(path: Path) -> AudioInfo:
    with damage.decoder_output() as out:
        try:
            i = sf.info(os.fsencode(path))  # bytes: soundfile encodes str paths as strict UTF-8
        except (sf.LibsndfileError, RuntimeError, TypeError):
            i = None
    if i is None:
        said = damage.fold(out.text)
        raise AudioReadError(f"{path}: not a readable audio file ({damage.sniff(path)}"
                             + (f"; decoder: {said})" if said else ")"))
    if i.channels > downmix.MAX_CHANNELS:
        raise AudioReadError(f"{path}: has {i.channels} channels, more than a surround layout Jazz Remix can fold "
                             f"to stereo (3 to {downmix.MAX_CHANNELS}); mix the tracks to stereo first")
    if not MIN_RATE <= i.samplerate <= MAX_RATE:
        raise AudioReadError(f"{path}: sample rate {i.samplerate:,} Hz is outside the rates Jazz Remix reads "
                             f"({MIN_RATE // 1000} kHz to {MAX_RATE // 1000} kHz); resample it first")
    frames, hurt, words = damage.check(path, i)
    if words:
        log.info("%s: decoder said: %s", path, words)
    if frames <= 0:
        claim = "" if hurt is None else (" (cut off before its first audio)" if hurt.claimed is None else
                                         f" (its header announces {hurt.claimed:,} frames: cut off after the header)")
        detail = f"; decoder: {hurt.detail}" if hurt is not None and hurt.detail else ""
        raise AudioReadError(f"{path}: holds no audio (0 frames decode{claim}{detail})")
    layout = downmix.layout_for(i.channels, downmix.file_channel_map(path)) if i.channels > 2 else None
    return AudioInfo(path, int(frames), int(i.samplerate), int(i.channels), i.format_info, hurt, layout)


def _short(exc: Exception) -> str:
    return damage.short_error(exc) or type(exc).__name__


#: Files whose reader met samples that are not numbers (NaN or infinite: a damaged float file): path -> how many a
#: whole read found (:meth:`AudioInfo.warnings`).
_not_numbers: dict[str, int] = {}


def not_numbers_line(path, count: int) -> str:
    """The warning for ``count`` samples of ``path`` that are not numbers."""
    return (f"{path}: {count:,} samples are not numbers (NaN or infinite: a damaged float file); "
            "read as silence" if count else f"{path}: samples that are not numbers (NaN or infinite) read as silence")


def _clean(block: np.ndarray, path: Path, seen: list[int]) -> np.ndarray:
    """Replace NaN and infinite samples by 0 (silence) so nothing downstream turns non-finite or hits full scale;
    the first time a file holds any, one warning line (and ``seen[0]`` counts this read's)."""
    if np.isfinite(block).all():
        return block
    bad = ~np.isfinite(block)
    if str(path) not in _not_numbers:
        _not_numbers[str(path)] = 0
        log.warning("warning: %s", not_numbers_line(path, 0))
    seen[0] += int(np.count_nonzero(bad))
    block[bad] = 0.0
    return block


def read_audio(path) -> tuple[np.ndarray, int]:
    """Read a whole file (to its decoded length; more than two channels downmixed), warning as :func:`info` does.

    Returns
    -------
    audio : np.ndarray [shape=(n, c), dtype=float32]
        ``c`` is 1 or 2, values in [-1, 1] for integer formats; ``n`` is :attr:`AudioInfo.frames`.
    rate : int
        Sample rate in Hz.
    """
    meta = info(path)
    audio = np.empty((meta.frames, meta.out_channels), np.float32)
    n = 0
    for block in read_blocks(meta.path, 1 << 18):
        audio[n: n + block.shape[0]] = block
        n += block.shape[0]
    return audio[:n], meta.rate


def read_blocks(path, block: int) -> Iterator[np.ndarray]:
    """Read a file in blocks of ``block`` frames, each ``(m, c)`` float32, c in {1, 2} (the last may be shorter).

    The blocks add up to :attr:`AudioInfo.frames` (the decoded length; the decoders' stderr
    lines are captured and logged, not printed); more than two channels are downmixed
    (:mod:`core.audio.downmix`). No warning here (:func:`probe`): the caller has called :func:`info`.
    """
    meta = probe(path)
    mix = downmix.matrix(meta.layout) if meta.layout is not None else None
    buf = np.empty((block, meta.channels), np.float32)
    pos, error = 0, ""
    with damage.decoder_output() as out:
        try:
            f = sf.SoundFile(os.fsencode(meta.path))
        except (sf.LibsndfileError, RuntimeError) as exc:
            error = _short(exc)
    if error:
        raise AudioReadError(f"{meta.path}: cannot decode ({error})")
    seen = [0]  # samples that are not numbers, in this read
    with f:
        while pos < meta.frames:
            want, got = min(block, meta.frames - pos), 0
            with damage.decoder_output() as out:
                while got < want and not error:  # the probe's steps, so a damaged end stops alike
                    step = min(damage.COUNT_BLOCK - (pos + got) % damage.COUNT_BLOCK, want - got)
                    n, error = damage.read_into(f, buf[got: got + step])
                    got += n
                    if n == 0:
                        break
            if out.text:
                log.debug("%s: decoder said: %s", meta.path, damage.fold(out.text))
            if got == 0:
                break
            pos += got
            yield _clean(buf[:got].copy() if mix is None else downmix.to_stereo(buf[:got], mix), meta.path, seen)
    if seen[0]:  # the whole file's count, once it was read to the end
        _not_numbers[str(meta.path)] = max(seen[0], _not_numbers.get(str(meta.path), 0))
    if pos < meta.frames:
        said = "; ".join(w for w in (error, damage.fold(out.text)) if w) or "the file changed while read"
        raise AudioReadError(f"{meta.path}: cannot decode past {pos:,} of {meta.frames:,} frames ({said})")


def read_opening(path, seconds: float) -> tuple[np.ndarray, int]:
    """The first ``seconds`` of a file, ``(n, c)`` float32 (c in {1, 2}, as :func:`read_blocks` gives it), and its
    rate; a file without a sample: ``(0, 2)``."""
    rate = info(path).rate
    want, got, blocks = int(seconds * rate), 0, []
    for block in read_blocks(path, 1 << 16):
        blocks.append(block[: want - got])
        got += blocks[-1].shape[0]
        if got >= want:
            break
    return (np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)), rate


def resampled_length(n: int, rate_in: int, rate_out: int) -> int:
    """Length of a signal of ``n`` samples after resampling (rounded to the nearest sample)."""
    return int(round(n * rate_out / rate_in))


def fit_length(x: np.ndarray, n: int) -> np.ndarray:
    """Trim or zero-pad the first axis of ``x`` to exactly ``n`` samples."""
    if x.shape[0] >= n:
        return x[:n]
    pad = np.zeros((n - x.shape[0],) + x.shape[1:], x.dtype)
    return np.concatenate([x, pad])


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample with soxr (high quality, delay-compensated), to exactly ``round(n * out / in)`` samples.

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, c)]
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    if rate_in == rate_out:
        return x
    y = soxr.resample(x, rate_in, rate_out, quality="HQ")
    return fit_length(y.astype(np.float32), resampled_length(x.shape[0], rate_in, rate_out))


class SampleQueue:
    """Samples put in blocks on one thread and taken, any number at a time, on another (first in, first out).

    Parameters
    ----------
    channels : int
        Columns of every block, ``(m, channels)`` float32.
    """

    def __init__(self, channels: int):
        self.channels = channels
        self._blocks: collections.deque = collections.deque()
        self._lock = threading.Lock()

    def put(self, block: np.ndarray) -> None:
        """Add ``(m, channels)`` samples (copied)."""
        block = np.array(block, np.float32)
        with self._lock:
            self._blocks.append(block)

    def take(self, k: int) -> np.ndarray:
        """The next ``k`` samples, ``(k, channels)``; zeros past what was put."""
        out = np.zeros((k, self.channels), np.float32)
        done = 0
        with self._lock:
            while done < k and self._blocks:
                block = self._blocks[0]
                n = min(k - done, block.shape[0])
                out[done: done + n] = block[:n]
                done += n
                if n == block.shape[0]:
                    self._blocks.popleft()
                else:
                    self._blocks[0] = block[n:]
        return out


class StreamResampler:
    """Block-wise resampler whose concatenated output equals :func:`resample` of the whole.

    Call :meth:`push` with consecutive blocks, then :meth:`finish`; the total output is
    trimmed or padded to ``round(n_total * out / in)`` samples.
    """

    def __init__(self, rate_in: int, rate_out: int, channels: int):
        self.rate_in, self.rate_out, self.channels = rate_in, rate_out, channels
        self._stream = None if rate_in == rate_out else soxr.ResampleStream(rate_in, rate_out, channels, "float32", "HQ")
        self._n_in = 0
        self._n_out = 0
        self._pending = np.zeros((0, channels), np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        """Resample one ``(m, c)`` block; returns what is ready so far, ``(k, c)`` float32."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        self._n_in += block.shape[0]
        if self._stream is None:  # the same rate: the block itself (nothing is ever pending)
            self._n_out += block.shape[0]
            return block
        out = self._stream.resample_chunk(block)
        # never emit beyond the rounded length of what came in so far; keep any excess
        self._pending = np.concatenate([self._pending, out.astype(np.float32, copy=False)])
        ready = max(0, resampled_length(self._n_in, self.rate_in, self.rate_out) - self._n_out)
        out, self._pending = self._pending[:ready], self._pending[ready:]
        self._n_out += out.shape[0]
        return out

    def finish(self) -> np.ndarray:
        """Flush the filter and pad or trim to the exact total length."""
        tail = self._pending
        if self._stream is not None:
            flushed = self._stream.resample_chunk(np.zeros((0, self.channels), np.float32), last=True)
            tail = np.concatenate([tail, flushed.astype(np.float32, copy=False)])
        want = resampled_length(self._n_in, self.rate_in, self.rate_out) - self._n_out
        out = fit_length(tail, max(0, want))
        self._n_out += out.shape[0]
        return out


def output_format(path) -> str:
    """Canonical extension of an output path (``wav``, ``flac``, ``aiff``, ``mp3``, ``ogg``), or AudioWriteError."""
    return spec_for_path(path).fmt


def tpdf_dither(shape, rng: np.random.Generator) -> np.ndarray:
    """Triangular (TPDF) dither in LSB units: the difference of two uniform variables, +-1 LSB peak."""
    return rng.random(shape) - rng.random(shape)


def quantize(block: np.ndarray, bits: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Float samples -> integers for ``bits``-bit PCM: rounded (TPDF-dithered when ``rng`` is given), clipped.

    libsndfile's own float-to-16-bit conversion rounds towards minus infinity (a -0.5 LSB
    offset) and cannot dither, so PCM is quantised here and handed over as integers:
    ``int16`` for 16 bits, ``int32`` with the 24 bits in the top bytes for 24 bits.
    """
    scale = 2.0 ** (bits - 1)
    if rng is None and bits <= 24 and block.dtype == np.float32:
        # without dither, float32 holds every step exactly: x 2^(bits-1) is exact, and so are rint and the clip
        # of values below 2^24: the integers float64 gives, at a third of the memory traffic
        v = np.multiply(block, np.float32(scale))
        np.rint(v, out=v)
        if v.size and not (np.fmax.reduce(v, axis=None) <= scale - 1 and np.fmin.reduce(v, axis=None) >= -scale):
            np.clip(v, -scale, scale - 1, out=v)  # only where a value is beyond (NaN: as before)
    else:
        v = block.astype(np.float64) * scale
        if rng is not None:
            v += tpdf_dither(v.shape, rng)
        v = np.clip(np.rint(v), -scale, scale - 1)
    if bits == 16:
        return v.astype(np.int16)
    q = v.astype(np.int32)
    q <<= 32 - bits
    return q


#: Containers whose PCM libsndfile stores little-endian: :class:`AtomicAudioWriter` hands them the quantised samples
#: as raw bytes, one write per block (libsndfile's own conversion from ``int32`` packs and writes them 8 kB at a time:
#: 4.5 ms against 0.7 ms of packing here for 524,288 24-bit samples, docs/SPEED.md). The same bytes in the file.
RAW_CONTAINERS = frozenset({"WAV", "WAVEX", "RF64", "W64"})


def pcm_bytes(q: np.ndarray, bits: int) -> np.ndarray:
    """:func:`quantize`'s integers as the little-endian PCM stream of a ``bits``-bit file (16 or 24), interleaved.

    16 bits: the ``int16`` samples' own bytes; 24 bits: the three high bytes of each ``int32`` (the sample fills its
    top 24 bits), copied a byte column at a time (a slice of three of four bytes copied whole is 8x slower). Only on a
    little-endian machine (:class:`AtomicAudioWriter` checks).

    Returns
    -------
    np.ndarray [shape=(q.size * bits / 8,), dtype=uint8]
    """
    flat = np.ascontiguousarray(q).reshape(-1)
    if bits == 16:
        return flat.view(np.uint8)
    word = flat.view(np.uint8).reshape(-1, 4)
    out = np.empty((word.shape[0], 3), np.uint8)
    for k in range(3):
        out[:, k] = word[:, k + 1]
    return out.reshape(-1)


class AtomicAudioWriter:
    """Write an audio file block by block; it appears at ``path`` only on :meth:`commit`.

    Integer PCM is rounded and clipped to full scale (:func:`quantize`; choose a clip mode
    upstream, :mod:`core.audio.headroom`, so nothing reaches this clip unasked); 16-bit PCM gets
    TPDF dither (seeded: same input, same bytes). ``tags`` (:mod:`core.audio.tags`) are written before the first sample
    (libsndfile) and again, complete, when the file is finished (mutagen). Use as a
    context manager: leaving the block with an exception (or without calling :meth:`commit`)
    deletes the temporary file and leaves ``path`` untouched.
    """

    def __init__(self, path, rate: int, channels: int, bits: int | str = 24, spec: OutputSpec | None = None,
                 tags: dict | None = None):
        self.path = Path(path)
        self.spec = spec.check() if spec is not None else spec_for_path(self.path, int(bits))
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            raise AudioWriteError(f"{folder}: output folder does not exist")
        try:
            self._tmp = TempFile(self.path)
        except OSError as exc:
            raise write_failure(self.path, exc) if exc.errno == errno.ENOSPC else \
                AudioWriteError(describe_os_error(exc, "cannot write there", folder)) from None
        try:
            self._file = sf.SoundFile(os.fsencode(self._tmp.tmp), "w", samplerate=int(rate), channels=channels,
                                      **self.spec.open_args())
        except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
            self._tmp.discard()
            raise AudioWriteError(f"{self.path}: cannot write ({_short(exc)})") from None
        self._writeback = Writeback(self._tmp.tmp)  # the closing sync then waits for little
        apply_tags(self._file, tags or {})
        self._tags = dict(tags or {})
        self._rng = np.random.default_rng(DITHER_SEED) if self.spec.dithered else None
        self._raw = (not (self.spec.lossy or self.spec.is_float) and self.spec.bits in (16, 24)
                     and self._file.format in RAW_CONTAINERS and self._file.endian in ("FILE", "LITTLE")
                     and sys.byteorder == "little" and hasattr(sf, "_snd") and hasattr(sf._snd, "sf_write_raw"))
        self.frames = 0

    def write(self, block: np.ndarray) -> None:
        """Append ``(m, c)`` or ``(m,)`` samples (clipped to [-1, 1] unless the file holds floats)."""
        block = np.asarray(block, np.float32)
        if not (self.spec.lossy or self.spec.is_float):
            block = quantize(block, self.spec.bits, self._rng)
        elif not self.spec.is_float:
            block = np.clip(block, -1.0, 1.0)
        try:
            if self._raw and (1 if block.ndim == 1 else block.shape[-1]) == self._file.channels and block.ndim <= 2:
                self._write_raw(pcm_bytes(block, self.spec.bits))  # (a block of another shape: soundfile says so)
            else:
                self._file.write(block)
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise write_failure(self.path, exc) from None
        self.frames += block.shape[0]
        self._writeback.wrote(block.nbytes)

    def _write_raw(self, data: np.ndarray) -> None:
        """``data`` (PCM bytes, whole frames) appended through libsndfile's ``sf_write_raw``: it counts the frames and
        writes the header at the close as for any write."""
        if not data.size:
            return
        written = sf._snd.sf_write_raw(self._file._file, sf._ffi.from_buffer(data), data.nbytes)
        if written != data.nbytes:
            code = sf._snd.sf_error(self._file._file)
            raise sf.LibsndfileError(code) if code else OSError(errno.EIO, "short write")

    @property
    def temp(self) -> TempFile:
        """The temporary file (for a joint commit, :func:`core.files.commit.commit_together`)."""
        return self._tmp

    def finish(self) -> None:
        """Close the finished temporary file; nothing is renamed yet."""
        self._writeback.close()
        try:
            self._file.close()
        except (OSError, sf.LibsndfileError, RuntimeError) as exc:
            self._tmp.discard()
            raise write_failure(self.path, exc) from None
        try:
            write_tags(self._tmp.tmp, extension(self.spec.fmt), self._tags)  # the whole set, through mutagen
        except AudioWriteError as exc:
            self._tmp.discard()
            raise AudioWriteError(str(exc).replace(str(self._tmp.tmp), str(self.path))) from None

    def commit(self) -> Path:
        """Close and rename the finished file into place (with the mode :func:`core.files.atomic.final_mode` gives)."""
        self.finish()
        try:
            return self._tmp.commit()
        except OSError as exc:
            self._tmp.discard()
            raise AudioWriteError(describe_os_error(exc, "cannot write", self.path)) from None

    def abort(self) -> None:
        """Drop the temporary file."""
        self._writeback.close()
        if not self._file.closed:
            self._file.close()
        self._tmp.discard()

    def __enter__(self) -> "AtomicAudioWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or self._tmp.tmp.exists():
            self.abort()


def write_audio(path, audio: np.ndarray, rate: int, bits: int | str = 24, spec: OutputSpec | None = None,
                tags: dict | None = None) -> Path:
    """Write a whole signal atomically (no clip handling: see :mod:`core.audio.headroom` for that).

    Parameters
    ----------
    path : str or Path
        Target file; its extension names the format unless ``spec`` is given.
    audio : np.ndarray [shape=(n,) or (n, c)]
    rate : int
        Sample rate in Hz.
    bits : 16, 24 or 32 (float; WAV/AIFF only)
    """
    audio = np.asarray(audio, np.float32)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    with AtomicAudioWriter(path, rate, channels, bits, spec, tags) as w:
        w.write(audio)
        return w.commit()
