"""The engineer's annotations: final pan/gain per exported remix, one JSON object per line.

Every time the user exports a remix, the app calls :func:`record_annotation`; the line
holds the input file's hash, the final pan/gain of the track and of each section, a few
short excerpts of the mixer's input features (so the mixer can be refitted later even
when the recording has moved), the model versions and the time.
``jazzremix train-mixer --annotations FILE`` reads them back with :func:`read_annotations`,
which skips corrupt or partial lines with a warning and never fails on them.

Features are stored compactly (:func:`annotation_features`): up to ``clips_per_section``
clips of ``clip_frames`` consecutive STFT frames (the mixer's hop) per active section, of the
solo magnitude and the accompaniment mid magnitude (:func:`core.features.mixer_features`),
each value quantised to 0.6 dB in one byte (``uint8``, 0 = silence), zlib-compressed and base64-encoded.
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

from jazzremix_gui.core.hashing import file_sha256  # noqa: F401 (part of this module's API)
from jazzremix_gui.core import audio_io, paths
from jazzremix_gui.core import features as model_inputs
from jazzremix_gui.core.constants import MODEL_RATE, N_BINS
from jazzremix_gui.core.panlaw import check_pan_gain
from jazzremix_gui.core.stft import frame_count

SCHEMA = 1
#: Stored clips hold both mixer inputs (:func:`core.features.mixer_input` picks what a mixer reads).
CLIP_INPUT = "solo_acc_magnitude"
_DB_STEP, _DB_FLOOR = 0.6, -150.0
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


def _encode(arr: np.ndarray) -> str:
    db = 20 * np.log10(np.maximum(arr.astype(np.float64), 1e-12))
    q = np.clip(np.round((db - _DB_FLOOR) / _DB_STEP), 0, 255).astype(np.uint8)
    return base64.b64encode(zlib.compress(q.tobytes(), 6)).decode("ascii")


def _decode(text: str, shape) -> np.ndarray:
    q = np.frombuffer(zlib.decompress(base64.b64decode(text)), np.uint8).reshape(shape)
    mag = 10 ** ((q.astype(np.float32) * _DB_STEP + _DB_FLOOR) / 20)
    mag[q == 0] = 0.0
    return mag.astype(np.float32)


def annotation_features(solo: np.ndarray, accompaniment: np.ndarray, rate: int, sections: list[dict],
                        hop: int, clip_frames: int = 16, clips_per_section: int = 4) -> dict:
    """Short excerpts of the mixer's input for each section, to store with an annotation.

    Parameters
    ----------
    solo : np.ndarray [shape=(n,)]
        The (separated) mono solo at ``rate`` Hz.
    accompaniment : np.ndarray [shape=(n, 2) or (n,)]
    rate : int
        Sample rate in Hz.
    sections : list of dict
        With ``start``, ``end`` in seconds (and optional ``active``; inactive sections get no clips).
    hop : int
        STFT hop at 44.1 kHz: the mixer's (``model.meta.hop``), so the clips are frames the mixer reads.

    Returns
    -------
    dict
        ``{"hop", "clip_frames", "encoding", "clips": [{"section", "start_frame", "data"}]}``;
        each clip decodes (:func:`decode_clips`) to ``(clip_frames, 2, 2049)`` magnitudes
        (solo, accompaniment mid). Clips are taken where the solo is loudest in each section.
    """
    solo44 = audio_io.resample(np.asarray(solo, np.float32).reshape(-1), rate, MODEL_RATE)
    acc44 = audio_io.resample(np.asarray(accompaniment, np.float32), rate, MODEL_RATE)
    n = frame_count(solo44.shape[0], hop)
    clips = []
    for k, sec in enumerate(sections):
        if not sec.get("active", True):
            continue
        a = max(0, model_inputs.frame_at(sec["start"], hop))
        b = min(n, model_inputs.frame_at(sec["end"], hop) + 1)
        if b - a < clip_frames:
            continue
        energy = (model_inputs.mid_magnitude(solo44, hop, a, b) ** 2).sum(axis=1)
        win = np.convolve(energy, np.ones(clip_frames), mode="valid")  # (b - a - clip_frames + 1,)
        starts = []
        for s in np.argsort(-win, kind="stable"):
            if all(abs(int(s) - t) >= clip_frames for t in starts):
                starts.append(int(s))
            if len(starts) == clips_per_section:
                break
        for s in sorted(starts):
            lo, hi = a + s, a + s + clip_frames
            feats, _ = model_inputs.mixer_features(solo44, acc44, hop, CLIP_INPUT, lo, hi)
            clips.append({"section": k, "start_frame": lo, "data": _encode(feats)})
    return {"hop": hop, "clip_frames": clip_frames, "encoding": "uint8-db0.6-zlib-b64", "clips": clips}


def decode_clips(features: dict) -> list[tuple[int, np.ndarray]]:
    """The stored clips of an annotation: ``[(section index, (L, 2, 2049) float32 magnitudes)]``.

    Clips that do not decode are skipped with an :class:`AnnotationWarning`.
    """
    out = []
    length = int(features.get("clip_frames", 0) or 0)
    for c in features.get("clips", []) or []:
        try:
            out.append((int(c["section"]), _decode(c["data"], (length, 2, N_BINS))))
        except Exception as exc:  # corrupt clip: skip, never fatal
            warnings.warn(f"annotation clip skipped ({type(exc).__name__})", AnnotationWarning, stacklevel=2)
    return out


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
        The JSONL file; default :func:`core.paths.annotations_path`.

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
    record = {"schema": SCHEMA, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "input_path": str(input_path),
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


def read_annotations(path=None) -> list[Annotation]:
    """All valid annotations of a JSONL file (default :func:`core.paths.annotations_path`).

    Corrupt, partial or invalid lines are skipped with an :class:`AnnotationWarning` naming
    the line; a missing file gives an empty list. Never raises for the file's content.
    """
    path = Path(path) if path is not None else paths.annotations_path()
    if not path.is_file():
        return []
    out = []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                out.append(_parse(json.loads(text), lineno))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                warnings.warn(f"{path}:{lineno}: annotation skipped ({type(exc).__name__}: {str(exc)[:80]})",
                              AnnotationWarning, stacklevel=2)
    return out
