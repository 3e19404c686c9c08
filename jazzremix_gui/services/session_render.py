"""Rendering a saved session without the app (``jazzremix render``): the app's analysis and export, streamed.

The stems come from the app's cache entry when there is one (:mod:`services.cache`), else
from one streaming pass of the separator and the mixer into a float spool beside the
outputs (:func:`services.remix_writer.separate_to_spool`: the same numbers as the app's
analysis of the whole file); the session's mix is applied over the suggestion as the app
does (:func:`core.signal.automation.session_automation`), and every file is written by
:func:`services.remix_writer.write_outputs`, the writer of the app's export: for the same
models and export options the files are byte-identical to the app's. Without a cache
entry nothing is held whole, so memory stays bounded for any length (docs/EXPORTS.md);
a render stores no cache entry (that would need the whole stems in memory).
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import adapted_meta, with_solo_side, with_wiener_step, without_mono_comb
from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core.errors import AudioWriteError, ModelError
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal import automation
from jazzremix_gui.services import adaptation, cache, naming, remix_writer, session
from jazzremix_gui.services.exporting import ExportPlan, prepare_targets


def render_session(session_path, plan: ExportPlan, separator_path=None, mixer_path=None,
                   progress=None, overwrite: bool = False) -> tuple[list, list[str]]:
    """Write what the app's export writes for a session.

    ``overwrite``: replace outputs that already exist (otherwise they refuse the render before any work).

    Returns
    -------
    reports : list of ClipReport
        One per file written.
    notes : list of str
        Differences worth telling: other model versions than the session's, a changed recording.

    Raises
    ------
    AudioWriteError
        Before any work, for an output that is the session, its recording, another output,
        outside the output folder, or (unless ``overwrite``) an existing file
        (:func:`services.naming.refused_outputs`).
    """
    data = session.load_session(session_path)
    source_path = Path(data["input"])
    targets = plan.paths(source_path)
    refused = naming.refused_outputs({str(source_path): targets}, [source_path, session_path], plan.out_dir,
                                     overwrite)
    if refused:
        raise AudioWriteError(next(iter(refused.values())))
    meta = audio_io.probe(source_path)  # its warnings: said once, by the analysis or below
    separator = pipeline.load_model(separator_path, "separator")
    if not data.get("mono_comb", True):  # Preferences left mono material without the pitch comb
        separator = without_mono_comb(separator)
    separator = with_solo_side(with_wiener_step(separator, session.wiener_step_of(data)), data.get("solo_side_deg"))
    mixer = pipeline.load_model(mixer_path, "mixer")
    adapted = session.adapt_steps_of(data)
    notes = []
    for kind, model in (("separator", separator), ("mixer", mixer)):
        saved = data.get(f"{kind}_version", "")
        used = adapted_meta(model.meta, adapted).version if kind == "separator" and adapted else model.meta.version
        if saved and saved != used:
            notes.append(f"{session_path}: saved with {kind} {saved}, rendered with {used}")
    prepare_targets(targets)
    report = Reporter(progress, None)
    sha = cache.file_sha256(source_path)
    if data.get("input_sha256") and data["input_sha256"] != sha:
        notes.append(f"{session_path}: {source_path} has changed since the session was saved")
    hit = cache.load(cache.cache_key(sha, separator, mixer, adapted), meta.rate, meta.frames)  # a bad one: dropped
    if hit is not None:
        stems, suggestion = hit
        audio_io.info(source_path)  # the damage or downmix warnings the analysis would have said
        source, holder = remix_writer.MemoryStems(stems, meta.channels == 1), nullcontext()
    else:
        folder = next(iter(targets.values())).parent
        remix_writer.check_space(folder, meta.frames, [(plan.spec, 2)] * len(targets), plan.clip)
        if adapted:  # adapted again as the app did (the same recipe and seed; with another count of threads the
            # last bits may differ); the app's results, cached, need no PyTorch
            if adaptation.missing():
                raise ModelError(f"{session_path}: its stems came from the separator adapted to the recording, and "
                                 f"{adaptation.missing()}")
            separator = adaptation.adapt(source_path, separator, report.sub(0.0, 0.3), steps=adapted)
            report = report.sub(0.3, 1.0)
        source, suggestion = remix_writer.separate_to_spool(source_path, next(iter(targets.values())), separator,
                                                            mixer, report.sub(0.0, 0.9),
                                                            measure_recording=plan.loudness == "match" and "remix" in targets,
                                                            others=False)  # a render reports no other part
        holder = source
    with holder:
        mix = session.mix_for(data, source.solo_level)  # a version-1 session converted as the app does
        auto = automation.session_automation(mix, suggestion, source.frames, source.rate)
        models = {"separator": separator.meta.version, "mixer": mixer.meta.version}
        out = remix_writer.OutputPlan(targets, plan.spec, plan.clip, plan.solo, plan.keep_mono,
                                      tags.read_tags(source_path), source_path.stem, models, plan.loudness,
                                      source_path)
        silent = [tuple(span) for span in mix.get("solo_silent", [])]  # where the engineer said the solo rests
        reports = remix_writer.write_outputs(source, remix_writer.Mix(auto, solo_silent=silent), out,
                                             report.sub(0.9, 1.0))
    return reports, notes
