"""The work done for one track in the background: decode, separate, suggest, draw (no Qt).

:func:`process_track` is the body of a :class:`~jazzremix_gui.ui.worker.Job`: it hands
the decoded mixture (with its spectrogram) to the UI as soon as it exists, then
separates and suggests through the pipeline seam (or loads both from the cache), and
returns the stems, the suggestion and their spectrograms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import onnxruntime  # noqa: F401 - imported up front: loading its library mid-run would hold the GIL

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.files.mapped import FloatSpool, pieces
from jazzremix_gui.core.errors import ModelError
from jazzremix_gui.core.models import pairs_with, with_solo_side, with_wiener_step, without_mono_comb
from jazzremix_gui.core.signal.spatial import PanAware
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal.mixer import Suggestion
from jazzremix_gui.core.signal.side_by_pitch import SideChoice
from jazzremix_gui.services import adaptation, cache
from jazzremix_gui.core.signal.analysis import Spectrogram, envelope, log_spectrogram


@dataclass
class Decoded:
    """A decoded input: ``audio`` [shape=(n, 2), float32] at ``rate`` Hz (mono duplicated), its picture.

    ``audio`` is mapped from a spool file (:func:`core.files.paths.spool_dir`; in memory only when that cannot
    be written): read it in pieces (:func:`core.files.mapped.pieces`) so its pages go back.

    ``channels`` is the file's (more than two are downmixed); ``warnings`` are the lines the
    CLI prints for the file (damage, downmix: :meth:`core.audio.audio_io.AudioInfo.warnings`) without
    the path, and ``notes`` the same in a few words each, for the track list.
    """

    path: Path
    sha256: str
    audio: np.ndarray
    rate: int
    channels: int
    spectrogram: Spectrogram
    envelope: tuple
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass
class Processed:
    """The separated and analysed track."""

    stems: pipeline.Stems
    suggestion: Suggestion
    spectrograms: dict = field(default_factory=dict)
    from_cache: bool = False
    separator_version: str = ""
    mixer_version: str = ""
    provider: str = ""
    mixer_hop: int = 1024
    mixer_paired_separator: str = ""  # the separator whose stems the mixer learnt from (ModelMeta.paired_separator)
    paired: bool = True  # the mixer learnt from this separator's stems (core.models.pairs_with)
    side_choice: SideChoice | None = None  # solo_side "auto": the side chosen by pitch (its side_deg separated)
    mono_comb: bool = True  # mono material got the pitch comb (Preferences; core.models.without_mono_comb)


def load_models(separator_path=None, mixer_path=None, pan_aware: PanAware | bool | None = None,
                solo_side: float | None = None, mono_comb: bool = True):
    """The separator and mixer sessions (defaults when paths are empty), with UI wording on failure;
    ``pan_aware``: the separator's Wiener step (Preferences; :func:`core.models.with_wiener_step`); ``solo_side``:
    the solo's pan as the engineer gives it (:func:`core.models.with_solo_side`; None: read); ``mono_comb``:
    False, mono material without the pitch comb (Preferences; :func:`core.models.without_mono_comb`)."""
    out = []
    for kind, path in (("separator", separator_path), ("mixer", mixer_path)):
        if not path and not pipeline.default_model_path(kind).exists():
            raise ModelError(f"No {kind} model is installed yet ({paths.shipped_model(kind)} is missing). "
                             f"Put {kind}.onnx in {paths.models_dir()} or choose a model file in Preferences. "
                             "The original can still be played.")
        out.append(pipeline.load_model(path or None, kind))
    separator = out[0] if mono_comb else without_mono_comb(out[0])
    return with_solo_side(with_wiener_step(separator, pan_aware), solo_side), out[1]


def _spool(blocks, channels: int, fallback):
    """``blocks`` written to a :class:`FloatSpool` and mapped; ``fallback()`` (in memory) when it cannot be written."""
    try:
        spool = FloatSpool(paths.spool_dir(), channels)
    except OSError:
        return fallback()
    try:
        for block in blocks:
            spool.write(block)
        return spool.finish()
    except OSError:  # the disk filled up: the recording is read into memory instead
        spool.discard()
        return fallback()
    except BaseException:
        spool.discard()
        raise


def _stereo(block: np.ndarray) -> np.ndarray:
    return np.repeat(block, 2, axis=1) if block.shape[1] == 1 else block


def decode(path, job) -> Decoded:
    """Read and describe an input file (raises :class:`AudioReadError` in plain words).

    The decoded audio goes to a float32 spool, mapped (:func:`_spool`): an hour of stereo at
    44.1 kHz is 1.27 GB there, not in memory.
    """
    job.progress(0.0, "decoding")
    meta = audio_io.info(path)  # logs the warnings
    stereo = _spool((_stereo(b) for b in audio_io.read_blocks(meta.path, 1 << 18)), 2,
                    lambda: np.ascontiguousarray(_stereo(audio_io.read_audio(path)[0])))
    job.progress(0.01, "hashing")
    sha = cache.file_sha256(path, job.is_cancelled)
    job.progress(0.02, "drawing")
    spec = log_spectrogram(stereo, meta.rate, cancel=job.is_cancelled)
    warnings = [line.removeprefix(f"{meta.path}: ") for line in meta.warnings()]
    return Decoded(Path(path), sha, stereo, meta.rate, meta.channels, spec, envelope(stereo), warnings, meta.notes())


def adapt_to(decoded: Decoded, separator, job, steps: int, start: float = 0.05):
    """``separator`` adapted to the recording in ``steps`` optimiser steps (:func:`services.adaptation.adapt`, in a
    child process: no torch in the app; needs PyTorch), taught by its own separation of the file's opening, as
    ``jazzremix render`` does it again. Progress from ``start`` to 50 %."""
    return adaptation.adapt(decoded.path, separator, Reporter(job.progress, None, start, 0.5), job.is_cancelled,
                            steps=steps, child=True)


def analyse(decoded: Decoded, separator, mixer, job, start: float = 0.05) -> pipeline.Analysis:
    """:func:`core.pipeline.analyse` of a decoded recording read in pieces, its stems written to spools as they come
    (mapped once made; in memory only when the spools cannot be written); progress from ``start`` to 95 %."""
    progress = Reporter(job.progress, None, start, 0.95)
    n = decoded.audio.shape[0]

    def run(sink=None):
        return pipeline.analyse(pieces(decoded.audio, pipeline.READ_BLOCK), decoded.rate, separator, mixer,
                                progress=progress, cancel=job.is_cancelled, keep_stems=sink is None, n_samples=n,
                                sink=sink)

    try:
        spools = FloatSpool(paths.spool_dir(), 0), FloatSpool(paths.spool_dir(), 2)
    except OSError:
        return run()
    try:
        result = run(lambda solo, acc: (spools[0].write(solo), spools[1].write(acc)))
        solo, acc = (s.finish() for s in spools)
    except OSError:
        for s in spools:
            s.discard()
        return run()
    except BaseException:
        for s in spools:
            s.discard()
        raise
    return replace(result, stems=replace(result.stems, solo=solo, accompaniment=acc))


def process_track(path, job, separator_path=None, mixer_path=None, cache_limit: int | None = None,
                  pan_aware: PanAware | bool | None = None, solo_side: float | None = None,
                  adapt: int = 0, mono_comb: bool = True) -> Processed:
    """Decode (sent early as ``partial('decoded', Decoded)``), then separate and suggest.

    ``cache_limit``: bytes the results cache may take; older results are deleted to make room.
    ``pan_aware``: the Wiener step (:func:`core.models.with_wiener_step`: None the separator's own, True the
    pan-aware one, False the plain one); results of another step than the separator's own are cached apart, and so
    are those of a ``solo_side`` given (the solo's pan in degrees, :func:`core.models.with_solo_side`; ``"auto"``:
    the side chosen by pitch first, :func:`core.pipeline.choose_solo_side`, said in ``side_choice``) and those of
    the separator adapted to the recording (``adapt``: in that many optimiser steps, :func:`adapt_to`; 0: not), and
    so are those without the mono material's pitch comb (``mono_comb`` False, :func:`core.models.without_mono_comb`).

    Progress: 0-5 % decoding, 5-95 % separation and suggestion (one streaming pass; with the side chosen by pitch
    that choice first, to 30 %, and with ``adapt`` the adaptation, to 50 %), then the stem pictures.
    """
    decoded = decode(path, job)
    job.partial("decoded", decoded)
    auto = solo_side == SOLO_SIDE_AUTO
    separator, mixer = load_models(separator_path, mixer_path, pan_aware, None if auto else solo_side, mono_comb)
    choice, start = None, 0.05
    if auto:  # each side the solo may be at separated and heard first (5-30 %)
        choice = pipeline.choose_solo_side(decoded.audio, separator, decoded.rate,
                                           Reporter(job.progress, None, 0.05, 0.3), job.is_cancelled)
        separator = with_solo_side(separator, choice.side_deg)
        start = 0.3
    key = cache.cache_key(decoded.sha256, separator, mixer, adapt)
    hit = cache.load(key, decoded.rate, decoded.audio.shape[0])
    if hit is not None:
        stems, suggestion = hit
        job.progress(0.9, "loaded from cache")
    else:
        if adapt:
            separator = adapt_to(decoded, separator, job, adapt, start)
            start = 0.5
        result = analyse(decoded, separator, mixer, job, start)
        stems, suggestion = result.stems, result.suggestion
        saved = cache.save(key, stems, suggestion)
        if cache_limit is not None:
            cache.trim(cache_limit, keep=key)
        mapped = cache.load(key) if saved is not None else None
        if mapped is not None and len(mapped[0]) == len(stems):  # from here on the stems are read from the entry
            stems = mapped[0]
        result = mapped = None  # the copies in memory can go
        hit = None
    job.progress(0.95, "drawing stems")
    specs = {"solo": log_spectrogram(stems.solo, stems.rate, cancel=job.is_cancelled),
             "accompaniment": log_spectrogram(stems.accompaniment, stems.rate, cancel=job.is_cancelled)}
    for stem in (stems.solo, stems.accompaniment):  # drawn: mapped stems leave memory until played or exported
        cache.release(stem)
    job.progress(1.0, "done")
    return Processed(stems, suggestion, specs, hit is not None, separator.meta.version, mixer.meta.version,
                     separator.provider, mixer.meta.hop, mixer.meta.paired_separator,
                     pairs_with(mixer.meta.paired_separator, separator.meta), choice, separator.meta.mono_comb)


def prepare_playback(decoded: Decoded, stems: pipeline.Stems | None):
    """The material the player streams, at the file's rate (``playback.engine.PlaybackEngine.load_stream``
    resamples it for the device as it plays): nothing is copied or resampled here.

    Returns
    -------
    solo : np.ndarray [shape=(n,)] or None
        None without stems: the solo is silent and the accompaniment is the mixture (the original plays either way).
    accompaniment, mixture : np.ndarray [shape=(n, 2)]
        Memory-mapped from the cache entry and the decoded spool where they are there.
    rate : int
        Their sample rate in Hz.
    """
    if stems is None:
        return None, decoded.audio, decoded.audio, decoded.rate
    return stems.solo, stems.accompaniment, decoded.audio, decoded.rate
