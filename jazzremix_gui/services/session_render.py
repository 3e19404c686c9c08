"""Rendering a saved session without the app: the same analysis and export the app runs.

:func:`analyse_input` reproduces the app's processing of a recording (the same decoding,
the same cache entries, :func:`core.pipeline.analyse`), and :func:`render_session` applies
the session's mix over the suggestion as the app does (:func:`core.signal.automation.session_curves`)
and writes through :func:`services.exporting.export_track`: for the same models and
export options the files are byte-identical to the app's export.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal import automation
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.services import cache, session
from jazzremix_gui.services.exporting import ExportPlan, export_track


def analyse_input(path, separator, mixer, progress=None, cancel=None) -> tuple[pipeline.Stems, object, str]:
    """Stems and suggestion of a recording as the app computes them (cache first), and the file's SHA-256."""
    audio, rate = audio_io.read_audio(path)
    stereo = np.ascontiguousarray(np.repeat(audio, 2, axis=1) if audio.shape[1] == 1 else audio)
    sha = cache.file_sha256(path, cancel)
    key = cache.cache_key(sha, separator, mixer)
    hit = cache.load(key, rate, stereo.shape[0])
    if hit is not None:
        return hit[0], hit[1], sha
    result = pipeline.analyse(stereo, rate, separator, mixer, progress=Reporter(progress, cancel), cancel=cancel)
    cache.save(key, result.stems, result.suggestion)
    return result.stems, result.suggestion, sha


def render_session(session_path, plan: ExportPlan, separator_path=None, mixer_path=None,
                   progress=None) -> tuple[list, list[str]]:
    """Write what the app's export writes for a session.

    Returns
    -------
    reports : list of ClipReport
        One per file written.
    notes : list of str
        Differences worth telling: other model versions than the session's, a changed recording.
    """
    data = session.load_session(session_path)
    separator = pipeline.load_model(separator_path, "separator")
    mixer = pipeline.load_model(mixer_path, "mixer")
    notes = []
    for kind, model in (("separator", separator), ("mixer", mixer)):
        saved = data.get(f"{kind}_version", "")
        if saved and saved != model.meta.version:
            notes.append(f"{session_path}: saved with {kind} {saved}, rendered with {model.meta.version}")
    report = Reporter(progress, None)
    stems, suggestion, sha = analyse_input(data["input"], separator, mixer, report.sub(0.0, 0.9))
    if data.get("input_sha256") and data["input_sha256"] != sha:
        notes.append(f"{session_path}: {data['input']} has changed since the session was saved")
    mix = session.mix_for(data, stems.solo_level)  # a version-1 session converted as the app does
    pan, gain = automation.session_curves(mix, suggestion, len(stems), stems.rate)
    models = {"separator": separator.meta.version, "mixer": mixer.meta.version}
    reports = export_track(Path(data["input"]), stems, pan, gain, plan, None, models)
    report(1.0, "written")
    return reports, notes
