"""The engineer's annotations: final pan/gain per exported remix, one JSON object per line.

Every time the user exports a remix, the app calls :func:`record_annotation`; the line
holds the input file's hash, the final pan/gain of the track and of each section, a few
short excerpts of the mixer's input features (so the mixer can be refitted later even
when the recording has moved), the model versions and the time.
``jazzremix train-mixer --annotations FILE`` reads them back with :func:`read_annotations`,
which skips corrupt or partial lines with a warning and never fails on them.

Schema 2 (gain convention "recorded": gain 1.0 = the solo as loud as recorded, see
``docs/ARCHITECTURE.md``). Lines of schema 1 were made when the gain scaled the solo's mid
with no recorded-level factor ``k``; ``k`` is not in those lines, so they cannot be
converted and are refused with a warning that says so (re-export the remix to record it).

Features are stored compactly (:func:`annotation_features`): the :mod:`core.signal.features`
mixer features (the mixer's own input, which includes +-10 s of context) of at most
:data:`MAX_FRAMES` frames where the solo plays, spread evenly over the active sections in
proportion to their length, as float16, zlib-compressed and base64-encoded (about 25 kB a
line whatever the recording's length).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from jazzremix_gui.core.files.hashing import file_sha256  # noqa: F401 (part of this module's API)
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.files.mapped import FloatSpool, pieces, release
from jazzremix_gui.core.signal import features
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.signal.panlaw import check_pan_gain
from jazzremix_gui.core.signal.stft import frame_count
from jazzremix_gui.core.signal.mixer import activity

SCHEMA = 2
GAIN_CONVENTION = "recorded"
#: Feature frames stored per annotation (bounds the line's size).
MAX_FRAMES = 96
_ENCODING = "float16-zlib-b64"
_lock = threading.Lock()


class AnnotationWarning(UserWarning):
    """A line of an annotation file was skipped (corrupt, partial or not an annotation)."""


@dataclass
class Annotation:
    """One exported remix as the engineer left it.

    Attributes
    ----------
    pan_deg, gain : float
        Track-level pan (degrees, -45 .. 45) and linear gain (0 .. 2).
    sections : list of dict
        ``start``, ``end`` (seconds), ``pan_deg``, ``gain`` (and optionally ``active``).
    features : dict
        As made by :func:`annotation_features` (may be empty).
    line : int
        1-based line number in the file.
    """

    input_path: str
    input_sha256: str
    pan_deg: float
    gain: float
    sections: list = field(default_factory=list)
    features: dict = field(default_factory=dict)
    separator_version: str = ""
    mixer_version: str = ""
    time: str = ""
    line: int = 0


def annotation_features(solo: np.ndarray, accompaniment: np.ndarray, rate: int, sections: list[dict],
                        solo_level: float = features.SOLO_LEVEL_DEFAULT, max_frames: int = MAX_FRAMES,
                        hop: int = 1024) -> dict:
    """Mixer features of frames where the solo plays in each section, to store with an annotation.

    Parameters
    ----------
    solo : np.ndarray [shape=(n,)]
        The (separated) mono solo at ``rate`` Hz.
    accompaniment : np.ndarray [shape=(n, 2) or (n,)]
    rate : int
        Sample rate in Hz.
    sections : list of dict
        With ``start``, ``end`` in seconds (and optional ``active``; inactive sections get no frames).
    solo_level : float
        The solo's recorded-level factor ``k`` (``Stems.solo_level``).
    max_frames : int
        Frames stored at most.
    hop : int
        STFT hop at 44.1 kHz: the mixer's (``model.meta.hop``).

    Returns
    -------
    dict
        ``{"kind": "mixer_features", "n_features", "context", "hop", "encoding", "sections",
        "frames", "data"}``; :func:`decode_frames` gives back ``(section index (N,), features (N, 100))``.
    """
    solo44 = _at_model_rate(solo.reshape(-1, 1), rate)[:, 0]
    acc44 = _at_model_rate(accompaniment if accompaniment.ndim == 2 else accompaniment[:, None], rate)
    n = frame_count(solo44.shape[0], hop)
    powers, energy = [], []
    for a in range(0, n, 2048):  # band powers block by block: memory bounded on long files
        b = min(n, a + 2048)
        s_mag = features.mid_magnitude(solo44, hop, a, b)
        powers.append(features.mixer_band_powers(s_mag, features.channel_power(acc44, hop, a, b), solo_level))
        energy.append((s_mag.astype(np.float64) ** 2).sum(axis=1))
        for stem in (solo44, acc44):  # mapped stems: what was read goes back (from the start: the blocks overlap)
            release(stem, 0, b * hop)
    feats = features.band_features(np.concatenate(powers)) if powers else np.zeros((0, features.MIXER_N_FEATURES))
    active = activity(np.sqrt(np.concatenate(energy))[:, None]) if energy else np.zeros(0, bool)
    chosen = []
    for k, sec in enumerate(sections):
        if not sec.get("active", True):
            continue
        a = max(0, features.frame_at(sec["start"], hop))
        b = min(n, features.frame_at(sec["end"], hop) + 1)
        idx = a + np.flatnonzero(active[a:b])
        chosen.append((k, idx))
    total = sum(len(i) for _, i in chosen)
    secs, frames = [], []
    for k, idx in chosen:
        m = min(len(idx), int(np.ceil(max_frames * len(idx) / max(total, 1))))
        if m == 0:
            continue
        pick = idx[np.linspace(0, len(idx) - 1, m).round().astype(int)]
        secs += [k] * m
        frames += pick.tolist()
    frames, secs = frames[:max_frames], secs[:max_frames]
    data = feats[np.asarray(frames, int)].astype(np.float16) if frames else np.zeros((0, features.MIXER_N_FEATURES),
                                                                                   np.float16)
    return {"kind": "mixer_features", "n_features": features.MIXER_N_FEATURES, "context": features.MIXER_CONTEXT,
            "hop": hop, "encoding": _ENCODING, "sections": secs, "frames": frames,
            "data": base64.b64encode(zlib.compress(data.tobytes(), 6)).decode("ascii")}


def _at_model_rate(x: np.ndarray, rate: int) -> np.ndarray:
    """``x`` [shape=(n, c), float32] at :data:`MODEL_RATE`: itself when it is at that rate (a mapped array stays
    mapped), else resampled a piece at a time into a mapped spool (in memory when none can be written)."""
    if rate == MODEL_RATE and x.dtype == np.float32:
        return x
    try:
        spool = FloatSpool(paths.spool_dir(), x.shape[1])
    except OSError:
        return audio_io.resample(x, rate, MODEL_RATE)
    try:
        stream = audio_io.StreamResampler(rate, MODEL_RATE, x.shape[1])
        for piece in pieces(x):
            spool.write(stream.push(piece))
        spool.write(stream.finish())
        return spool.finish()
    except OSError:
        spool.discard()
        return audio_io.resample(x, rate, MODEL_RATE)


def decode_frames(feats: dict) -> tuple[np.ndarray, np.ndarray]:
    """Stored mixer features of an annotation: ``(section index (N,) int, features (N, 100) float32)``.

    Features of another kind or size (another mixer's input) or that do not decode give
    ``N = 0`` with an :class:`AnnotationWarning`.
    """
    empty = (np.zeros(0, int), np.zeros((0, features.MIXER_N_FEATURES), np.float32))
    if not feats:
        return empty
    try:
        if feats.get("kind") != "mixer_features" or int(feats.get("n_features", 0)) != features.MIXER_N_FEATURES \
                or int(feats.get("context", -1)) != features.MIXER_CONTEXT or feats.get("encoding") != _ENCODING:
            raise ValueError(f"features of another mixer input ({feats.get('kind')}, {feats.get('n_features')})")
        secs = np.asarray(feats["sections"], int)
        data = np.frombuffer(zlib.decompress(base64.b64decode(feats["data"])), np.float16)
        data = data.reshape(secs.size, features.MIXER_N_FEATURES).astype(np.float32)
        if not np.all(np.isfinite(data)):
            raise ValueError("non-finite features")
        return secs, data
    except Exception as exc:  # corrupt or foreign features: skip, never fatal
        warnings.warn(f"annotation features skipped ({type(exc).__name__}: {str(exc)[:80]})", AnnotationWarning,
                      stacklevel=2)
        return empty


def record_annotation(input_path, input_sha256: str | None, sections: list[dict], pan_deg: float, gain: float,
                      features: dict | None = None, separator_version: str = "", mixer_version: str = "",
                      path=None) -> Path:
    """Append one annotation line (the app calls this on every export).

    Parameters
    ----------
    input_path : str or Path
        The recording that was remixed.
    input_sha256 : str or None
        Its SHA-256 (computed from the file when None).
    sections : list of dict
        Final automation: ``start``, ``end`` (seconds), ``pan_deg`` (degrees), ``gain`` (linear),
        optional ``active`` (bool). May be empty (one pan/gain for the whole track).
    pan_deg, gain : float
        Final track-level pan (degrees, -45 .. 45) and gain (linear, 0 .. 2).
    features : dict, optional
        From :func:`annotation_features` (recommended, lets the mixer learn from it later).
    separator_version, mixer_version : str
        Versions of the models that made the suggestion.
    path : str or Path, optional
        The JSONL file; default :func:`core.files.paths.annotations_path`.

    Returns
    -------
    Path
        The file written to.

    Raises
    ------
    ValueError
        Pan/gain out of range or a malformed section.
    """
    pan, g = check_pan_gain(pan_deg, gain, "track")
    secs = []
    for s in sections or []:
        sp, sg = check_pan_gain(s["pan_deg"], s["gain"], "section")
        item = {"start": round(float(s["start"]), 3), "end": round(float(s["end"]), 3), "pan_deg": sp, "gain": sg}
        if "active" in s:
            item["active"] = bool(s["active"])
        secs.append(item)
    if input_sha256 is None:
        input_sha256 = file_sha256(input_path)
    record = {"schema": SCHEMA, "gain_convention": GAIN_CONVENTION, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "input_path": str(input_path),
              "input_sha256": str(input_sha256), "pan_deg": pan, "gain": g, "sections": secs,
              "features": features or {}, "separator_version": str(separator_version),
              "mixer_version": str(mixer_version)}
    out = Path(path) if path is not None else paths.annotations_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, separators=(",", ":")) + "\n"
    with _lock, open(out, "a", encoding="utf-8") as f:
        f.write(line)  # one write per line: a crash leaves at most one partial last line
        f.flush()
        os.fsync(f.fileno())
    return out


def _parse(obj, lineno: int) -> Annotation:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    if int(obj.get("schema", 1)) < SCHEMA or obj.get("gain_convention") != GAIN_CONVENTION:
        raise ValueError("made under the old gain convention (schema 1: gain on the solo's mid without its "
                         "recorded level), cannot be converted; export that remix again to record it")
    pan, g = check_pan_gain(obj["pan_deg"], obj["gain"], "track")
    secs = obj.get("sections", []) or []
    if not isinstance(secs, list):
        raise ValueError("sections is not a list")
    clean = []
    for s in secs:
        sp, sg = check_pan_gain(s["pan_deg"], s["gain"], "section")
        clean.append({"start": float(s["start"]), "end": float(s["end"]), "pan_deg": sp, "gain": sg,
                      "active": bool(s.get("active", True))})
    feats = obj.get("features") or {}
    if not isinstance(feats, dict):
        feats = {}
    return Annotation(str(obj.get("input_path", "")), str(obj.get("input_sha256", "")), pan, g, clean, feats,
                      str(obj.get("separator_version", "")), str(obj.get("mixer_version", "")),
                      str(obj.get("time", "")), lineno)


#: Skipped lines named one by one; the rest are counted in one warning.
MAX_SKIP_WARNINGS = 20


def read_annotations(path=None) -> list[Annotation]:
    """All valid annotations of a JSONL file (default :func:`core.files.paths.annotations_path`).

    Corrupt, partial or invalid lines are skipped with an :class:`AnnotationWarning` naming
    the line; a missing file gives an empty list. Never raises for the file's content.
    """
    path = Path(path) if path is not None else paths.annotations_path()
    if not path.is_file():
        return []
    out, skipped = [], 0
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                out.append(_parse(json.loads(text), lineno))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                skipped += 1
                if skipped <= MAX_SKIP_WARNINGS:
                    warnings.warn(f"{path}:{lineno}: annotation skipped ({type(exc).__name__}: {str(exc)[:80]})",
                                  AnnotationWarning, stacklevel=2)
    if skipped > MAX_SKIP_WARNINGS:  # a file that is not annotations (a WAV given by mistake): not a line each
        warnings.warn(f"{path}: {skipped - MAX_SKIP_WARNINGS} more lines skipped ({len(out)} valid): is it an "
                      "annotation file?", AnnotationWarning, stacklevel=2)
    return out
