"""Record the engineer's final choice on every export (the mixer's future training labels).

Thin layer over :func:`jazzremix_gui.core.annotations.record_annotation`: one JSON line per
export in ``core.paths.annotations_path()`` with the input's hash, model versions, the
track-level pan/gain, the per-section automation and compact mixer features.
"""

from __future__ import annotations

from pathlib import Path

from jazzremix_gui.core import annotations as core_annotations


def section_rows(state) -> list[dict]:
    """Sections as annotation dicts (empty when per-section automation is off)."""
    if not state.automation:
        return []
    return [{"start": a, "end": b, "active": act, "pan_deg": v[0], "gain": v[1]}
            for (a, b, act), v in zip(state.bounds, state.values[1:])]


def record_export(track) -> Path:
    """Append the annotation of a ready :class:`~jazzremix_gui.ui.tracks.Track` (call from a worker)."""
    stems, state = track.processed.stems, track.state
    pan, gain = state.value(-1)
    sections = section_rows(state)
    feat_sections = sections or [{"start": 0.0, "end": len(stems) / stems.rate, "active": True}]
    try:
        features = core_annotations.annotation_features(stems.solo, stems.accompaniment, stems.rate, feat_sections,
                                                         track.processed.mixer_hop)
    except Exception:  # features are a bonus; the label itself must be recorded
        features = {}
    return core_annotations.record_annotation(
        track.path, track.decoded.sha256 if track.decoded else None, sections, pan, gain, features,
        track.processed.separator_version, track.processed.mixer_version)
