"""Clip modes: nothing Jazz Remix writes is clipped unless asked for, and every file says what was done.

Modes (:data:`CLIP_MODES`):

- ``limit`` (default): a transparent look-ahead true-peak limiter (:mod:`core.audio.limiter`)
  holds peaks at -1 dBTP. It touches only the overs and the few milliseconds around them,
  so levels, loudness and the stems' sum stay as they are everywhere else, it streams with
  bounded memory, and its output survives lossy encoding and resampling. That is why it is
  the default: separated stems and remixes overshoot rarely and briefly (a stem can
  exceed the input's peak where solo and accompaniment cancelled), and the alternatives
  either change the whole file's level or distort.
- ``rescale``: the whole file is scaled down so its true peak is at most -1 dBTP (a
  second pass over a float spool beside the target; memory stays bounded). The level
  change is reported.
- ``clamp``: samples beyond full scale are clipped (the old behaviour, now counted).
- ``none``: written as computed; only for 32-bit float files, which keep overs intact.

Every mode counts the sample values beyond full scale before processing ("would have
clipped") and reports what it did (:class:`ClipReport`).
"""

from __future__ import annotations

import errno
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core.files.atomic import TempFile
from jazzremix_gui.core.audio.encoded import EncodedOutputs
from jazzremix_gui.core.files.commit import commit_together
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.files.oserrors import describe_os_error, write_failure
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.limiter import LookaheadLimiter, TruePeakTracker, aim, db_to_lin, lin_to_db

CLIP_MODES = ("limit", "rescale", "clamp", "none")
DEFAULT_CLIP_MODE = "limit"
#: Highest true peak that ``limit`` and ``rescale`` let through (dBTP; EBU R128 / streaming delivery).
CEILING_DBTP = -1.0
#: Share of a file's frames above which the limiter's report calls its work heavy.
HEAVY_LIMITING = 0.1
#: Frames per read when rescaling from the spool.
_SPOOL_BLOCK = 65536


def output_ceiling(mode: str) -> float | None:
    """The decoded true peak a lossy file of clip mode ``mode`` is held at (dBTP): the ceiling for ``limit`` and
    ``rescale``, None (not checked) for ``clamp`` and ``none``."""
    return CEILING_DBTP if mode in ("limit", "rescale") else None


def passes_untouched(known_peak: float | None) -> bool:
    """Whether samples whose true peak (linear) is ``known_peak`` go through every clip mode as they are: below
    the limiter's aim (:func:`core.audio.limiter.aim`, with a margin for the measurement's rounding), so under
    the ceiling and full scale; False when the peak is not known."""
    return known_peak is not None and known_peak * (1 + 1e-4) < aim(CEILING_DBTP)


def check_mode(mode: str, spec: OutputSpec) -> str:
    """Raise AudioWriteError for a clip mode unknown or impossible for ``spec``; returns ``mode``."""
    if mode not in CLIP_MODES:
        raise AudioWriteError(f"unknown clip mode '{mode}' (use {', '.join(CLIP_MODES)})")
    if mode == "none" and not spec.is_float:
        raise AudioWriteError("clip mode 'none' keeps overs only in 32-bit float WAV or AIFF; "
                              "choose --bits 32 or another clip mode")
    return mode


@dataclass
class ClipReport:
    """What one file's clip handling found and did.

    over : sample values (frames x channels) beyond full scale before processing;
    peak_dbtp : true peak before processing (as written: :attr:`written_peak_dbtp`); gain_db : ``rescale``'s gain;
    limited : frames the limiter turned down, by at most ``reduction_db``; clamped : values clipped;
    frames : the file's length.
    """

    path: Path
    mode: str
    over: int = 0
    peak_dbtp: float = -math.inf
    gain_db: float = 0.0
    limited: int = 0
    reduction_db: float = 0.0
    clamped: int = 0
    frames: int = 0
    #: The other files that took the same gain (:mod:`core.audio.shared_gain`), by name; empty when none.
    shared_with: tuple = ()
    #: Lossy files: the gain applied after encoding to hold the decoded true peak (dB, 0 or negative), and
    #: that decoded true peak (dBTP; None when not measured).
    encoded_gain_db: float = 0.0
    decoded_peak_dbtp: float | None = None
    #: A remix's loudness match (:class:`core.audio.loudness_match.LoudnessMatch`: ``describe()``); None when none.
    loudness: object = None
    #: The file's integrated loudness as written (LUFS), where the writer was asked to measure it; else None.
    written_lufs: float | None = None

    @property
    def written_peak_dbtp(self) -> float | None:
        """The written file's true peak where it follows from what was done (dBTP, within the PCM rounding): a lossy
        file's decoded peak (when it is this file's alone: files written with one gain share the highest), the peak
        moved by ``rescale``'s gain, the peak itself where nothing changed the samples; None where the limiter or the
        clamp changed them (not measured again)."""
        if self.decoded_peak_dbtp is not None:
            return None if self.shared_with else self.decoded_peak_dbtp
        if self.limited or self.clamped or not self.peak_dbtp > -200:
            return None
        return self.peak_dbtp + self.gain_db

    def describe(self) -> str:
        """One line for a terminal or a status bar."""
        line = self._describe_encoded()
        return f"{line}; {self.loudness.describe(self.mode)}" if self.loudness is not None else line

    def _describe_encoded(self) -> str:
        line = self._describe_shared()
        if self.decoded_peak_dbtp is None:
            return line
        if self.mode == "clamp":  # the samples are held at full scale; the encoder's overshoot is not
            over = self.decoded_peak_dbtp > 0.0
            return f"{line}; decoded true peak {self.decoded_peak_dbtp:+.1f} dBTP after encoding" + (
                f" (the encoder's overshoot; limit or rescale keep it under {CEILING_DBTP:g} dBTP)" if over else "")
        if self.decoded_peak_dbtp > CEILING_DBTP + 0.05:
            return f"{line}; decoded true peak {self.decoded_peak_dbtp:+.1f} dBTP after encoding, above " \
                   f"{CEILING_DBTP:g} dBTP even {-self.encoded_gain_db:.2f} dB lower: try a lower gain or WAV/FLAC"
        if self.encoded_gain_db:
            return f"{line}; encoded again {-self.encoded_gain_db:.2f} dB lower for the encoder's overshoot " \
                   f"(decoded true peak {self.decoded_peak_dbtp:+.1f} dBTP)"
        return line

    def _describe_shared(self) -> str:
        if not (self.shared_with and (self.limited or self.gain_db)):
            return self._describe()
        others = ", ".join(self.shared_with)
        if self.over == 0 and self.peak_dbtp <= CEILING_DBTP:  # turned down only for the other file's peaks
            if self.mode == "limit":  # the peak as separated: the limiter's gain lowers it by up to its reduction
                return (f"{self.path.name}: peak {self.peak_dbtp:+.1f} dBTP before the limiter; limited "
                        f"{self.limited:,} samples by up to {self.reduction_db:.1f} dB with {others} "
                        "(one gain for both)")
            after = self.peak_dbtp + self.gain_db
            return (f"{self.path.name}: peak {self.peak_dbtp:+.1f} dBTP, {after:+.1f} dBTP once "
                    f"scaled by {self.gain_db:+.2f} dB with {others} (one gain for both)")
        return f"{self._describe()} (one gain with {others})"

    def _describe(self) -> str:
        name = self.path.name
        if self.over == 0 and self.limited == 0 and self.gain_db == 0.0:
            if not self.peak_dbtp > -200:  # no sample above digital silence (the peak's floor is -240 dB)
                return f"{name}: silent (no sample above -200 dBFS)"
            return f"{name}: peak {self.peak_dbtp:+.1f} dBTP, nothing clipped"
        head = (f"{name}: {self.over:,} samples would have clipped (true peak {self.peak_dbtp:+.1f} dBTP)" if self.over
                else f"{name}: no sample beyond full scale, but true peak {self.peak_dbtp:+.1f} dBTP")
        if self.mode == "limit":
            busy = self.frames and self.limited > HEAVY_LIMITING * self.frames
            return f"{head}; limited {self.limited:,} samples by up to {self.reduction_db:.1f} dB to " \
                   f"{CEILING_DBTP:g} dBTP" + (f" (heavy: {self.limited / self.frames:.0%} of the file; a lower "
                                               "gain or the clip mode rescale keeps the dynamics)" if busy else "")
        if self.mode == "rescale":  # one factor: the file's peak moves by exactly the gain (the other file's may
            # be the one that reached the ceiling)
            return f"{head}; scaled by {self.gain_db:+.2f} dB to {self.peak_dbtp + self.gain_db:+.1f} dBTP"
        if self.mode == "clamp":
            return f"{head}; clamped {self.clamped:,} samples (clip mode clamp)"
        return f"{head}; kept as floats beyond full scale (clip mode none)"


class MasteredWriter:
    """An :class:`AtomicAudioWriter` behind a clip mode; same use: ``write`` blocks, then ``commit``.

    Parameters
    ----------
    path : str or Path
    rate : int
    channels : int
    spec : OutputSpec
    mode : str
        One of :data:`CLIP_MODES`.
    tags : dict, optional
        :mod:`core.audio.tags` fields.
    open_output : callable, optional
        ``open_output(tags)`` -> the writer behind the clip mode (``write``, ``finish``, ``abort``,
        ``temp``); default an :class:`core.audio.encoded.EncodedOutputs` of ``path`` (lossy files
        measured after encoding); :mod:`core.audio.shared_gain` passes one of several files.
    groups : sequence of int, optional
        Channels per file when the signal is several files side by side (:mod:`core.audio.shared_gain`):
        :attr:`group_peaks` then gives each file's true peak, measured in the same pass.
    known_peak : float, optional
        The true peak (linear) of exactly the samples that will be written, where the caller measured
        them already (a loudness-matched remix: its first pass, times the gain): not measured again, and
        ``limit`` leaves them untouched when it is below the limiter's aim (:func:`core.audio.limiter.aim`).
    """

    def __init__(self, path, rate: int, channels: int, spec: OutputSpec, mode: str = DEFAULT_CLIP_MODE,
                 tags: dict | None = None, open_output=None, groups=None, known_peak: float | None = None):
        self.report = ClipReport(Path(path), check_mode(mode, spec.check()))
        spec.check_rate(rate, path)
        self.channels = channels
        self._known = known_peak if known_peak is not None and groups in (None, [channels], (channels,)) else None
        self._meter = TruePeakTracker(channels, groups=groups)
        self._tp = 0.0 if self._known is None else float(self._known)
        self._tags = dict(tags or {})

        def atomic_output(file_tags):
            return EncodedOutputs([path], rate, [channels], spec, [file_tags], output_ceiling(mode))

        self._open = open_output or atomic_output
        # rescale opens the file once the gain is known, so its comment tag can state it
        self._out = self._open(self._tags) if mode != "rescale" else None
        needs_limiter = mode == "limit" and not passes_untouched(self._known)
        self._limiter = LookaheadLimiter(rate, channels, CEILING_DBTP, groups=groups) if needs_limiter else None
        self._spool = None
        self._committed = False
        if mode == "rescale":
            folder = Path(path).parent
            if not folder.is_dir():
                raise AudioWriteError(f"{folder}: output folder does not exist")
            try:
                self._spool = TempFile(path, ".f32")
                self._spool_file = open(self._spool.tmp, "wb")
            except OSError as exc:
                if self._spool is not None:
                    self._spool.discard()
                raise write_failure(path, exc) if exc.errno == errno.ENOSPC else \
                    AudioWriteError(describe_os_error(exc, "cannot write there", folder)) from None

    def _measure(self, block: np.ndarray, last: bool = False, over: int | None = None) -> None:
        if self._limiter is None and self._known is None:  # the limiter measures the true peaks itself
            _, tp = self._meter.finish() if last else self._meter.push(block)
            if tp.size:
                self._tp = max(self._tp, float(tp.max()))
        if not last:
            self.report.over += int(channel_overs(block).sum()) if over is None else over

    def _pass(self, block: np.ndarray) -> None:
        """Send a processed block on (to the spool or the file)."""
        if self.report.mode == "clamp":
            self.report.clamped += int(channel_overs(block).sum())
            block = np.clip(block, -1.0, 1.0)
        if self._spool is not None:
            try:
                self._spool_file.write(np.ascontiguousarray(block, np.float32).tobytes())
            except OSError as exc:
                raise write_failure(self.report.path, exc) from None
        elif block.shape[0]:
            self._out.write(block)

    def write(self, block: np.ndarray, over: int | None = None) -> None:
        """Append ``(m, c)`` or ``(m,)`` samples (``over``: their values beyond full scale, when the caller counted)."""
        block = np.asarray(block, np.float32).reshape(len(block), self.channels)
        self.report.frames += block.shape[0]
        self._measure(block, over=over)
        self._pass(self._limiter.push(block) if self._limiter is not None else block)

    def _rescale(self) -> None:
        self._spool_file.close()
        gain = min(1.0, db_to_lin(CEILING_DBTP) / self._tp) if self._tp > 0 else 1.0
        self.report.gain_db = 0.0 if gain == 1.0 else lin_to_db(gain)
        if gain < 1.0:
            said = f"rescaled by {self.report.gain_db:+.2f} dB to {CEILING_DBTP:g} dBTP"
            self._tags["comment"] = f"{self._tags['comment']}; {said}" if self._tags.get("comment") else said
        self._out = self._open(self._tags)
        with open(self._spool.tmp, "rb") as f:
            while True:
                raw = f.read(_SPOOL_BLOCK * self.channels * 4)
                if not raw:
                    break
                self._out.write(np.frombuffer(raw, np.float32).reshape(-1, self.channels) * np.float32(gain))
        self._spool.discard()

    def commit(self) -> ClipReport:
        """Finish processing, write, and rename into place; returns the report."""
        self.finish()
        try:
            self._out.temp.commit()
        except OSError as exc:
            raise AudioWriteError(describe_os_error(exc, "cannot write", self.report.path)) from None
        self._committed = True
        return self.report

    def finish(self) -> ClipReport:
        """Finish processing and writing the temporary file (:attr:`temp`); nothing is renamed yet."""
        self._measure(None, last=True)
        if self._limiter is not None:
            self._pass(self._limiter.finish())
            self._tp = self._limiter.peak
            self.report.limited = self._limiter.limited
            self.report.reduction_db = -lin_to_db(self._limiter.min_gain)
        self.report.peak_dbtp = lin_to_db(self._tp)
        if self._spool is not None:
            self._rescale()
        self._out.finish()
        self.report.encoded_gain_db = self._out.extra_gain_db
        self.report.decoded_peak_dbtp = self._out.decoded_peak_dbtp
        self.report.written_lufs = self._out.written_lufs[0]
        return self.report

    @property
    def written_lufs(self) -> list:
        """Each file's integrated loudness as written (LUFS; None where not measured), once finished."""
        return list(self._out.written_lufs) if self._out is not None else []

    @property
    def group_peaks(self) -> list[float]:
        """Each group's largest true peak before processing (linear; one group: the whole signal's)."""
        if self._known is not None and self._limiter is None:
            return [float(self._known)]
        tracker = self._limiter.tracker if self._limiter is not None else self._meter
        return [float(v) for v in tracker.group_peaks]

    @property
    def temp(self):
        """The finished temporary file (a :class:`core.files.atomic.TempFile`)."""
        return self._out.temp

    def abort(self) -> None:
        if self._spool is not None:
            if not self._spool_file.closed:
                self._spool_file.close()
            self._spool.discard()
        if self._out is not None:
            self._out.abort()

    def __enter__(self) -> "MasteredWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or not self._committed:
            self.abort()


def commit_all(writers) -> list[ClipReport]:
    """Finish several writers and rename their files into place together: all of them or none
    (:func:`core.files.commit.commit_together`); returns their reports (a shared-gain group gives one per file)."""
    reports = []
    for w in writers:  # a shared-gain group (core.audio.shared_gain) gives a list of reports and of temps
        r = w.finish()
        reports.extend(r if isinstance(r, list) else [r])
    temps = [t for w in writers for t in (w.temp if isinstance(w.temp, list) else [w.temp])]
    try:
        commit_together(temps)
    except OSError as exc:
        raise AudioWriteError(describe_os_error(exc, "cannot write", exc.filename2 or exc.filename)) from None
    for w in writers:
        w._committed = True
    return reports


def write_mastered(path, audio: np.ndarray, rate: int, spec: OutputSpec, mode: str = DEFAULT_CLIP_MODE,
                   tags: dict | None = None, block: int = 65536) -> ClipReport:
    """Write a whole signal ``(n,)`` or ``(n, c)`` through a clip mode; returns the report."""
    audio = np.asarray(audio, np.float32)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    with MasteredWriter(path, rate, channels, spec, mode, tags) as w:
        for i in range(0, audio.shape[0], block):
            w.write(audio[i: i + block])
        return w.commit()


def channel_overs(block: np.ndarray) -> np.ndarray:
    """Sample values beyond full scale (``|x| > 1``) per channel of an ``(m, c)`` block, ``(c,)`` int64.

    Most blocks have none: two whole-block reductions (NaN ignored, as the comparison ignores it)
    find that before any channel is counted (numpy's ``count_nonzero`` along an axis of a
    block this shape costs 25 times as much).
    """
    block = block.reshape(len(block), 1) if block.ndim == 1 else block
    if block.size == 0 or (np.fmax.reduce(block, axis=None) <= 1.0 and np.fmin.reduce(block, axis=None) >= -1.0):
        return np.zeros(block.shape[1], np.int64)
    return np.array([np.count_nonzero(np.abs(block[:, c]) > 1.0) for c in range(block.shape[1])], np.int64)


def overs(audio: np.ndarray) -> tuple[int, float]:
    """Sample values beyond full scale and the true peak (dBTP) of a signal in memory (a warning's figures)."""
    audio = np.asarray(audio, np.float32)
    audio = audio.reshape(audio.shape[0], -1)
    meter, peak = TruePeakTracker(audio.shape[1]), 0.0
    for i in range(0, audio.shape[0], _SPOOL_BLOCK):
        _, tp = meter.push(audio[i: i + _SPOOL_BLOCK])
        peak = max(peak, float(tp.max(initial=0.0)))
    peak = max(peak, float(meter.finish()[1].max(initial=0.0)))
    return int(channel_overs(audio).sum()), lin_to_db(peak)
