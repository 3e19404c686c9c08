"""The one way Jazz Remix writes stems and remixes to files: a source of stem blocks, a mix, a plan of outputs.

Every command that writes a remix comes here: ``jazzremix remix``, ``jazzremix render``, the
app's export (:func:`services.exporting.export_track`) and ``jazzremix batch --remix``. So the
same stems, mix and options give the same samples whichever door they came in by.

- A **source** (:class:`StemSource`) yields the float stems block by block: the stems in
  memory (:class:`MemoryStems`: the app, a cache entry) or a spool of the separator's float
  output beside the outputs (:class:`StemSpool`, written by :func:`separate_to_spool`: the
  commands, which stream and so hold nothing whole).
- A **mix** (:class:`Mix`) is the solo's pan and gain: constants, per-sample arrays, or
  per-section :class:`core.signal.automation.Curves`, with whole-file overrides of either.
- :func:`write_outputs` places the solo (:func:`core.signal.panlaw.place_solo`: the only caller
  outside the pan law and playback), writes every planned file through its clip mode with its
  tags, the solo and the accompaniment with one gain (:class:`core.audio.shared_gain.SharedGainWriter`:
  the stems keep their balance and their sum), matches the remix's loudness to the recording's
  when asked (:mod:`core.audio.loudness_match`: one more pass over the source), and renames
  every file into place together (:func:`core.audio.headroom.commit_all`): all of them or none.

Memory is one block per output whatever the length; the spool takes 12 bytes per frame on
disk (about 1.9 GB for an hour at 44.1 kHz) and is removed in every case, a signal included
(:mod:`core.files.interrupts`); one left by a killed process is swept by the next run.
"""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from jazzremix_gui.core import device, pipeline
from jazzremix_gui.core.audio import audio_io, loudness_match, tags
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, ClipReport, commit_all, passes_untouched
from jazzremix_gui.core.audio.loudness import MIN_RATE, BackgroundMeter, as_played, file_loudness
from jazzremix_gui.core.audio.columns import join_columns, take_columns
from jazzremix_gui.core.audio.shared_gain import SharedGainWriter
from jazzremix_gui.core.files.oserrors import human_bytes
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.files.atomic import TempFile
from jazzremix_gui.core.files.mapped import pieces
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal import automation, solo_rests, stages
from jazzremix_gui.core.signal.features import mid
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.core.signal.separation import RecordedSolo

KINDS = ("solo", "accompaniment", "remix")
#: How the solo file is written: ``mono``, the estimate (n,); ``stereo``, placed at its recorded pan
#: and level (n, 2); ``residual``, the recording minus the accompaniment (n, 2), so that the stems add
#: up to the recording; ``remix``, placed as in the remix (n, 2).
SOLO_MODES = ("mono", "stereo", "residual", "remix")
#: The solo modes of ``jazzremix separate --solo`` (no mix there).
SEPARATE_SOLO_MODES = ("mono", "stereo", "residual")
#: Frames per block read from a source and handed to the writers.
BLOCK = pipeline.READ_BLOCK
#: Bytes per spooled frame: solo, accompaniment L and R as float32.
SPOOL_FRAME_BYTES = 12
#: Ending of a stems spool's temporary name.
SPOOL_SUFFIX = ".stems.f32"


class Mix:
    """The solo's pan (degrees) and gain (1.0 = as recorded) over a track, read a window at a time.

    Parameters
    ----------
    auto : (float, float), (np.ndarray, np.ndarray) [shape=(n,)] or automation.Curves
        The mix before overrides: one cell, per-sample curves, or per-section automation.
    pan, gain : float, optional
        Whole-file overrides: each one given replaces that half of ``auto`` everywhere.
    solo_silent : sequence of (float, float)
        Spans (seconds) where the engineer says the solo rests: the stems are read through :class:`SilencedStems`
        there (the solo silent, the accompaniment the recording).
    """

    def __init__(self, auto, pan: float | None = None, gain: float | None = None, solo_silent=()):
        self.auto = auto
        self.pan = None if pan is None else float(pan)
        self.gain = None if gain is None else float(gain)
        self.solo_silent = tuple((float(a), float(b)) for a, b in solo_silent)

    @classmethod
    def of(cls, pan, gain=None) -> "Mix":
        """``pan`` itself when it is a :class:`Mix` (``gain`` None), else the mix of ``pan`` and ``gain``
        (floats or per-sample arrays)."""
        return pan if isinstance(pan, cls) else cls((pan, gain))

    def window(self, a: int, b: int) -> tuple:
        """Pan and gain for samples ``a`` to ``b``: floats, or ``(b - a,)`` arrays."""
        if isinstance(self.auto, automation.Curves):
            p, g = self.auto.window(a, b)
        else:
            p, g = self.auto
            p = p[a:b] if isinstance(p, np.ndarray) else float(p)
            g = g[a:b] if isinstance(g, np.ndarray) else float(g)
        return (p if self.pan is None else self.pan), (g if self.gain is None else self.gain)

    def spans(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """``((pan_min, pan_max), (gain_min, gain_max))`` of what is written (ramps stay between section values)."""
        if isinstance(self.auto, automation.Curves):
            values = np.array(self.auto.values, float).reshape(-1, 2)
            pans, gains = values[:, 0], values[:, 1]
        else:
            pans, gains = (np.atleast_1d(np.asarray(v, float)) for v in self.auto)
        pans = np.array([self.pan]) if self.pan is not None else pans
        gains = np.array([self.gain]) if self.gain is not None else gains
        return (float(pans.min()), float(pans.max())), (float(gains.min()), float(gains.max()))


class StemSource(Protocol):
    """Float stems read block by block: ``rate`` (Hz), ``frames``, ``solo_level`` (``k``), ``recorded_pan_deg``
    (where the recording has the solo), ``mono`` (the input was).

    ``blocks()`` yields ``(solo (m,), accompaniment (m, 2))`` float32 blocks in order, ``m <= BLOCK``.
    """

    rate: int
    frames: int
    solo_level: float
    recorded_pan_deg: float
    mono: bool

    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]: ...


class MemoryStems:
    """The stems of a :class:`core.pipeline.Stems` in memory (the app's track, a cache entry)."""

    def __init__(self, stems: pipeline.Stems, mono: bool = False):
        self.stems, self.mono = stems, mono
        self.rate, self.frames, self.solo_level = stems.rate, len(stems), stems.solo_level
        self.recorded_pan_deg = stems.recorded_pan_deg

    def blocks(self):
        """Copies of the stems a block at a time (mapped ones give each block's pages back once read)."""
        yield from zip(pieces(self.stems.solo, BLOCK), pieces(self.stems.accompaniment, BLOCK))


class StemSpool:
    """The separator's float output spooled beside the outputs (interleaved float32 solo, acc L, acc R).

    A context manager: leaving it removes the spool, whatever happened.
    """

    def __init__(self, near, rate: int, frames: int, mono: bool = False):
        folder = Path(near).parent
        try:
            self._file = TempFile(near, SPOOL_SUFFIX)
        except OSError as exc:
            raise AudioWriteError(f"{folder}: cannot write there ({exc.strerror})") from None
        self.path = self._file.tmp
        self.rate, self.frames, self.mono, self.solo_level, self.recorded_pan_deg = rate, frames, mono, 1.0, 0.0
        self.recording_lufs: float | None = None  # the recording's, when it was measured while separating

    def blocks(self):
        with open(self.path, "rb") as fh:
            while raw := fh.read(BLOCK * SPOOL_FRAME_BYTES):
                block = np.frombuffer(raw, np.float32).reshape(-1, 3)
                yield block[:, 0], take_columns(block, 1, 3)  # contiguous: numpy is slow on two strided columns

    def discard(self) -> None:
        self._file.discard()

    def __enter__(self) -> "StemSpool":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def spool_bytes(frames: int) -> int:
    """Bytes of the stems spool of ``frames`` frames."""
    return SPOOL_FRAME_BYTES * frames


def space_needed(frames: int, specs, clip: str, spool: bool = True) -> tuple[int, str]:
    """Bytes written beside the outputs for ``frames`` frames, and what they are.

    Parameters
    ----------
    specs : list of (OutputSpec, int)
        Each output's format and channel count.
    clip : str
        ``rescale`` adds a float spool per output (4 bytes per sample).
    spool : bool
        Whether the stems are spooled (:data:`SPOOL_FRAME_BYTES` per frame).
    """
    parts = [(spool_bytes(frames), "stems spool")] if spool else []
    out = sum(frames * channels * (1 if spec.lossy else spec.bits // 8) for spec, channels in specs)
    parts.append((out, "the output" + ("s" if len(specs) > 1 else "")))
    if clip == "rescale":
        parts.append((sum(4 * frames * channels for _, channels in specs), "rescale spool"))
    return sum(n for n, _ in parts), " + ".join(f"{what} {human_bytes(n)}" for n, what in parts)


def check_space(folder: Path, frames: int, specs, clip: str, spool: bool = True) -> None:
    """Raise AudioWriteError when ``folder`` has less free space than :func:`space_needed` (before any work)."""
    need, what = space_needed(frames, specs, clip, spool)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < need:
        raise AudioWriteError(f"{folder}: no space left: needs {human_bytes(need)} beside the output ({what}), "
                              f"{human_bytes(free)} free")


def separate_to_spool(input_path, near, separator, mixer=None, report: Reporter | None = None,
                      measure_recording: bool = False, recorded: RecordedSolo | None = None, others: bool = True):
    """Separate ``input_path`` (streaming) into a :class:`StemSpool` beside ``near``; the mixer listens if given.

    ``measure_recording``: the recording's integrated loudness as it plays (:func:`core.audio.loudness.file_loudness`,
    the same figure) is measured from the blocks the separation reads, on a thread of its own, into the spool's
    ``recording_lufs``: a loudness match then needs no second decode of the input. ``others``: look for other
    parts the separator takes for the solo (``recorded.others_deg``; two to four network calls more); a caller that
    reports none of them (``remix``, ``render``) passes False.

    Returns
    -------
    spool : StemSpool
        Its ``solo_level`` is the recording's ``k``. The caller removes it (``with spool:``).
    suggestion : Suggestion or None
        The mixer's, when a mixer was given.
    """
    report = report or Reporter(None, None)
    meta = audio_io.info(input_path)  # the input's damage or downmix warnings, once (analyse() gets blocks)
    spool = StemSpool(near, meta.rate, meta.frames, meta.channels == 1)
    meter = BackgroundMeter(meta.rate, 2) if measure_recording and meta.rate >= MIN_RATE else None
    blocks = audio_io.read_blocks(meta.path, BLOCK)
    if meter is not None:
        blocks = _metered(blocks, meter)
    try:
        with open(spool.path, "wb") as fh:
            def sink(solo, acc):
                fh.write(join_columns([solo.reshape(-1, 1), acc]).data)  # no column_stack: 7x slower here

            if mixer is not None:
                result = pipeline.analyse(blocks, meta.rate, separator, mixer, progress=report, keep_stems=False,
                                          sink=sink, n_samples=meta.frames, others=others, recorded=recorded)
                spool.solo_level, suggestion = result.stems.solo_level, result.suggestion
                spool.recorded_pan_deg = result.stems.recorded_pan_deg
            else:
                recorded = recorded if recorded is not None else RecordedSolo()  # the caller's, where it asks
                for solo, acc in pipeline.separate_stream(blocks, meta.rate, meta.frames, separator, report,
                                                          recorded=recorded, others=others):
                    sink(solo, acc)
                spool.solo_level, spool.recorded_pan_deg, suggestion = recorded.level, recorded.pan_deg, None
        if meter is not None:
            spool.recording_lufs = meter.integrated()
    except OSError as exc:
        spool.discard()
        raise AudioWriteError(f"{Path(near).parent}: cannot write the temporary stems ({exc.strerror})") from None
    except BaseException:
        spool.discard()
        raise
    finally:
        if meter is not None:
            meter.close()
    return spool, suggestion


def _metered(blocks: Iterator[np.ndarray], meter: BackgroundMeter) -> Iterator[np.ndarray]:
    """``blocks`` (``(m, c)``, c 1 or 2), each also handed to ``meter`` as it plays (a mono one on both channels)."""
    for block in blocks:
        meter.push(as_played(np.asarray(block, np.float32).reshape(len(block), -1)))
        yield block


def kind_block(kind: str, solo: np.ndarray, acc: np.ndarray, pan, gain, level: float, solo_mode: str = "mono",
               mono: bool = False, recorded_pan: float = 0.0, recording: np.ndarray | None = None) -> np.ndarray:
    """One block of one output.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    solo, acc : np.ndarray [shape=(m,), (m, 2)]
        The float stems.
    pan, gain : float or np.ndarray [shape=(m,)]
        The mix (degrees; 1.0 = as recorded); ``level`` is the recording's ``k``.
    solo_mode : str
        One of :data:`SOLO_MODES`; ``residual`` needs ``recording`` (m, 2), ``stereo`` ``recorded_pan``.
    mono : bool
        The accompaniment (and a residual solo) as one channel.

    Returns
    -------
    np.ndarray
        solo ``(m,)`` or ``(m, 2)``; accompaniment ``(m, 2)`` or ``(m,)``; remix ``(m, 2)`` = placed solo + accompaniment.
    """
    if kind == "solo":
        if solo_mode == "residual":
            residual = recording - acc
            return mid(residual) if mono else residual
        if solo_mode == "stereo":
            return place_solo(solo, recorded_pan, 1.0, level)
        return place_solo(solo, pan, gain, level) if solo_mode == "remix" else solo
    if kind == "accompaniment":
        return mid(acc) if mono else acc
    return place_solo(solo, pan, gain, level) + acc


def render_remix(stems: pipeline.Stems, pan_deg, gain) -> np.ndarray:
    """The whole stereo remix in memory, ``[k gain g_L solo, k gain g_R solo] + accompaniment`` (gain 1.0 = as
    recorded; the app's loudness match, scripts): the same numbers :func:`write_outputs` writes.

    Parameters
    ----------
    stems : pipeline.Stems
        ``k`` is ``stems.solo_level``.
    pan_deg, gain : float or np.ndarray [shape=(n,)]
        Pan (degrees, -45 .. 45) and gain relative to the recording, constant or per sample (automation).

    Returns
    -------
    np.ndarray [shape=(n, 2), dtype=float32]
    """
    return kind_block("remix", stems.solo, stems.accompaniment, pan_deg, gain, stems.solo_level)


def remix_blocks(stems: pipeline.Stems, mix: Mix, recording=None) -> Iterator[np.ndarray]:
    """The stereo remix of :func:`render_remix` a block at a time ``(m, 2)`` (mapped stems: each block's pages
    given back once read); ``recording``, the input file, where ``mix`` has the solo silent in places."""
    pos = 0
    for solo, acc in SilencedStems.of(MemoryStems(stems), mix, recording).blocks():
        pan, gain = mix.window(pos, pos + solo.shape[0])
        pos += solo.shape[0]
        yield kind_block("remix", solo, acc, pan, gain, stems.solo_level)


def channels_of(kind: str, solo_mode: str = "mono", mono: bool = False) -> int:
    """Channels of one output kind (see :func:`kind_block`)."""
    solo = 1 if solo_mode == "mono" or (solo_mode == "residual" and mono) else 2
    return {"solo": solo, "accompaniment": 1 if mono else 2, "remix": 2}[kind]


class RecordingReader:
    """The recording read in step with the stems (the ``residual`` solo): :meth:`take` gives its next frames."""

    def __init__(self, path):
        self._path = Path(path)
        self._blocks = audio_io.read_blocks(self._path, BLOCK)
        self._held = np.zeros((0, 2), np.float32)

    def take(self, k: int) -> np.ndarray:
        """The next ``k`` frames, ``(k, 2)`` float32 (a mono recording on both channels)."""
        while self._held.shape[0] < k:
            block = next(self._blocks, None)
            if block is None:
                raise AudioWriteError(f"{self._path}: shorter than its stems: it changed since it was separated")
            block = np.asarray(block, np.float32).reshape(len(block), -1)
            self._held = np.concatenate([self._held, np.repeat(block, 2, axis=1) if block.shape[1] == 1
                                         else block[:, :2]])
        out, self._held = self._held[:k], self._held[k:]
        return out


class SilencedStems:
    """A :class:`StemSource` with the solo silenced where the engineer says it rests (:mod:`core.signal.solo_rests`):
    in ``spans`` (seconds) the accompaniment is the recording (the file at ``path``, read in step with the stems)."""

    def __init__(self, source: StemSource, path, spans):
        self.source, self.path, self.spans = source, Path(path), tuple(spans)
        self.rate, self.frames, self.mono = source.rate, source.frames, source.mono
        self.solo_level, self.recorded_pan_deg = source.solo_level, source.recorded_pan_deg

    @classmethod
    def of(cls, source: StemSource, mix, path) -> StemSource:
        """``source`` read through the spans of ``mix`` (a :class:`Mix`, or None), itself when there are none."""
        if mix is None or not mix.solo_silent:
            return source
        if path is None:
            raise ValueError("SilencedStems: a mix with the solo silent in places needs the recording")
        return cls(source, path, mix.solo_silent)

    def blocks(self):
        recording, pos = RecordingReader(self.path), 0
        for solo, acc in self.source.blocks():
            m = solo.shape[0]
            yield solo_rests.silence(solo, acc, recording.take(m), self.spans, pos, self.rate)
            pos += m


@dataclass
class OutputPlan:
    """Where and how to write: ``targets`` ``{kind: Path}`` in :data:`KINDS`, format, clip mode and options.

    ``solo``: one of :data:`SOLO_MODES`. ``keep_mono``: a mono recording's accompaniment is written
    mono. ``tags``: the input's own (:func:`core.audio.tags.read_tags`), ``name`` the input's name,
    ``models`` the versions for the comment tag (:func:`core.audio.tags.output_tags`).
    ``loudness``: the remix ``keep`` as computed or ``match`` the recording's loudness
    (:mod:`core.audio.loudness_match`). ``recording``: the input file, read again for a
    ``residual`` solo and a loudness ``match``.
    """

    targets: dict
    spec: OutputSpec
    clip: str
    solo: str = "mono"
    keep_mono: bool = False
    tags: dict | None = None
    name: str = ""
    models: dict | None = None
    loudness: str = "keep"
    recording: Path | None = None

    def check(self) -> None:
        """Raise ValueError for a solo or loudness mode unknown, or a missing recording."""
        if self.solo not in SOLO_MODES:
            raise ValueError(f"solo mode {self.solo!r}: use one of {', '.join(SOLO_MODES)}")
        if self.loudness not in loudness_match.LOUDNESS_MODES:
            raise ValueError(f"loudness {self.loudness!r}: use one of {', '.join(loudness_match.LOUDNESS_MODES)}")
        if self.recording is None and (self.loudness == "match" and "remix" in self.targets
                                       or self.solo == "residual" and "solo" in self.targets):
            raise ValueError("OutputPlan: a residual solo or a loudness match needs the recording")

    def file_tags(self, kind: str) -> dict | None:
        """The tags of one output (the kind, and the solo's mode, in its title)."""
        if not self.name:
            return self.tags
        return tags.output_tags(self.tags or {}, self.name, pipeline.stem_title(kind, self.solo), self.models)


def write_outputs(source: StemSource, mix: Mix | None, plan: OutputPlan, report: Reporter | None = None
                  ) -> list[ClipReport]:
    """Write every output of ``plan`` from ``source`` under ``mix``, streaming; all of them or none.

    Parameters
    ----------
    source : StemSource
    mix : Mix or None
        None only when neither a remix nor a placed solo is planned.
    plan : OutputPlan
    report : Reporter, optional
        Progress (0 to 1 over the writing; :meth:`Reporter.sub` for a share of a bar) and cancel.

    Returns
    -------
    list of ClipReport
        One per file, in the order of ``plan.targets``.
    """
    report = report or Reporter(None, None)
    plan.check()
    source = SilencedStems.of(source, mix, plan.recording)
    mono = plan.keep_mono and source.mono
    kinds = list(plan.targets)
    placed = "remix" in kinds or ("solo" in kinds and plan.solo == "remix")
    if placed and mix is None:
        raise ValueError("write_outputs: a remix or a placed solo needs a mix")
    match = None
    if plan.loudness == "match" and "remix" in kinds:
        match = _loudness_match(source, mix, plan.recording, report.sub(0.0, 0.5))
        report = report.sub(0.5, 1.0)
    recording = RecordingReader(plan.recording) if plan.solo == "residual" and "solo" in kinds else None
    stems = [k for k in KINDS[:2] if k in kinds]  # one gain for both: they keep their sum
    groups = ([stems] if stems else []) + [[k] for k in kinds if k not in stems]
    with ExitStack() as stack:
        measured = match is not None and not match.unmeasurable  # the remix's loudness as written, for the report
        # a lossless remix whose true peak (the match's pass, times the gain) no clip mode touches is written as
        # measured there: its loudness is the match's figure plus the gain, with no meter on the written samples
        untouched = measured and not plan.spec.lossy and passes_untouched(match.output_peak)
        writers = [stack.enter_context(SharedGainWriter(
            [plan.targets[k] for k in group], source.rate, [channels_of(k, plan.solo, mono) for k in group],
            plan.spec, plan.clip, [plan.file_tags(k) or {} for k in group],
            loudness=measured and not untouched and group == ["remix"],
            # the remix's true peak is known from the match's pass: the same samples times the gain
            known_peak=match.output_peak if measured and group == ["remix"] else None)) for group in groups]
        def outputs(blocks):  # each block of every output, on a thread of its own beside the writers
            pos = 0
            for solo, acc in blocks:
                end = pos + solo.shape[0]
                pan, gain = mix.window(pos, end) if placed else (0.0, 1.0)
                rec = recording.take(solo.shape[0]) if recording is not None else None
                yield end, {k: loudness_match.apply(kind_block(k, solo, acc, pan, gain, source.solo_level, plan.solo,
                                                               mono, source.recorded_pan_deg, rec),
                                                    match if k == "remix" else None) for k in kinds}
                pos = end

        for end, out in stages.chain(source.blocks(), [outputs], threads=device.step_threads()):
            report.check()
            for group, w in zip(groups, writers):
                w.write(*(out[k] for k in group))
            report(end / max(source.frames, 1), f"writing {', '.join(kinds)}")
        report.check()
        by_path = {r.path: r for r in commit_all(writers)}
    reports = [by_path[Path(plan.targets[k])] for k in kinds]
    if match is not None:
        remix = by_path[Path(plan.targets["remix"])]
        if untouched:  # the samples measured in the match's pass, times the gain (the PCM rounding aside)
            match.output_lufs = match.remix_lufs + match.gain_db
        elif not match.unmeasurable:  # what was written, limiter and encoder included
            match.output_lufs = remix.written_lufs if remix.written_lufs is not None else file_loudness(remix.path)
        remix.loudness = match
    return reports


def _loudness_match(source: StemSource, mix: Mix, recording, report: Reporter) -> loudness_match.LoudnessMatch:
    """Pass 1 of a loudness match: the remix as computed, measured (BS.1770, true peak), against the recording."""
    match = loudness_match.not_measurable(source.rate, CEILING_DBTP, source.frames)
    if match is not None:
        return match
    meter = loudness_match.RemixMeter(source.rate)
    stop = threading.Event()
    # the recording is measured on a thread beside this pass (the K-weighting releases the GIL), unless the
    # separation measured it already (separate_to_spool's measure_recording)
    known = getattr(source, "recording_lufs", None)
    with ThreadPoolExecutor(1, thread_name_prefix="jazzremix-recording-loudness") as side:
        recorded = side.submit(file_loudness, recording, cancel=stop.is_set) if known is None else None
        def remix(blocks):  # the remix's blocks on a thread of their own beside the meter
            pos = 0
            for solo, acc in blocks:
                end = pos + solo.shape[0]
                yield end, kind_block("remix", solo, acc, *mix.window(pos, end), source.solo_level)
                pos = end

        try:
            for end, block in stages.chain(source.blocks(), [remix], threads=device.step_threads()):
                report.check()
                meter.write(block)
                report(end / max(source.frames, 1), "measuring the loudness")
        except BaseException:
            stop.set()  # the thread ends within a block; the with waits for it
            meter.close()
            raise
        input_lufs = recorded.result() if recorded is not None else known
    return loudness_match.match_gain(input_lufs, *meter.finish(), CEILING_DBTP)


@dataclass
class RemixResult:
    """What :func:`remix_file` wrote: the clip report, the mix, the suggestion (None when not asked), models and what
    the separation found of the solo (:class:`RecordedSolo`: the level and DC offset the separator heard it with)."""

    report: ClipReport
    mix: Mix
    suggestion: object
    models: dict
    recorded: RecordedSolo

    @property
    def loudness(self):
        """The loudness match (:class:`core.audio.loudness_match.LoudnessMatch`), None when kept as computed."""
        return self.report.loudness


def remix_file(input_path, out_path, spec: OutputSpec, clip: str, pan: float | None = None,
               gain: float | None = None, whole_track: bool = False, separator=None, mixer=None,
               input_tags: dict | None = None, report: Reporter | None = None, loudness: str = "keep",
               solo_silent=()) -> RemixResult:
    """Separate ``input_path`` and write its stereo remix to ``out_path``, streaming (``jazzremix remix``).

    Two passes, since the suggestion and the recording's solo level are known only at the
    end: :func:`separate_to_spool` (the mixer listens unless both ``pan`` and ``gain`` are
    given), then :func:`write_outputs` from the spool.

    Parameters
    ----------
    spec : OutputSpec
    clip : str
        Clip mode (:mod:`core.audio.headroom`).
    pan, gain : float, optional
        Whole-file pan (degrees) and gain (1.0 = as recorded); each one not given follows
        the mixer's suggestion (per section unless ``whole_track``).
    separator, mixer : SessionLike, optional
        Default: the installed models (the mixer only when needed).
    input_tags : dict, optional
        The input's tags (default: read from it).
    loudness : str
        ``keep`` (the remix as computed) or ``match`` (as loud as the recording, under the ceiling).
    solo_silent : sequence of (float, float)
        Spans (seconds) where the solo rests: there the solo is silent and the accompaniment is the recording
        (:class:`SilencedStems`), so nothing the separator gave the solo in them moves with its pan and gain.

    Returns
    -------
    RemixResult
    """
    report = report or Reporter(None, None)
    need_mixer = pan is None or gain is None
    meta = audio_io.probe(input_path)  # separate_to_spool says its warnings
    out_path = Path(out_path)
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise AudioWriteError(f"{folder}: output folder does not exist")
    separator = separator or pipeline.load_model(None, "separator")
    mixer = (mixer or pipeline.load_model(None, "mixer")) if need_mixer else None
    check_space(folder, meta.frames, [(spec, 2)], clip)
    models = {"separator": separator.meta.version, **({"mixer": mixer.meta.version} if mixer is not None else {})}
    plan = OutputPlan({"remix": out_path}, spec, clip, tags=tags.read_tags(input_path) if input_tags is None
                      else input_tags, name=Path(input_path).stem, models=models, loudness=loudness,
                      recording=Path(input_path))
    # the output is checked first: a format, rate or folder it cannot take is said before any work
    spec.check_rate(meta.rate, out_path)
    recorded = RecordedSolo()
    spool, suggestion = separate_to_spool(input_path, out_path, separator, mixer, report.sub(0.0, 0.9),
                                          measure_recording=loudness == "match", recorded=recorded,
                                          others=False)  # not reported
    with spool:
        auto = automation.suggestion_automation(suggestion, spool.frames, spool.rate, whole_track) \
            if suggestion is not None else (pan, gain)
        mix = Mix(auto, pan, gain, solo_silent)
        written = write_outputs(spool, mix, plan, report.sub(0.9, 1.0))
    return RemixResult(written[0], mix, suggestion, models, recorded)


def separate_stems(input_path, targets: dict, spec: OutputSpec, clip: str, keep_mono: bool = False,
                   solo: str = "mono", separator=None, report: Reporter | None = None,
                   recorded: RecordedSolo | None = None, solo_silent=()) -> tuple[ClipReport, ...]:
    """``jazzremix separate``: the stems of ``input_path`` into ``targets`` ``{stem: Path}``, all or none.

    ``solo`` is one of :data:`SEPARATE_SOLO_MODES`. ``mono`` and ``residual`` stream in one pass
    (:func:`core.pipeline.separate_file`); ``stereo`` places the solo at the recording's pan and level,
    known only at the end: separated into a spool first (:func:`separate_to_spool`), then written
    by :func:`write_outputs`; so are the stems with ``solo_silent`` spans (seconds; :class:`SilencedStems`). Returns
    one report per stem, in the order of ``targets``; ``recorded`` receives how the solo sits in the recording (its
    side, level and share).
    """
    report = report or Reporter(None, None)
    if solo not in SEPARATE_SOLO_MODES:
        raise ValueError(f"solo mode {solo!r}: use one of {', '.join(SEPARATE_SOLO_MODES)}")
    separator = separator or pipeline.load_model(None, "separator")
    if solo != "stereo" and not solo_silent:
        return pipeline.separate_file(input_path, model=separator, progress=report,  # it checks cancel too
                                      targets=targets, spec=spec, clip=clip, keep_mono=keep_mono, solo=solo,
                                      recorded=recorded)
    meta = audio_io.info(input_path)
    first = Path(next(iter(targets.values())))
    mono = keep_mono and meta.channels == 1
    check_space(first.parent, meta.frames, [(spec, channels_of(k, solo, mono)) for k in targets], clip)
    plan = OutputPlan(dict(targets), spec, clip, solo, keep_mono, tags.read_tags(meta.path), meta.path.stem,
                      {"separator": separator.meta.version}, recording=meta.path)
    spool, _ = separate_to_spool(meta.path, first, separator, None, report.sub(0.0, 0.95), recorded=recorded)
    with spool:
        source = SilencedStems(spool, meta.path, solo_silent) if solo_silent else spool
        return tuple(write_outputs(source, None, plan, report.sub(0.95, 1.0)))
