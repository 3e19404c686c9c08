"""Record the engineer's final choice on every export (the mixer's future training labels).

Thin layer over :func:`jazzremix_gui.core.annotations.record_annotation`: one JSON line per
export in ``core.files.paths.annotations_path()`` with the input's hash, model versions, the
track-level pan/gain, the per-section automation and compact mixer features.

:func:`snapshot` copies what is recorded on the main thread, before the export job
starts, so an edit made while the export runs can never be recorded in its place;
:func:`record_export` then does the slow part (features, file append) in the worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jazzremix_gui.core import annotations as core_annotations
from jazzremix_gui.core.signal import features as model_inputs
from jazzremix_gui.core.pipeline import Stems


@dataclass(frozen=True)
class ExportRecord:
    """Everything an annotation holds, copied from a track at the moment of export.

    Attributes
    ----------
    pan_deg, gain : float
        Track-level pan (degrees) and linear gain.
    sections : list of dict
        Per-section automation (``start``, ``end``, ``active``, ``pan_deg``, ``gain``); empty when off.
    mixer_hop : int
        The mixer's STFT hop, so the stored features are the frames it reads.
    """

    path: Path
    sha256: str | None
    stems: Stems
    pan_deg: float
    gain: float
    sections: list = field(default_factory=list)
    separator_version: str = ""
    mixer_version: str = ""
    mixer_hop: int = 1024


def section_rows(state) -> list[dict]:
    """Sections as annotation dicts (empty when per-section automation is off)."""
    if not state.automation:
        return []
    return [{"start": a, "end": b, "active": act, "pan_deg": v[0], "gain": v[1]}
            for (a, b, act), v in zip(state.bounds, state.values[1:])]


def snapshot(track) -> ExportRecord:
    """Copy what an annotation of a ready :class:`~jazzremix_gui.ui.tracks.Track` records (main thread)."""
    pan, gain = track.state.value(-1)
    p = track.processed
    return ExportRecord(Path(track.path), track.decoded.sha256 if track.decoded else None, p.stems, float(pan),
                        float(gain), section_rows(track.state), p.separator_version, p.mixer_version, p.mixer_hop)


def record_export(rec: ExportRecord, path=None) -> Path:
    """Append the annotation of an export (call from the worker); returns the annotation file.

    The features are the mixer's input of the separated stems at the solo's recorded level
    (``stems.solo_level``); a failure there still records the label, without features.
    ``path``: the annotation file (default :func:`core.files.paths.annotations_path`).
    """
    stems = rec.stems
    feat_sections = rec.sections or [{"start": 0.0, "end": len(stems) / stems.rate, "active": True}]
    level = getattr(stems, "solo_level", None) or model_inputs.SOLO_LEVEL_DEFAULT
    try:
        features = core_annotations.annotation_features(stems.solo, stems.accompaniment, stems.rate, feat_sections,
                                                        level, hop=rec.mixer_hop)
    except Exception:  # features are a bonus; the label itself must be recorded
        features = {}
    return core_annotations.record_annotation(rec.path, rec.sha256, rec.sections, rec.pan_deg, rec.gain, features,
                                              rec.separator_version, rec.mixer_version, path)
