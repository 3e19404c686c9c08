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
  outside the pan law and playback), writes every planned file through its clip mode
  (:class:`core.audio.headroom.MasteredWriter`) with its tags, and renames them into place
  together (:func:`core.audio.headroom.commit_all`): all of them or none.

Memory is one block per output whatever the length; the spool takes 12 bytes per frame on
disk (about 1.9 GB for an hour at 44.1 kHz) and is removed in every case, a signal included
(:mod:`core.files.interrupts`); one left by a killed process is swept by the next run.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import ClipReport, MasteredWriter, commit_all
from jazzremix_gui.core.files.oserrors import human_bytes
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.files.atomic import TempFile
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal import automation
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.core.signal.separation import RecordedSolo

KINDS = ("solo", "accompaniment", "remix")
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
    """

    def __init__(self, auto, pan: float | None = None, gain: float | None = None):
        self.auto = auto
        self.pan = None if pan is None else float(pan)
        self.gain = None if gain is None else float(gain)

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
    """Float stems read block by block: ``rate`` (Hz), ``frames``, ``solo_level`` (``k``), ``mono`` (the input was).

    ``blocks()`` yields ``(solo (m,), accompaniment (m, 2))`` float32 blocks in order, ``m <= BLOCK``.
    """

    rate: int
    frames: int
    solo_level: float
    mono: bool

    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]: ...


class MemoryStems:
    """The stems of a :class:`core.pipeline.Stems` in memory (the app's track, a cache entry)."""

    def __init__(self, stems: pipeline.Stems, mono: bool = False):
        self.stems, self.mono = stems, mono
        self.rate, self.frames, self.solo_level = stems.rate, len(stems), stems.solo_level

    def blocks(self):
        for i in range(0, self.frames, BLOCK):
            yield self.stems.solo[i: i + BLOCK], self.stems.accompaniment[i: i + BLOCK]


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
        self.rate, self.frames, self.mono, self.solo_level = rate, frames, mono, 1.0

    def blocks(self):
        with open(self.path, "rb") as fh:
            while raw := fh.read(BLOCK * SPOOL_FRAME_BYTES):
                block = np.frombuffer(raw, np.float32).reshape(-1, 3)
                yield block[:, 0], block[:, 1:]

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


def separate_to_spool(input_path, near, separator, mixer=None, report: Reporter | None = None):
    """Separate ``input_path`` (streaming) into a :class:`StemSpool` beside ``near``; the mixer listens if given.

    Returns
    -------
    spool : StemSpool
        Its ``solo_level`` is the recording's ``k``. The caller removes it (``with spool:``).
    suggestion : Suggestion or None
        The mixer's, when a mixer was given.
    """
    report = report or Reporter(None, None)
    # the input's damage or downmix warnings, once: analyse() says them when the mixer runs
    meta = audio_io.probe(input_path) if mixer is not None else audio_io.info(input_path)
    spool = StemSpool(near, meta.rate, meta.frames, meta.channels == 1)
    try:
        with open(spool.path, "wb") as fh:
            def sink(solo, acc):
                fh.write(np.column_stack([solo, acc]).astype(np.float32, copy=False).tobytes())

            if mixer is not None:
                result = pipeline.analyse(meta.path, None, separator, mixer, progress=report, keep_stems=False,
                                          sink=sink)
                spool.solo_level, suggestion = result.stems.solo_level, result.suggestion
            else:
                recorded = RecordedSolo()
                for solo, acc in pipeline.separate_stream(audio_io.read_blocks(meta.path, BLOCK), meta.rate,
                                                          meta.frames, separator, report, recorded=recorded):
                    sink(solo, acc)
                spool.solo_level, suggestion = recorded.level, None
    except OSError as exc:
        spool.discard()
        raise AudioWriteError(f"{Path(near).parent}: cannot write the temporary stems ({exc.strerror})") from None
    except BaseException:
        spool.discard()
        raise
    return spool, suggestion


def kind_block(kind: str, solo: np.ndarray, acc: np.ndarray, pan, gain, level: float, solo_stereo: bool = False,
               mono: bool = False) -> np.ndarray:
    """One block of one output: solo ``(m,)`` (``(m, 2)`` placed when ``solo_stereo``), accompaniment ``(m, 2)``
    (``(m,)`` when ``mono``), remix ``(m, 2)`` = placed solo + accompaniment."""
    if kind == "solo":
        return place_solo(solo, pan, gain, level) if solo_stereo else solo
    if kind == "accompaniment":
        return acc.mean(axis=1) if mono else acc
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


def channels_of(kind: str, solo_stereo: bool = False, mono: bool = False) -> int:
    """Channels of one output kind (see :func:`kind_block`)."""
    return {"solo": 2 if solo_stereo else 1, "accompaniment": 1 if mono else 2, "remix": 2}[kind]


@dataclass
class OutputPlan:
    """Where and how to write: ``targets`` ``{kind: Path}`` in :data:`KINDS`, format, clip mode and options.

    ``keep_mono``: a mono recording's accompaniment is written mono. ``tags``: the input's own
    (:func:`core.audio.tags.read_tags`), ``name`` the input's name, ``models`` the versions for
    the comment tag (:func:`core.audio.tags.output_tags`).
    """

    targets: dict
    spec: OutputSpec
    clip: str
    solo_stereo: bool = False
    keep_mono: bool = False
    tags: dict | None = None
    name: str = ""
    models: dict | None = None


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
    mono = plan.keep_mono and source.mono
    kinds = list(plan.targets)
    placed = "remix" in kinds or ("solo" in kinds and plan.solo_stereo)
    if placed and mix is None:
        raise ValueError("write_outputs: a remix or a placed solo needs a mix")
    with ExitStack() as stack:
        writers = {}
        for kind in kinds:
            file_tags = tags.output_tags(plan.tags or {}, plan.name, kind, plan.models) if plan.name else plan.tags
            writers[kind] = stack.enter_context(MasteredWriter(
                plan.targets[kind], source.rate, channels_of(kind, plan.solo_stereo, mono), plan.spec, plan.clip,
                file_tags))
        pos = 0
        for solo, acc in source.blocks():
            report.check()
            end = pos + solo.shape[0]
            pan, gain = mix.window(pos, end) if placed else (0.0, 1.0)
            for kind, w in writers.items():
                w.write(kind_block(kind, solo, acc, pan, gain, source.solo_level, plan.solo_stereo, mono))
            pos = end
            report(pos / max(source.frames, 1), "writing")
        report.check()
        return commit_all(list(writers.values()))


@dataclass
class RemixResult:
    """What :func:`remix_file` wrote: the clip report, the mix, the suggestion (None when not asked) and models."""

    report: ClipReport
    mix: Mix
    suggestion: object
    models: dict


def remix_file(input_path, out_path, spec: OutputSpec, clip: str, pan: float | None = None,
               gain: float | None = None, whole_track: bool = False, separator=None, mixer=None,
               input_tags: dict | None = None, report: Reporter | None = None) -> RemixResult:
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
                      else input_tags, name=Path(input_path).stem, models=models)
    # the output is checked first: a format, rate or folder it cannot take is said before any work
    spec.check_rate(meta.rate, out_path)
    spool, suggestion = separate_to_spool(input_path, out_path, separator, mixer, report.sub(0.0, 0.9))
    with spool:
        auto = automation.suggestion_automation(suggestion, spool.frames, spool.rate, whole_track) \
            if suggestion is not None else (pan, gain)
        mix = Mix(auto, pan, gain)
        written = write_outputs(spool, mix, plan, report.sub(0.9, 1.0))
    return RemixResult(written[0], mix, suggestion, models)
