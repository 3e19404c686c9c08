"""ONNX model sessions for the separator and the mixer (contract in docs/ARCHITECTURE.md).

A model's metadata (kind, sample rate, hop, input kind, context, version) comes from the
ONNX file's own ``metadata_props`` (keys ``jazzremix.*``), or else from its JSON card
beside it. Execution providers come from :mod:`core.device` (``--device auto|cpu|cuda``),
with ONNX Runtime's log kept quiet while CUDA is tried (``session.get_providers()`` tells
what was obtained).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from jazzremix_gui.core import device
from jazzremix_gui.core.signal.codebook import N_CELLS
from jazzremix_gui.core.constants import MODEL_RATE, N_BINS
from jazzremix_gui.core.errors import ModelError
from jazzremix_gui.core.files import interrupts
from jazzremix_gui.core.files.hashing import file_sha256
from jazzremix_gui.core.signal.features import MIXER_INPUTS, MIXER_N_FEATURES, SEPARATOR_INPUT
from jazzremix_gui.core.signal.wiener import ALPHA
from jazzremix_gui.core.signal.spatial import PREFERRED, PanAware

KINDS = ("separator", "mixer")
#: Where a mixer may read the accompaniment (:attr:`ModelMeta.accompaniment_from`).
ACCOMPANIMENT_SOURCES = ("stems", "spectra")
INPUT_KINDS = {"separator": (SEPARATOR_INPUT,), "mixer": MIXER_INPUTS}
#: Output width per frame of each kind.
OUTPUT_WIDTH = {"separator": N_BINS, "mixer": N_CELLS}
_PREFIX = "jazzremix."
_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelMeta:
    """What a model says of itself."""

    path: Path
    kind: str
    sample_rate: int = MODEL_RATE
    hop: int = 1024
    input_kind: str = SEPARATOR_INPUT
    context_frames: int = 0
    version: str = "unknown"
    architecture: str = "unknown"
    wiener_alpha: float = ALPHA
    #: A separator's pan-aware Wiener step, ``"SIGMA,FLOOR[,STEER]"`` (:mod:`core.signal.spatial`); "": the plain step.
    pan_aware: str = ""
    #: The version whose network this is, when a processing option named it anew (:class:`WithPanAware`); "": itself.
    based_on: str = ""
    #: A mixer's partner: the version of the separator whose stems it was trained on ("" if unknown
    #: or trained on ground-truth stems). Its gains are calibrated to that separator's readings.
    paired_separator: str = ""
    #: Where a mixer's training read the accompaniment (:data:`ACCOMPANIMENT_SOURCES`): ``stems``, the STFT of the
    #: accompaniment stem; ``spectra``, the separator's own spectra of it
    #: (:func:`core.signal.features.separation_accompaniment`), two transforms per frame fewer. The app reads it
    #: the same way (:func:`core.pipeline.analyse`).
    accompaniment_from: str = "stems"
    #: A separator's mono material gets the pitch comb (:mod:`core.signal.pitch_comb`); False: the network's
    #: separation as it is (:func:`without_mono_comb`, ``--no-mono-comb``).
    mono_comb: bool = True

    @property
    def label(self) -> str:
        """Short name for the UI and logs, e.g. ``separator sep-tcn-1.0``."""
        return f"{self.kind} {self.version}"


def _read_card(path: Path) -> dict:
    card = path.with_suffix(".json")
    if not card.exists():
        return {}
    try:
        data = json.loads(card.read_text())
    except (OSError, ValueError):
        return {}
    meta = data.get("metadata", data)
    return {k.removeprefix(_PREFIX): v for k, v in meta.items() if isinstance(v, (str, int, float))}


def _meta_from(path: Path, props: dict, kind: str) -> ModelMeta:
    props = {k.removeprefix(_PREFIX): v for k, v in props.items() if k.startswith(_PREFIX)} or _read_card(path)
    got_kind = str(props.get("kind", kind))
    if got_kind != kind:
        raise ModelError(f"{path}: is a {got_kind} model, not a {kind}")
    try:
        meta = ModelMeta(
            path=path,
            kind=kind,
            sample_rate=int(props.get("sample_rate", MODEL_RATE)),
            hop=int(props.get("hop", 1024)),
            input_kind=str(props.get("input_kind", INPUT_KINDS[kind][0])),
            context_frames=int(props.get("context_frames", 0)),
            version=str(props.get("version", "unknown")),
            architecture=str(props.get("architecture", "unknown")),
            wiener_alpha=float(props.get("wiener_alpha", ALPHA)),
            pan_aware=str(props.get("pan_aware", "")),
            paired_separator=str(props.get("paired_separator", "")),
            accompaniment_from=str(props.get("accompaniment_from", "stems")),
        )
    except ValueError as exc:
        raise ModelError(f"{path}: bad metadata ({exc})") from None
    if not 0.25 <= meta.wiener_alpha <= 4:
        raise ModelError(f"{path}: Wiener power {meta.wiener_alpha} out of range")
    if meta.pan_aware:
        try:
            PanAware.parse(meta.pan_aware)
        except ValueError as exc:
            raise ModelError(f"{path}: {exc}") from None
    if meta.sample_rate != MODEL_RATE:
        raise ModelError(f"{path}: model works at {meta.sample_rate} Hz; only {MODEL_RATE} Hz is supported")
    if meta.hop not in (256, 512, 1024):
        raise ModelError(f"{path}: unsupported hop {meta.hop}")
    if meta.accompaniment_from not in ACCOMPANIMENT_SOURCES:
        raise ModelError(f"{path}: unknown accompaniment source '{meta.accompaniment_from}' "
                         f"(one of {', '.join(ACCOMPANIMENT_SOURCES)})")
    if meta.input_kind not in INPUT_KINDS[kind]:
        raise ModelError(f"{path}: unknown input kind '{meta.input_kind}' for a {kind}")
    return meta


def card_meta(path, kind: str) -> ModelMeta | None:
    """A model's metadata from its JSON card, without starting ONNX Runtime; None unless the card vouches for
    this very file (its ``sha256`` is the file's, as training writes it) and holds the metadata.

    Raises
    ------
    ModelError
        The card vouches for the file but its metadata break the contract (as :class:`ModelSession` would say).
    """
    p = Path(path)
    try:
        card = json.loads(p.with_suffix(".json").read_text())
        if not isinstance(card, dict) or not isinstance(card.get("metadata"), dict):
            return None
        if card.get("sha256") != file_sha256(p):
            return None
    except (OSError, ValueError):
        return None
    return _meta_from(p, {k: v for k, v in card["metadata"].items() if k.startswith(_PREFIX)}, kind)


def _new_session(path: Path, prefer_gpu: bool, threads: int | None, spin: bool):
    import onnxruntime as ort

    providers = device.providers(prefer_gpu)
    with _lock:
        # CUDA libraries missing on a CPU-only machine make ORT log errors: silence them (but with --debug)
        ort.set_default_logger_severity(4 if not log.isEnabledFor(logging.DEBUG) else 2)
        quiet = ort.SessionOptions()
        quiet.log_severity_level = 4 if not log.isEnabledFor(logging.DEBUG) else 2
        if threads:
            quiet.intra_op_num_threads = threads
        if not spin:  # idle threads sleep instead of spinning (keeps a desktop UI responsive)
            quiet.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(str(path), quiet, providers=providers)
            device.check_obtained(providers, session.get_providers())
            return session
        finally:
            ort.set_default_logger_severity(3)


@runtime_checkable
class SessionLike(Protocol):
    """What the pipeline needs of a model: the ONNX :class:`ModelSession` and training's ``TorchSession`` both are.

    Attributes
    ----------
    path : Path
    meta : ModelMeta
    providers : list of str
        Execution providers in use, best first.
    provider : str
        Short name of the main one (``CUDA``, ``CPU``, ``torch-cpu``).
    """

    path: Path
    meta: ModelMeta

    @property
    def providers(self) -> list[str]: ...

    @property
    def provider(self) -> str: ...

    def run(self, features: np.ndarray) -> np.ndarray:
        """Frames in (``[T, 2049]``, ``[T, 2, 2049]`` or ``[T, 100]`` float32), frames out (``[T, 2049]`` or ``[T, 399]``)."""
        ...


class ModelSession:
    """A loaded ONNX model with its metadata (satisfies :class:`SessionLike`).

    Parameters
    ----------
    path : str or Path
        The ``.onnx`` file.
    kind : {'separator', 'mixer'}
    prefer_gpu : bool
        Use the device chosen with :func:`core.device.set_device` (False: the CPU).
    threads : int, optional
        Intra-op threads (default: ONNX Runtime's choice, one per core).
    spin : bool
        Let idle worker threads spin-wait (fastest for batch work; False for the GUI).

    Raises
    ------
    ModelError
        One line naming the file: missing, not ONNX, or not meeting the contract.
    """

    def __init__(self, path, kind: str, prefer_gpu: bool = True, threads: int | None = None, spin: bool = True):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.path = Path(path)
        if not self.path.exists():
            raise ModelError(f"{self.path}: model file not found")
        if self.path.is_dir() or self.path.stat().st_size == 0:
            raise ModelError(f"{self.path}: not an ONNX model (empty file or folder)")
        since = interrupts.mark()
        try:
            self.session = _new_session(self.path, prefer_gpu, threads, spin)
        except Exception as exc:  # onnxruntime raises its own exception types
            interrupts.raise_if_since(since)  # Ctrl+C while ONNX Runtime loads is not a broken model
            reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{self.path}: not a valid ONNX model ({reason})") from None
        props = dict(self.session.get_modelmeta().custom_metadata_map)
        self.meta = _meta_from(self.path, props, kind)
        self._check_io()
        log.info("%s (%s) runs on %s", self.meta.label, self.path, self.provider)

    @property
    def providers(self) -> list[str]:
        """Execution providers actually in use, best first."""
        return list(self.session.get_providers())

    @property
    def provider(self) -> str:
        """Short name of the main provider: ``CUDA`` or ``CPU``."""
        return self.providers[0].replace("ExecutionProvider", "")

    def _check_io(self) -> None:
        ins, outs = self.session.get_inputs(), self.session.get_outputs()
        if len(ins) != 1 or len(outs) < 1:
            raise ModelError(f"{self.path}: a {self.meta.kind} needs one input and one output")
        last = ins[0].shape[-1]
        want = MIXER_N_FEATURES if self.meta.input_kind == "mixer_features" else N_BINS
        if isinstance(last, int) and last != want:
            raise ModelError(f"{self.path}: input has {last} values per frame, expected {want}")
        self._input = ins[0].name
        self._output = outs[0].name

    def run(self, features: np.ndarray) -> np.ndarray:
        """Run the model on a frame sequence.

        Parameters
        ----------
        features : np.ndarray [shape=(T, 2049) or (T, 2, 2049), dtype=float32]

        Returns
        -------
        np.ndarray [shape=(T, 2049)] (separator) or [shape=(T, 399)] (mixer), float32
        """
        if features.shape[0] == 0:
            return np.zeros((0, OUTPUT_WIDTH[self.meta.kind]), np.float32)
        out = np.asarray(self.session.run([self._output], {self._input: np.ascontiguousarray(features, np.float32)})[0],
                         np.float32)
        if np.isfinite(out).all():  # the usual case, a tenth of the cost of nan_to_num's copy
            return out
        return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


#: Added to a separator's version once adapted to a recording (``training.adapt``): cache keys and files name it.
ADAPTED = "adapted to the recording"
#: Optimiser steps of an adaptation unless told otherwise (docs/SEPARATOR_V3.md, diagnostic r10, step 3).
ADAPT_STEPS = 75
#: The steps of an adaptation a session recorded as ``"adapted": true`` alone: the default before 2026-12-06's step 3.
ADAPT_STEPS_UNSAID = 150
#: Seconds of a recording, from its start, an adaptation learns from (75 steps draw 1,200 excerpts of 1.5 s, so more
#: would not be heard; the teacher's stems are held in memory).
ADAPT_OPENING_S = 600.0


def adapted_meta(meta: ModelMeta, steps: int) -> ModelMeta:
    """``meta`` of a separator once adapted to a recording in ``steps`` optimiser steps: the version says so
    (``sep-mask-3.4 adapted to the recording in 75 steps``; cache keys, tags and sessions tell counts apart), the
    network it started from stays its ``based_on`` (so a mixer paired with it stays paired)."""
    return replace(meta, version=f"{meta.version} {ADAPTED} in {steps} steps", based_on=meta.based_on or meta.version)


def pairs_with(paired: str, meta: ModelMeta) -> bool:
    """Whether a mixer that learnt from ``paired``'s stems is paired with the separator of ``meta``: the same
    version, or the same network with the pan-aware step (measured: the shipped mixer's figures on
    ``data/mixer-val`` do not move with it, docs/SEPARATOR_V3.md)."""
    return not paired or paired in (meta.version, meta.based_on)


def with_wiener_step(session: SessionLike, pan_aware: PanAware | bool | None) -> SessionLike:
    """``session`` separating with the Wiener step asked for.

    Parameters
    ----------
    session : SessionLike
        A separator; its metadata's ``pan_aware`` is its own step ("": the plain one).
    pan_aware : PanAware, bool or None
        None: its own step; True: the pan-aware step (its own settings, else :data:`core.signal.spatial.PREFERRED`);
        False: the plain step; a :class:`PanAware`: the pan-aware step with those settings.

    Returns
    -------
    SessionLike
        ``session`` itself where it does that anyway, else a :class:`WithPanAware` around it.
    """
    own = session.meta.pan_aware
    if pan_aware is None or (pan_aware is True and own) or (pan_aware is False and not own):
        return session
    if pan_aware is False:
        return WithPanAware(session, None)
    settings = PREFERRED if pan_aware is True else pan_aware
    return session if settings.to_text() == own else WithPanAware(session, settings)


def with_solo_side(session: SessionLike, side_deg: float | None) -> SessionLike:
    """``session`` (a separator, with the Wiener step it has been given) separating toward the solo's side the
    engineer gives (``side_deg``, pan in degrees, -45 left .. +45 right; None: as it is): its pan-aware settings,
    else :data:`core.signal.spatial.PREFERRED` (a plain step gives way: a side belongs to the pan-aware one), with
    the side instead of reading it (:class:`core.signal.separation.Network`)."""
    if side_deg is None:
        return session
    base = session._session if isinstance(session, WithPanAware) else session
    own = session.meta.pan_aware
    settings = PanAware.parse(own) if own else PREFERRED
    return with_wiener_step(base, replace(settings, hypotheses=0, side_deg=float(side_deg)))


class _Wrapped:
    """A separator session under another name: the same session underneath (``_session``), its own ``meta``."""

    _session: SessionLike
    meta: ModelMeta
    path: Path

    @property
    def providers(self) -> list[str]:
        return self._session.providers

    @property
    def provider(self) -> str:
        return self._session.provider

    def run(self, features: np.ndarray) -> np.ndarray:
        return self._session.run(features)


class WithPanAware(_Wrapped):
    """A separator run with another Wiener step than its own: the pan-aware one (:mod:`core.signal.spatial`) with
    ``settings``, or with None the plain one (a separator that carries the pan-aware step, run without it).

    The same session underneath; its metadata says ``pan_aware`` and its version says which step (what
    files' tags and reports name: ``sep-mask-2.0 pan-aware 20,0.2``, ``sep-mask-3.0 plain Wiener step``).
    Satisfies :class:`SessionLike`. :func:`with_wiener_step` makes one only where it changes something.
    """

    def __init__(self, session: SessionLike, settings: PanAware | None):
        self._session = session
        text = settings.to_text() if settings is not None else ""
        step = f"pan-aware {text}" if settings is not None else "plain Wiener step"
        self.meta = replace(session.meta, pan_aware=text, version=f"{session.meta.version} {step}",
                            based_on=session.meta.based_on or session.meta.version)
        self.path = session.path


def without_mono_comb(session: SessionLike) -> SessionLike:
    """``session`` (a separator) whose mono material is left as the network separates it, without the pitch comb
    of rules r28 and r32 (:mod:`core.signal.pitch_comb`): for hearing what the comb does (``--no-mono-comb``). Its
    version says so (``sep-mask-3.4 without the mono comb``), so files' tags and the cache tell the two apart."""
    return WithoutMonoComb(session) if session.meta.mono_comb else session


class WithoutMonoComb(_Wrapped):
    """A separator whose mono material gets no pitch comb (:func:`without_mono_comb`); :class:`SessionLike`."""

    def __init__(self, session: SessionLike):
        self._session = session
        self.meta = replace(session.meta, mono_comb=False, version=f"{session.meta.version} without the mono comb",
                            based_on=session.meta.based_on or session.meta.version)
        self.path = session.path
