"""The files behind a clip mode, and lossy ones measured after encoding.

A limiter or a rescale holds the true peak of the samples at -1 dBTP, but MP3 and Vorbis encoders
add their own overshoot: a remix limited to -1.0 dBTP decoded at -0.13 dBTP from a 320 kbit/s MP3
and at -0.51 dBTP from an OGG (10 s of tone and noise, ``tests/test_encoded_peaks.py``). So every
lossy file is decoded once written and its true peak measured (:mod:`core.audio.limiter`'s 4x
oversampled estimate); when it is above the ceiling, the file is encoded again from a float spool
kept beside it, at a gain lowered by the measured excess plus 0.1 dB, until the decoded peak holds
(at most :data:`MAX_PASSES` encodings). Several files of one input (:mod:`core.audio.shared_gain`)
are lowered together, by the gain the worst of them needs, so they keep one gain. The comment tag
and the report say by how much.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import soundfile as sf

from jazzremix_gui.core.audio.audio_io import AtomicAudioWriter
from jazzremix_gui.core.audio.columns import take_columns
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.limiter import TruePeakTracker, db_to_lin, lin_to_db
from jazzremix_gui.core.audio.loudness import BackgroundMeter, LoudnessMeter, as_played
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.files.atomic import TempFile
from jazzremix_gui.core.files.oserrors import describe_os_error, write_failure

#: Encodings at most (the first and up to three lower ones); each lowers by the measured excess + MARGIN_DB.
MAX_PASSES = 4
#: Extra lowering on each new encoding (dB), so the next decoded peak lands under the ceiling, not on it.
MARGIN_DB = 0.1
#: Frames per block when decoding, spooling and encoding again.
_BLOCK = 65536


def decoded_true_peak(path, loudness: LoudnessMeter | None = None) -> float:
    """True peak (linear, 4x oversampled) of a file as a player decodes it; ``loudness`` measures the file
    in the same pass."""
    tracker, peak = None, 0.0
    with sf.SoundFile(os.fsencode(path)) as f:
        tracker = TruePeakTracker(f.channels)
        for block in f.blocks(_BLOCK, dtype="float32", always_2d=True):
            _, tp = tracker.push(block)
            peak = max(peak, float(tp.max(initial=0.0)))
            if loudness is not None:
                loudness.push(as_played(block))
    return max(peak, float(tracker.finish()[1].max(initial=0.0)))


class EncodedOutputs:
    """One :class:`AtomicAudioWriter` per file behind a joint signal whose channels are the files' side by side.

    Parameters
    ----------
    paths : sequence of Path
    rate : int
    channels : sequence of int
        Each file's channels; :meth:`write` takes ``(m, sum(channels))`` blocks.
    spec : OutputSpec
    tags : sequence of dict
        Each file's tags.
    ceiling_db : float or None
        For lossy formats, the highest decoded true peak (dBTP) let through; None: not held (a lossy file's decoded
        true peak is measured all the same, for the report: ``clamp`` holds the samples, not the decoder's output).
    loudness : bool
        Measure each file's integrated loudness as written (:attr:`written_lufs`): lossless files
        from the blocks handed to the file (on a thread beside the writer, before the PCM rounding:
        within 1e-4 LU of the file), lossy files in the decoding pass that checks the true peak.
    """

    def __init__(self, paths, rate: int, channels, spec: OutputSpec, tags, ceiling_db: float | None = None,
                 loudness: bool = False):
        self.paths = [Path(p) for p in paths]
        self.parts = [int(c) for c in channels]
        self._rate, self._spec, self._tags = rate, spec, [dict(t or {}) for t in tags]
        self._ceiling = db_to_lin(ceiling_db) if ceiling_db is not None and spec.lossy else None
        self.extra_gain_db = 0.0
        self.decoded_peak_dbtp: float | None = None
        #: Each file's integrated loudness as written (LUFS; None where not measured).
        self.written_lufs: list[float | None] = [None] * len(self.paths)
        self._loudness = loudness
        self._meters = [BackgroundMeter(rate, 2) for _ in self.parts] if loudness and not spec.lossy else []
        self._spool = self._spool_file = None
        self.writers = self._open(self._tags)
        if self._ceiling is not None:
            try:
                self._spool = TempFile(self.paths[0], ".enc.f32")
                self._spool_file = open(self._spool.tmp, "w+b")
            except OSError as exc:
                self.abort()
                raise write_failure(self.paths[0], exc) if exc.errno == errno.ENOSPC else \
                    AudioWriteError(describe_os_error(exc, "cannot write there", self.paths[0].parent)) from None

    def _open(self, tags) -> list[AtomicAudioWriter]:
        writers = []
        try:
            for path, c, t in zip(self.paths, self.parts, tags):
                writers.append(AtomicAudioWriter(path, self._rate, c, spec=self._spec, tags=t))
        except BaseException:
            for w in writers:
                w.abort()
            raise
        return writers

    def _split(self, block: np.ndarray) -> None:
        start = 0
        for i, (w, c) in enumerate(zip(self.writers, self.parts)):
            part = take_columns(block, start, start + c)  # contiguous: numpy is slow on a few strided columns
            w.write(part)
            if self._meters:
                self._meters[i].push(as_played(part))
            start += c

    def write(self, block: np.ndarray) -> None:
        """Append ``(m, sum(channels))`` samples."""
        self._split(block)
        if self._spool_file is not None:
            try:
                self._spool_file.write(np.ascontiguousarray(block, np.float32).tobytes())
            except OSError as exc:
                raise write_failure(self.paths[0], exc) from None

    def _finish_writers(self) -> float:
        """Close the files; their highest decoded true peak (linear; 0 when not measured)."""
        for w in self.writers:
            w.finish()
        if self._meters:
            self.written_lufs = [m.integrated() for m in self._meters]
        if not self._spec.lossy:
            return 0.0
        meters = [LoudnessMeter(self._rate, 2) if self._loudness else None for _ in self.writers]
        peak = max(decoded_true_peak(w.temp.tmp, m) for w, m in zip(self.writers, meters))
        if self._loudness:
            self.written_lufs = [m.integrated() for m in meters]
        return peak

    def finish(self) -> None:
        """Finish the files (a lossy one encoded again, lower, while its decoded true peak is above the ceiling)."""
        peak = self._finish_writers()
        gain, passes = 1.0, 1
        while self._ceiling is not None and peak > self._ceiling and passes < MAX_PASSES:
            gain *= self._ceiling / peak * db_to_lin(-MARGIN_DB)
            said = f"encoded again {-lin_to_db(gain):.2f} dB lower to hold the decoded true peak"
            tags = [{**t, "comment": f"{t['comment']}; {said}" if t.get("comment") else said} for t in self._tags]
            for w in self.writers:
                w.abort()
            self.writers = self._open(tags)
            self._spool_file.seek(0)
            width = sum(self.parts)
            while raw := self._spool_file.read(_BLOCK * width * 4):
                self._split(np.frombuffer(raw, np.float32).reshape(-1, width) * np.float32(gain))
            peak = self._finish_writers()
            passes += 1
        if self._spec.lossy:
            self.extra_gain_db = 0.0 if gain == 1.0 else lin_to_db(gain)
            self.decoded_peak_dbtp = lin_to_db(peak)
        self._drop_spool()

    def _drop_spool(self) -> None:
        if self._spool is not None:
            if not self._spool_file.closed:
                self._spool_file.close()
            self._spool.discard()

    def abort(self) -> None:
        self._drop_spool()
        for m in getattr(self, "_meters", []):
            m.close()
        for w in self.writers if hasattr(self, "writers") else []:
            w.abort()

    @property
    def temp(self):
        """The finished temporary file (a :class:`core.files.atomic.TempFile`), or a list of them for several files."""
        temps = [w.temp for w in self.writers]
        return temps[0] if len(temps) == 1 else temps
