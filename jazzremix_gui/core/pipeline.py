"""The single seam every caller uses: CLI, GUI worker, evaluation and tests.

- :func:`separate` (in memory) and :func:`separate_file` (file to files, streaming, bounded
  memory) split a recording into solo (mono) and accompaniment (stereo) at the input's
  own rate and length, sample-aligned with it.
- :func:`suggest` runs the mixer over the solo and decodes pan and gain.
- :func:`analyse` does both in one streaming pass (the CLI's ``suggest`` and ``remix`` and the
  app's worker call it; without ``keep_stems`` memory stays bounded for any length).
- :func:`load_model` loads a model; :func:`default_model_path` is the one choice of default models.
- Placing the solo and writing remixes is :mod:`services.remix_writer`'s (the one writer).

Every long call takes ``progress(fraction, message)`` and ``cancel()`` hooks.
"""

from __future__ import annotations

import functools
import itertools
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core import device
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.files.mapped import pieces
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.errors import DiskFullError, ModelError
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import DEFAULT_CLIP_MODE, ClipReport, commit_all
from jazzremix_gui.core.audio.shared_gain import SharedGainWriter
from jazzremix_gui.core.models import ACCOMPANIMENT_SOURCES, ModelSession, SessionLike, pairs_with, with_solo_side
from jazzremix_gui.core.files.oserrors import check_free_space, disk_full
from jazzremix_gui.core.signal.panlaw import SOLO_LEVEL_DEFAULT
from jazzremix_gui.core.progress import CancelFn, ProgressFn, Reporter
from jazzremix_gui.core.signal import stages
from jazzremix_gui.core.signal.features import mid
from jazzremix_gui.core.signal.input_level import WAIT_SECONDS, level_of
from jazzremix_gui.core.signal.stft import frame_centre, reusing_memory
from jazzremix_gui.core.signal.separation import (Analyser, Network, RecordedSolo, Synthesiser, Work, join,
                                                  pan_aware_of)
from jazzremix_gui.core.signal.mixer import MixerStream, Suggestion, run_mixer
from jazzremix_gui.core.signal.pitch_comb import PitchComb
from jazzremix_gui.core.signal.side_by_pitch import SideChoice, SideReading, VoicedShare, pick_side

log = logging.getLogger(__name__)

#: Input samples read per step when streaming (about 1.5 s at 44.1 kHz).
READ_BLOCK = 65536


@dataclass
class Stems:
    """Result of :func:`separate`.

    Attributes
    ----------
    solo : np.ndarray [shape=(n,), dtype=float32]
        Mono solo estimate.
    accompaniment : np.ndarray [shape=(n, 2), dtype=float32]
        Stereo accompaniment estimate.
    rate : int
        Sample rate in Hz (the input's).
    model_version : str
    solo_level : float
        The recording's solo level ``k`` (gain convention, :mod:`core.signal.panlaw`): the solo placed
        with ``k gain g(pan)`` at gain 1.0 is as loud as recorded. sqrt(2) when unknown.
    recorded_pan_deg : float
        Where the solo sits in the recording (degrees, -45 .. 45).
    solo_share_db : float
        The solo's share of the recording's energy in dB (0 when unknown; -inf for silence).
    others_deg : tuple of float
        Pans (degrees) of other parts the separator also took for the solo, each holding its place
        (:attr:`core.signal.separation.RecordedSolo.others_deg`): where else the solo may be.
    heard_gain_db : float
        The gain (dB) the network heard the recording with (:mod:`core.signal.input_level`; 0: as it is).
    dc_offset : tuple of float
        The DC offset (full scale, left and right) the separator did not hear, left in the accompaniment
        (:mod:`core.signal.input_level`); (): none.
    pitch_comb_s : float
        Seconds of mono material whose solo was kept to the partials of its own pitch (:mod:`core.signal.pitch_comb`).
    transferred_s : float
        Of those, seconds whose two channels differ: a mono record transferred in stereo (:mod:`core.signal.near_mono`).
    """

    solo: np.ndarray
    accompaniment: np.ndarray
    rate: int
    model_version: str = ""
    solo_level: float = SOLO_LEVEL_DEFAULT
    recorded_pan_deg: float = 0.0
    solo_share_db: float = 0.0
    others_deg: tuple = ()
    heard_gain_db: float = 0.0
    dc_offset: tuple = ()
    pitch_comb_s: float = 0.0
    transferred_s: float = 0.0

    @classmethod
    def of(cls, solo: np.ndarray, accompaniment: np.ndarray, rate: int, version: str, recorded: RecordedSolo) -> Stems:
        """The stems of a separation with what it found of the solo (``recorded``, complete)."""
        return cls(solo, accompaniment, rate, version, solo_level=recorded.level, recorded_pan_deg=recorded.pan_deg,
                   solo_share_db=recorded.share_db, others_deg=recorded.others_deg,
                   heard_gain_db=recorded.heard_gain_db, dc_offset=recorded.dc_offset,
                   pitch_comb_s=recorded.pitch_comb_s, transferred_s=recorded.transferred_s)

    def __len__(self) -> int:
        return int(self.solo.shape[0])


@functools.lru_cache(maxsize=8)
def _cached_model(path: str, kind: str, mtime: float, threads: int | None = None, spin: bool = True) -> ModelSession:
    return ModelSession(path, kind, threads=threads, spin=spin)


def default_model_path(kind: str) -> Path:
    """The model used when none is named: the shipped one, or for the mixer the user's fine-tuned one if it exists."""
    if kind == "mixer" and paths.user_mixer_path().exists():
        return paths.user_mixer_path()
    return paths.shipped_model(kind)


def load_model(path=None, kind: str = "separator", threads: int | None = None) -> ModelSession:
    """Load (once, cached by path, modification time and threads) a model; default: :func:`default_model_path`.

    ``threads``: ONNX Runtime intra-op threads (batch workers sharing a machine pass their
    share); default: :func:`core.device.model_threads`, the cores idle now less one for the other steps, without
    spin-waiting.
    """
    if path is None:
        path = default_model_path(kind)
        if not Path(path).exists():
            raise ModelError(f"{path}: no {kind} model is installed")
    p = Path(path)
    if not p.exists():
        raise ModelError(f"{p}: model file not found")
    if threads is None:
        return _cached_model(str(p.resolve()), kind, p.stat().st_mtime, device.model_threads(), False)
    return _cached_model(str(p.resolve()), kind, p.stat().st_mtime, threads)


def _as_stereo(block: np.ndarray) -> np.ndarray:
    """``(m, 1)`` or ``(m,)`` -> ``(m, 2)`` by duplication; stereo passes through."""
    block = np.asarray(block, np.float32)
    if block.ndim == 1:
        block = block[:, None]
    return np.repeat(block, 2, axis=1) if block.shape[1] == 1 else block


def separate_stream(blocks: Iterable[np.ndarray], rate: int, n_samples: int, model: SessionLike | None = None,
                    progress: ProgressFn = None, cancel: CancelFn = None, block_frames: int | None = None,
                    alpha: float | None = None, recorded: RecordedSolo | None = None,
                    tap=None, *, threads: bool | None = None, pan_aware=None,
                    rows_tap=None, rows_kind: str | None = None,
                    others: bool = True, level=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Separate a signal given as consecutive blocks; yields ``(solo (k,), accompaniment (k, 2))`` blocks.

    Reading ``blocks``, the STFT, the network and the Wiener filter with the inverse STFT each
    run on a thread of their own when ``threads`` (:mod:`core.signal.stages`), while the caller
    uses the yielded blocks on its thread (writing files, the mixer): the same blocks, the same
    samples, the same progress as on one thread.

    Parameters
    ----------
    blocks : iterable of np.ndarray [shape=(m, c)]
        The input, mono or stereo, at ``rate`` Hz.
    rate : int
    n_samples : int
        Total input length; the yielded blocks add up to exactly this many samples.
    model : SessionLike, optional
        A separator; default: the shipped one.
    alpha : float, optional
        Wiener power; default: the model's ``wiener_alpha`` metadata.
    pan_aware : core.signal.spatial.PanAware or False, optional
        The pan-aware Wiener step; default: the model's ``pan_aware`` metadata; False: none.
    recorded : RecordedSolo, optional
        Receives the solo's energies per channel (its level ``k``, recorded pan and share of
        the energy) as the blocks go by, as they were when each block was made, and the other
        parts that hold their place as the solo does (``others_deg``); complete once the
        generator is exhausted.
    others : bool
        Look for those other parts (the pan-aware step with a steered input, the solo's side read:
        two to four more network calls per recording; the stems are the same).
    level : core.signal.input_level.LevelRange or False, optional
        The levels the network hears the recording at, measured on its start (``recorded.heard_gain_db`` says the
        gain); default: :data:`core.signal.input_level.DEFAULT_RANGE`; False: as it is.
    tap : callable, optional
        ``tap(solo44 (k,), accompaniment44 (k, 2))`` gets every block at 44.1 kHz as the
        engine makes it (the mixer listens here), before resampling back to ``rate``; on the caller's thread.
    threads : bool, optional
        Run the steps on threads of their own; default: when this process may use two cores
        or more (:func:`core.device.step_threads`).
    rows_tap : callable, optional
        ``rows_tap(first_frame, rows)`` gets the accompaniment's rows for a mixer of input kind ``rows_kind``
        (:func:`core.signal.features.separation_accompaniment`) of the frames each block finished, made from
        the separator's own spectra (:meth:`core.signal.mixer.MixerStream.push_accompaniment_rows`); on the
        caller's thread, before ``tap`` gets the block's samples.
    """
    model = model or load_model(None, "separator")
    report = Reporter(progress, cancel)
    recorded = recorded if recorded is not None else RecordedSolo()
    threads = device.step_threads() if threads is None else threads
    steps = _SeparationSteps(model, rate, n_samples, block_frames, alpha, pan_aware,
                             rows_kind if rows_tap is not None else None, others, level)
    blocks, mono = _mono_start(blocks)
    if mono and model.meta.mono_comb:  # the pitch comb on a thread of its own, beside the next block's synthesis
        chained = [steps.analyse, steps.network, steps.synthesise, steps.let_out]
    else:  # the comb at most on a transfer or a stretch turning mono: one thread fewer to hand each block on
        chained = [steps.analyse, steps.network, lambda items: steps.let_out(steps.synthesise(items))]
    report(0.0, "separating")
    with reusing_memory():  # the mixer's transforms on this thread too
        for out in stages.chain(blocks, chained, threads=threads, light=_light):
            recorded.take(out.found)
            if out.rows is not None:
                rows_tap(*out.rows)
            if out.samples44 is not None:
                if tap is not None:
                    tap(*out.samples44)
                yield out.samples
            if out.last:
                report(1.0, "separated")
            else:
                report(out.fraction, "separating")


def _mono_start(blocks: Iterable[np.ndarray]) -> tuple[Iterator[np.ndarray], bool]:
    """``blocks`` (the same items) and whether the first is mono: one channel, or two the same."""
    blocks = iter(blocks)
    first = next(blocks, None)
    if first is None:
        return iter(()), False
    mono = first.ndim == 1 or first.shape[1] == 1 or np.array_equal(first[:, 0], first[:, 1])
    return itertools.chain([first], blocks), bool(mono)


def _light(item) -> bool:
    """Items that do not count towards the separation's queue depths: progress ticks and outputs without samples."""
    return (isinstance(item, _Tick) or (isinstance(item, _Out) and item.samples is None)
            or (isinstance(item, _Block44) and not item.solo.shape[0]))


@dataclass
class _Tick:
    """After each input block (``last``: after the whole input): the progress so far."""

    fraction: float
    last: bool = False


@dataclass
class _Block44:
    """What the synthesis lets out after each input block, at 44.1 kHz: ``solo`` ``(k,)`` and ``acc`` ``(k, 2)``,
    ``x`` the input (``(k, 2)``; None when the input is at 44.1 kHz), ``spans`` the frame centres ``[c0, c1)``
    (global samples) of the mono blocks it took since the previous one; ``found``, ``fraction``, ``last`` and ``rows``
    as in :class:`_Out`."""

    solo: np.ndarray
    acc: np.ndarray
    x: np.ndarray | None
    spans: list
    found: RecordedSolo
    fraction: float
    last: bool
    rows: tuple | None


@dataclass
class _Out:
    """What :func:`separate_stream` hands its caller after each input block.

    ``samples`` (``(solo (k,), accompaniment (k, 2))`` at the input's rate) and ``samples44``
    (the same at 44.1 kHz) are None when the block let nothing out; ``found`` is
    :class:`RecordedSolo` as it was then (a copy); ``rows`` the mixer's ``(first frame, rows)`` of the frames
    finished since the previous one (or None).
    """

    samples: tuple[np.ndarray, np.ndarray] | None
    samples44: tuple[np.ndarray, np.ndarray] | None
    found: RecordedSolo
    fraction: float
    last: bool = False
    rows: tuple | None = None


class _SeparationSteps:
    """The steps of :func:`separate_stream`, each a generator over the previous one's items.

    :meth:`analyse`: input blocks -> resampled to 44.1 kHz -> :class:`Work` (STFT, network input)
    and a :class:`_Tick` after each block; :meth:`network`: the separator on each ``Work``;
    :meth:`synthesise`: Wiener filter, inverse STFT -> one :class:`_Block44` per tick; :meth:`let_out`: the
    pitch comb on mono material, resampled back -> one :class:`_Out` per tick.
    """

    def __init__(self, model: SessionLike, rate: int, n_samples: int, block_frames: int | None,
                 alpha: float | None, pan_aware=None, rows_kind: str | None = None, others: bool = False,
                 level=None):
        self.model, self.rate, self.n = model, rate, n_samples
        n44 = audio_io.resampled_length(n_samples, rate, MODEL_RATE)
        kwargs = {} if block_frames is None else {"block_frames": block_frames}
        self.synthesis = Synthesiser(model.meta.hop, model.meta.wiener_alpha if alpha is None else alpha,
                                     pan_aware=pan_aware_of(model, pan_aware), rows_kind=rows_kind)
        self.run_network = Network(model, self.synthesis.pan_aware, others=others)
        self.analysis = Analyser(n44, model.meta.hop, model.meta.context_frames, steered=self.run_network.steers,
                                 level=level_of(level), **kwargs)
        # at another rate than the separation's, the input as it came, for the accompaniment (_synthesise)
        self._native = audio_io.SampleQueue(2) if rate != MODEL_RATE else None
        self.n44 = n44
        self.comb: PitchComb | None = None  # from the first mono block on: the solo kept to its pitch's partials

    def analyse(self, blocks: Iterator[np.ndarray]) -> Iterator:
        to44 = audio_io.StreamResampler(self.rate, MODEL_RATE, 2)
        with reusing_memory():
            for block in blocks:
                block = _as_stereo(block)
                if self._native is not None:
                    self._native.put(block)
                if not (yield from self._ticked(self.analysis.feed(to44.push(block)))):
                    yield _Tick(self.analysis.fraction_done)
            yield from self._ticked(self.analysis.feed(to44.finish()))
            yield from self._ticked(self.analysis.feed_last())
        yield _Tick(1.0, last=True)

    def _ticked(self, works: Iterator) -> Iterator:
        """Each block of ``works`` followed by a tick, so that the synthesis lets each block's samples out on their
        own (several come together once the level is measured: 30 s of output at once held 80 MB more); returns
        whether there was any."""
        any_work = False
        for work in works:
            any_work = True
            yield work
            yield _Tick(self.analysis.fraction_done)
        return any_work

    def network(self, items: Iterator) -> Iterator:
        try:
            for item in items:
                yield self.run_network(item) if isinstance(item, Work) else item
        finally:  # however the chain ends
            self.run_network.close()

    def synthesise(self, items: Iterator) -> Iterator[_Block44]:
        """Wiener filter and inverse STFT of each :class:`Work`: one :class:`_Block44` per tick, at 44.1 kHz."""
        with reusing_memory():
            outs, xs, spans = [], [], []
            for item in items:
                if isinstance(item, Work):
                    if item.mono and self.model.meta.mono_comb:  # the network alone heard it: its pitch's partials
                        hop = self.model.meta.hop
                        spans.append((frame_centre(item.a, hop), frame_centre(item.b, hop)))
                        seconds = (item.b - item.a) * hop / MODEL_RATE
                        self.synthesis.recorded.pitch_comb_s += seconds
                        if not item.same:  # taken as mono, channels apart
                            self.synthesis.recorded.transferred_s += seconds
                    outs.append(self.synthesis.process(item))
                    if self._native is not None:  # the input at 44.1 kHz, for the parts (none kept at 44.1 kHz)
                        xs.append(item.x)
                    continue
                solo, acc = join(outs)
                x = None if self._native is None else np.concatenate(xs) if xs else np.zeros((0, 2), np.float32)
                yield _Block44(solo, acc, x, spans, replace(self.synthesis.recorded), item.fraction, item.last,
                               self.synthesis.take_rows())
                outs, xs, spans = [], [], []

    def let_out(self, items: Iterator[_Block44]) -> Iterator[_Out]:
        """The pitch comb on mono material (r28; a step of its own, so that it runs beside the next block's
        synthesis) and the stems back at the input's rate. At another rate than the separation's, the solo's channel
        parts (``x - accompaniment`` at 44.1 kHz) are resampled back and the accompaniment is the input as it came
        minus them: what lies outside the separation's band (above 22.05 kHz, the resamplers' edge under the input's
        Nyquist) stays in the accompaniment, and the stems add up to the input at any rate."""
        with reusing_memory():
            yield from self._let_out(items)

    def _let_out(self, items: Iterator[_Block44]) -> Iterator[_Out]:
        back_solo = audio_io.StreamResampler(MODEL_RATE, self.rate, 1)
        back_acc = audio_io.StreamResampler(MODEL_RATE, self.rate, 2)  # the accompaniment, or the parts
        sent = passed44 = 0  # samples let out at the input's rate; at 44.1 kHz, gone past the comb's place
        for item in items:
            solo, acc, x = item.solo, item.acc, item.x
            if item.spans and self.comb is None:  # from the first mono block on
                self.comb = PitchComb(self.n44, start=passed44)
            for c0, c1 in item.spans:
                self.comb.mark_mono(c0, c1)
            passed44 += solo.shape[0]
            if self.comb is not None:
                solo, acc, x = self._combed(solo, acc, x, item.last)
            if not solo.shape[0] and not item.last:
                yield _Out(None, None, item.found, item.fraction, rows=item.rows)
                continue
            s, a = back_solo.push(solo[:, None]), back_acc.push(acc if self._native is None else x - acc)
            if item.last:  # exact length, sample-aligned with the input
                s = audio_io.fit_length(np.concatenate([s, back_solo.finish()]), self.n - sent)
                a = audio_io.fit_length(np.concatenate([a, back_acc.finish()]), self.n - sent)
            k = self.n - sent if item.last else min(s.shape[0], a.shape[0], self.n - sent)
            sent += k
            a = a[:k] if self._native is None else self._native.take(k) - a[:k]
            yield _Out((s[:k, 0], a), (solo, acc), item.found, item.fraction, item.last, item.rows)

    def _combed(self, solo, acc, x, last: bool) -> tuple:
        """The block through :attr:`comb` (with ``x``, the input at 44.1 kHz, where kept: delayed alike); the rest
        it holds too when ``last``."""
        parts = (solo, acc) if x is None else (solo, acc, x)
        out = self.comb.push(*parts)
        if last:
            out = tuple(np.concatenate([a, b]) for a, b in zip(out, self.comb.finish()))
        return out if x is not None else (*out, None)


def _audio_blocks(audio, rate: int | None) -> tuple:
    """``(blocks (a function giving a fresh iterator of (m, c) blocks), rate, n_samples)`` of a file or of a mixture
    in memory or mapped (``rate`` then given, or None), read in :data:`READ_BLOCK` frames: what :func:`separate`,
    :func:`choose_solo_side` and :func:`analyse` read."""
    if isinstance(audio, (str, Path)):
        meta = audio_io.info(audio)
        return (lambda: audio_io.read_blocks(meta.path, READ_BLOCK)), meta.rate, meta.frames
    if not (isinstance(audio, np.ndarray) and audio.ndim == 2 and audio.shape[1] == 2 and audio.dtype == np.float32):
        audio = _as_stereo(audio)
    return (lambda: pieces(audio, READ_BLOCK)), rate, audio.shape[0]  # a mapped recording's pages go back


def separate(audio: np.ndarray, rate: int, model: SessionLike | None = None, progress: ProgressFn = None,
             cancel: CancelFn = None, block_frames: int | None = None, alpha: float | None = None,
             pan_aware=None, level=None) -> Stems:
    """Split a recording held in memory into solo and accompaniment.

    Parameters
    ----------
    audio : np.ndarray [shape=(n,) or (n, c), c in {1, 2}]
        The mixture, any sample rate.
    rate : int
        Its sample rate in Hz.
    model : SessionLike, optional
        A separator; default: the shipped one.
    alpha : float, optional
        Wiener power; default: the model's ``wiener_alpha`` metadata.
    pan_aware : core.signal.spatial.PanAware or False, optional
        The pan-aware Wiener step; default: the model's ``pan_aware`` metadata; False: none.
    level : core.signal.input_level.LevelRange or False, optional
        The levels the network hears the recording at (:func:`separate_stream`).

    Returns
    -------
    Stems
        Solo ``(n,)`` and accompaniment ``(n, 2)`` at ``rate``, sample-aligned with the input.
    """
    blocks, rate, n = _audio_blocks(audio, rate)
    model = model or load_model(None, "separator")
    recorded = RecordedSolo()
    parts = list(separate_stream(blocks(), rate, n, model, progress, cancel, block_frames, alpha, recorded,
                                 pan_aware=pan_aware, level=level))
    solo = np.concatenate([p[0] for p in parts])
    acc = np.concatenate([p[1] for p in parts])
    return Stems.of(solo, acc, rate, model.meta.version, recorded)


#: The opening (seconds) :func:`choose_solo_side` reads the separator's side and the other parts on: the level
#: meter's longest wait (:data:`core.signal.input_level.WAIT_SECONDS`) and more than a block of frames after it.
READING_S = WAIT_SECONDS + 10.0


def _first(blocks: Iterable[np.ndarray], n: int) -> Iterator[np.ndarray]:
    """The first ``n`` samples of a stream of blocks."""
    for block in blocks:
        if n <= 0:
            return
        yield block[:n]
        n -= block.shape[0]


def choose_solo_side(audio, model: SessionLike, rate: int | None = None, progress: ProgressFn = None,
                     cancel: CancelFn = None, level=None) -> SideChoice:
    """The solo's side by the pitch of what each side separates (:mod:`core.signal.side_by_pitch`, rule r26b).

    The recording's opening (:data:`READING_S`) is separated as the separator reads it (the other parts that hold
    their place found, as a separation of the whole recording finds them); where there are none (or it is mono)
    the reading stands. Otherwise it is separated toward its own reading and toward each
    other part (:func:`core.models.with_solo_side`), its solo read by YIN as it streams, and
    :func:`core.signal.side_by_pitch.pick_side` decides. Nothing is kept or written: memory stays bounded.

    Parameters
    ----------
    audio : path or np.ndarray [shape=(n,) or (n, c)]
        A file, or the mixture in memory at ``rate`` Hz.
    model : SessionLike
        The separator (with the pan-aware step: the sides are its).
    progress, cancel
        Hooks; the first pass is the first 40 %.
    level : core.signal.input_level.LevelRange or False, optional
        The levels the network hears the recording at (:func:`separate_stream`).

    Returns
    -------
    SideChoice
        Separate toward its ``side_deg`` (:func:`core.models.with_solo_side`; None: as read).
    """
    blocks, rate, n = _audio_blocks(audio, rate)
    report = Reporter(progress, cancel)
    recorded = RecordedSolo()
    # the other parts are looked for in the first stereo block, heard at the level measured on the opening: the
    # opening's separation finds what the whole recording's would
    opening = min(n, int(READING_S * rate))
    for _ in separate_stream(_first(blocks(), opening), rate, opening, model, report.sub(0.0, 0.4), cancel,
                             recorded=recorded, level=level):
        pass
    read = recorded.pan_deg if np.isfinite(recorded.share_db) else None
    if read is None or not recorded.others_deg:
        report(1.0, "choosing the solo's side")
        return SideChoice(None, read)
    sides = [read, *recorded.others_deg]
    heard = []
    for i, side in enumerate(sides):
        voiced, at = VoicedShare(rate), RecordedSolo()
        sub = report.sub(0.4 + 0.6 * i / len(sides), 0.4 + 0.6 * (i + 1) / len(sides))
        for solo, _ in separate_stream(blocks(), rate, n, with_solo_side(model, side), sub, cancel, recorded=at,
                                       level=level):
            voiced.push(solo)
        heard.append(SideReading(float(side), voiced.share(), float(at.share_db)))
    chosen = pick_side(heard[0], heard[1:])
    return SideChoice(None if chosen is heard[0] else chosen.pan_deg, read, heard[0], tuple(heard[1:]))


#: The stems ``separate`` writes, in order.
STEMS = ("solo", "accompaniment")
#: How :func:`separate_file` writes the solo: the mono estimate, or the residual, input minus accompaniment
#: (stereo), so that the two stems add up to the input. The solo placed at its recorded pan and level
#: (``separate --solo stereo``) is :func:`services.remix_writer.separate_stems`'s (it needs the whole track's pan).
SOLO_MODES = ("mono", "residual")


def stem_paths(input_path, out_dir, fmt: str = "wav") -> tuple[Path, Path]:
    """``DIR/<name>.solo.<ext>`` and ``DIR/<name>.accompaniment.<ext>`` (DESIGN.md §3; the CLI's default template)."""
    name = Path(input_path).stem
    out_dir = Path(out_dir)
    return out_dir / f"{name}.solo.{fmt}", out_dir / f"{name}.accompaniment.{fmt}"


def stem_title(stem: str, solo_mode: str = "mono") -> str:
    """What a stem file's title tag calls it: ``solo``, ``solo, residual``, ``accompaniment``..."""
    return f"solo, {solo_mode}" if stem == "solo" and solo_mode in ("stereo", "residual") else stem


class _InputDelay:
    """The input blocks as read, kept until the separated blocks they match come out (the ``residual`` mode).

    The stream yields exactly as many samples as went in, sample-aligned, only later: so
    :meth:`take` of ``k`` samples gives the input samples of the next ``k`` separated ones.
    """

    def __init__(self, blocks):
        self._blocks = blocks
        self._held: list[np.ndarray] = []

    def __iter__(self):
        for block in self._blocks:
            block = _as_stereo(block)
            self._held.append(block)
            yield block

    def take(self, k: int) -> np.ndarray:
        """The next ``k`` input samples, ``(k, 2)`` float32."""
        out, got = [], 0
        while got < k:
            head = self._held[0]
            n = min(k - got, head.shape[0])
            out.append(head[:n])
            got += n
            if n == head.shape[0]:
                self._held.pop(0)
            else:
                self._held[0] = head[n:]
        return np.concatenate(out) if out else np.zeros((0, 2), np.float32)


def separate_file(input_path, out_dir=None, fmt: str = "wav", bits: int = 24, model: SessionLike | None = None,
                  progress: ProgressFn = None, cancel: CancelFn = None, *, targets=None, spec: OutputSpec | None = None,
                  clip: str = DEFAULT_CLIP_MODE, keep_mono: bool = False, solo: str = "mono",
                  recorded: RecordedSolo | None = None) -> tuple[ClipReport, ...]:
    """Separate a file into stem files, streaming (memory stays bounded for any length).

    The files appear only when complete, together (:func:`core.files.commit.commit_together`): on
    any error, cancellation or signal none is left behind and an earlier run's files stay
    as they were. A full disk is refused before any work when the format's size is exact (PCM),
    else reported with how much was needed (:class:`DiskFullError`). The files carry the
    input's tags (:mod:`core.audio.tags`) and go through the clip mode ``clip`` with one gain for
    both (:mod:`core.audio.shared_gain`): the stems keep their balance and, in the ``residual``
    mode, their sum.

    Parameters
    ----------
    targets : dict, optional
        ``{stem: path}`` for the stems to write (keys of :data:`STEMS`: one or both); a
        ``(solo_path, accompaniment_path)`` pair also works. Default: both, :func:`stem_paths` in ``out_dir``.
    spec : OutputSpec, optional
        Default: ``fmt`` at ``bits``.
    keep_mono : bool
        A mono input gives a mono accompaniment (and a mono residual solo).
    solo : str
        One of :data:`SOLO_MODES`: ``mono`` (n,), the estimate; ``residual`` (n, 2), the input minus the accompaniment, so solo +
        accompaniment = input (a multichannel input: its stereo downmix) to float precision at
        32-bit float with ``clip='none'``, within quantisation otherwise, and ``g(t)`` times it
        where the shared limiter acts.
    recorded : RecordedSolo, optional
        Receives how the solo sits in the recording (its pan, level and share of the energy), as
        :func:`separate_stream` gives it.

    Returns
    -------
    tuple of ClipReport
        One per stem written, in the order of :data:`STEMS`, each with the ``path`` written and
        what the clip mode did (the gain it shared).
    """
    if solo not in SOLO_MODES:
        raise ValueError(f"separate_file: solo mode {solo!r}: use one of {', '.join(SOLO_MODES)} "
                         "(stereo: services.remix_writer.separate_stems)")
    meta = audio_io.info(input_path)
    model = model or load_model(None, "separator")
    spec = spec or OutputSpec(fmt, bits)
    if targets is None:
        targets = stem_paths(input_path, out_dir, spec.fmt)
    if not isinstance(targets, dict):
        targets = dict(zip(STEMS, targets))
    stems = [s for s in STEMS if s in targets]
    if not stems or len(stems) != len(targets):
        raise ValueError(f"separate_file: targets are keyed by {' and/or '.join(STEMS)}")
    source, name, versions = tags.read_tags(meta.path), meta.path.stem, {"separator": model.meta.version}
    mono_in = keep_mono and meta.channels == 1
    channels = {"solo": 1 if solo == "mono" or (solo == "residual" and mono_in) else 2,
                "accompaniment": 1 if mono_in else 2}
    folders = {Path(targets[s]).parent for s in stems}
    needed = output_bytes(meta.frames, meta.rate, [channels[s] for s in stems], spec, clip)
    if not spec.lossy and spec.fmt != "flac" and len(folders) == 1:
        check_free_space(folders.pop(), needed)  # exact for PCM: refuse before any work

    def pick(solo_block, acc_block):
        both = {"solo": solo_block, "accompaniment": mid(acc_block) if mono_in else acc_block}
        return [both[s] for s in stems]

    with SharedGainWriter([targets[s] for s in stems], meta.rate, [channels[s] for s in stems], spec, clip,
                          [tags.output_tags(source, name, stem_title(s, solo), versions) for s in stems]) as w:
        blocks = audio_io.read_blocks(meta.path, READ_BLOCK)
        source_blocks = _InputDelay(blocks) if solo == "residual" else blocks
        try:
            for s, a in separate_stream(source_blocks, meta.rate, meta.frames, model, progress, cancel,
                                        recorded=recorded):
                if solo == "residual":
                    s = source_blocks.take(s.shape[0]) - a
                    s = mid(s) if mono_in else s
                w.write(*pick(s, a))
            return tuple(commit_all([w]))  # every stem or none, whatever happens
        except DiskFullError:
            raise disk_full(Path(targets[stems[0]]).parent, needed) from None


def output_bytes(frames: int, rate: int, channels: Iterable[int], spec: OutputSpec,
                 clip: str = DEFAULT_CLIP_MODE) -> int:
    """About how many bytes files of ``channels`` channels each and ``frames`` frames take (``rescale``'s spool too).

    Exact for PCM (WAV, AIFF), half of that for FLAC (typical of music), the bit rate for lossy formats.
    """
    total = 0
    for c in channels:
        if spec.lossy:
            total += int(frames / rate * spec.bitrate * 1000 / 8)
        else:
            pcm = frames * c * (4 if spec.bits == 32 else spec.bits // 8)
            total += pcm // 2 if spec.fmt == "flac" else pcm
        total += frames * c * 4 if clip == "rescale" else 0
    return total


def suggest(stems: Stems, model: SessionLike | None = None, progress: ProgressFn = None,
            cancel: CancelFn = None) -> Suggestion:
    """Mixer suggestion for separated stems: joint 19 x 21 posterior, pan, gain, per-frame posteriors and sections."""
    model = model or load_model(None, "mixer")
    return run_mixer(model, stems.solo, stems.accompaniment, stems.rate, Reporter(progress, cancel),
                     stems.recorded_pan_deg, stems.solo_share_db, stems.solo_level)


def pairing_problem(separator: SessionLike, mixer: SessionLike) -> str:
    """Why the mixer's gains may be off with this separator ("" when they are a pair).

    A mixer trained on a separator's stems (``ModelMeta.paired_separator``) has learnt that
    separator's readings of the solo's level; another separator reads it otherwise.
    """
    paired = getattr(mixer.meta, "paired_separator", "")
    if pairs_with(paired, separator.meta):
        return ""
    return (f"the mixer {mixer.meta.version} learnt from the stems of {paired}, not {separator.meta.version}: "
            f"its gain suggestions may be off (train a mixer for this separator: jazzremix train-mixer "
            f"--separator {separator.meta.path})")


@dataclass
class Analysis:
    """Result of :func:`analyse`: the stems, the suggestion (per track and per section) and the models used."""

    stems: Stems
    suggestion: Suggestion
    separator: SessionLike
    mixer: SessionLike


def accompaniment_source(separator: SessionLike, mixer_hop: int, wanted: str) -> str:
    """Where a mixer of hop ``mixer_hop`` reads the accompaniment beside ``separator``: ``spectra`` (the
    separator's own, :func:`core.signal.features.separation_accompaniment`) when ``wanted`` and the two hops
    agree (the same frames), else ``stems`` (the STFT of the accompaniment stem)."""
    if wanted not in ACCOMPANIMENT_SOURCES:
        raise ValueError(f"accompaniment source {wanted!r}: one of {', '.join(ACCOMPANIMENT_SOURCES)}")
    return "spectra" if wanted == "spectra" and separator.meta.hop == mixer_hop else "stems"


def analyse(audio, rate: int | None = None, separator: SessionLike | None = None, mixer: SessionLike | None = None,
            progress: ProgressFn = None, cancel: CancelFn = None, keep_stems: bool = True,
            n_samples: int | None = None, sink=None, listen: str | None = None, others: bool = True,
            recorded: RecordedSolo | None = None) -> Analysis:
    """Separate a recording and suggest the solo's pan and gain (whole track and sections), in one streaming pass.

    The mixer listens to the separator's 44.1 kHz output block by block
    (:class:`core.signal.mixer.MixerStream`), so nothing is held or computed twice and, with
    ``keep_stems=False`` and a file as ``audio``, memory stays bounded for any length.

    Parameters
    ----------
    audio : path, np.ndarray [shape=(n,) or (n, c)] or iterable of blocks [shape=(m, c)]
        A file (read in blocks), the mixture in memory, or its blocks (then ``rate`` and
        ``n_samples`` are required).
    rate : int, optional
        Sample rate of an in-memory mixture or of blocks.
    separator, mixer : SessionLike, optional
        Default: :func:`default_model_path` of each kind.
    progress, cancel
        Hooks; progress runs from 0 to 1 over the whole analysis.
    keep_stems : bool
        Keep the separated solo and accompaniment (the app needs them; ``suggest`` does not).
    sink : callable, optional
        Called with each separated block, ``sink(solo (k,), accompaniment (k, 2))``, as it is
        made (``jazzremix batch`` writes the stems while streaming, with ``keep_stems=False``).
    listen : {'spectra', 'stems'}, optional
        Where the mixer reads the accompaniment (:func:`accompaniment_source`): the separator's own
        spectra of it (``spectra``: two transforms per frame fewer) or the STFT of the separated stem
        (``stems``); default: where the mixer's training read it (``ModelMeta.accompaniment_from``).
        The solo is always transformed from its stem.
    others : bool
        Look for other parts the separator takes for the solo (:func:`separate_stream`; the stems' ``others_deg``).
    recorded : RecordedSolo, optional
        The caller's, filled as the separation goes (what the stems carry, and the energies behind it).

    Returns
    -------
    Analysis
        Its stems carry ``solo_level``, ``recorded_pan_deg`` and ``solo_share_db``; their
        solo is ``(0,)`` and accompaniment ``(0, 2)`` when ``keep_stems`` is False.
    """
    if isinstance(audio, (str, Path, np.ndarray)):
        make, rate, n_samples = _audio_blocks(audio, rate)
        blocks = make()
    else:
        blocks = audio
    if rate is None or n_samples is None:
        raise ValueError("analyse: rate and n_samples are needed for a stream of blocks")
    separator = separator or load_model(None, "separator")
    mixer = mixer or load_model(None, "mixer")
    problem = pairing_problem(separator, mixer)
    if problem:
        log.warning("warning: %s", problem)
    recorded = recorded if recorded is not None else RecordedSolo()
    stream = MixerStream(mixer, audio_io.resampled_length(n_samples, rate, MODEL_RATE), lambda: recorded.level)
    solos, accs = [], []
    spectra = accompaniment_source(separator, mixer.meta.hop, listen or mixer.meta.accompaniment_from) == "spectra"
    rows = {"rows_tap": stream.push_accompaniment_rows, "rows_kind": mixer.meta.input_kind} if spectra else {}
    for solo, acc in separate_stream(blocks, rate, n_samples, separator, progress, cancel, recorded=recorded,
                                     tap=stream.push, others=others, **rows):
        if sink is not None:
            sink(solo, acc)
        if keep_stems:
            solos.append(solo)
            accs.append(acc)
    suggestion = stream.finish(recorded.pan_deg, recorded.share_db)
    solo = np.concatenate(solos) if solos else np.zeros(0, np.float32)
    acc = np.concatenate(accs) if accs else np.zeros((0, 2), np.float32)
    stems = Stems.of(solo, acc, rate, separator.meta.version, recorded)
    return Analysis(stems, suggestion, separator, mixer)

