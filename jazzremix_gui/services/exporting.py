"""The export plan (what to write and how) and the app's export of a track in memory (no Qt; runs in a worker).

Names come from the ``--filename`` template (:mod:`services.naming`; default
``<name>.solo.<ext>``, ``<name>.accompaniment.<ext>``, ``<name>.remix.<ext>``); every
file has the input's sample rate and length, its tags (the stem named in the title),
goes through the plan's clip mode (:mod:`core.audio.headroom`) and is written atomically
by :func:`services.remix_writer.write_outputs`, the one writer behind the app's export,
``render``, ``remix`` and ``batch``: the same stems, mix and options give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core.files import atomic
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.audio.formats import DEFAULT_MP3_BITRATE, OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, DEFAULT_CLIP_MODE, ClipReport, check_mode
from jazzremix_gui.core.audio.loudness_match import LOUDNESS_MODES
from jazzremix_gui.core.audio.limiter import lin_to_db
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.services import naming, remix_writer
from jazzremix_gui.services.remix_writer import KINDS, SOLO_MODES


@dataclass
class ExportPlan:
    """What to write: kinds (subset of :data:`KINDS`), folder, format, bits, solo mode (:data:`SOLO_MODES`), clip mode...

    ``keep_mono``: a mono recording's accompaniment is written mono (its two channels are
    then identical anyway). ``template``: :mod:`services.naming`. ``loudness``: the remix ``keep`` as
    computed or ``match`` the recording's loudness (:mod:`core.audio.loudness_match`, as ``remix --loudness``).
    """

    out_dir: Path
    kinds: tuple = KINDS
    fmt: str = "wav"
    bits: int = 24
    solo: str = "mono"
    clip: str = DEFAULT_CLIP_MODE
    bitrate: int = DEFAULT_MP3_BITRATE
    template: str = naming.DEFAULT_TEMPLATE
    keep_mono: bool = False
    loudness: str = "match"

    @property
    def spec(self) -> OutputSpec:
        return OutputSpec(self.fmt, self.bits, self.bitrate)

    def paths(self, input_path, subfolder: str = "") -> dict:
        return naming.output_paths(naming.InputFile(Path(input_path), subfolder), self.out_dir, self.kinds,
                                   self.fmt, self.template)

    def check(self) -> None:
        """Raise :class:`AudioWriteError` for an impossible plan (before any work)."""
        if not self.kinds:
            raise AudioWriteError("nothing selected to export")
        if not Path(self.out_dir).is_dir():
            raise AudioWriteError(f"{self.out_dir}: output folder does not exist")
        check_mode(self.clip, self.spec.check())
        naming.check_template(self.template)
        if self.loudness not in LOUDNESS_MODES:
            raise AudioWriteError(f"loudness '{self.loudness}': use one of {', '.join(LOUDNESS_MODES)}")
        if self.solo not in SOLO_MODES:
            raise AudioWriteError(f"solo mode '{self.solo}': use one of {', '.join(SOLO_MODES)}")


def predicted_overs(stems: pipeline.Stems, pan, gain, plan: ExportPlan, recording=None) -> dict:
    """``{kind: (sample values beyond full scale, sample peak dBFS)}`` of what the plan would write.

    Fast (no oversampling: a warning before export); block by block with the writer's own
    signals (:func:`services.remix_writer.kind_block`; ``recording``, the input file, for a
    ``residual`` solo). The export itself measures true peaks and reports what its clip mode did.
    """
    mix = remix_writer.Mix.of(pan, gain)
    source = remix_writer.SilencedStems.of(remix_writer.MemoryStems(stems), mix, recording)
    found = {k: [0, 0.0] for k in plan.kinds}
    residual = plan.solo == "residual" and "solo" in plan.kinds and recording is not None
    input_blocks = remix_writer.RecordingReader(recording) if residual else None
    pos = 0
    for solo, acc in source.blocks():
        p, g = mix.window(pos, pos + solo.shape[0])
        pos += solo.shape[0]
        rec = input_blocks.take(solo.shape[0]) if residual else None
        for k in plan.kinds:
            mode = plan.solo if residual or plan.solo != "residual" else "mono"
            a = np.abs(remix_writer.kind_block(k, solo, acc, p, g, stems.solo_level, mode, False,
                                               stems.recorded_pan_deg, rec))
            found[k][0] += int(np.count_nonzero(a > 1.0))
            found[k][1] = max(found[k][1], float(a.max(initial=0.0)))
    return {k: (n, lin_to_db(peak)) for k, (n, peak) in found.items()}


def overs_warning(found: dict, clip: str) -> str:
    """The text warning about :func:`predicted_overs` (empty when nothing goes beyond full scale)."""
    hot = {k: v for k, v in found.items() if v[0]}
    if not hot:
        return ""
    lines = [f"{k}: {n:,} samples beyond full scale (peak {p:+.1f} dBFS)" for k, (n, p) in hot.items()]
    action = {"limit": f"The limiter will hold them at {CEILING_DBTP:g} dBTP (clip mode: limit).",
              "rescale": f"Each file will be scaled down to {CEILING_DBTP:g} dBTP (clip mode: rescale).",
              "clamp": "They will be clipped (clip mode: clamp): audible distortion.",
              "none": "They are kept beyond full scale in the float file (clip mode: none); "
                      "the next tool may clip them."}[clip]
    return "\n".join(lines + [action])


def preflight(input_path, plan: ExportPlan, subfolder: str = "") -> dict:
    """The planned outputs ``{kind: Path}``, checked before any work and before any question to the engineer.

    The plan is possible (:meth:`ExportPlan.check`); no output is the input or leaves the folder
    (:func:`services.naming.refusals`); every name fits the file system; no folder stands where a file would go.
    The app asks about files to replace only after this (it once asked to replace the input, then refused it).

    Raises
    ------
    AudioWriteError
        One line.
    OSError
        A folder on the way cannot be entered (the caller words it).
    """
    plan.check()
    targets = plan.paths(input_path, subfolder)
    refused = naming.refusals({str(input_path): targets}, [input_path], plan.out_dir)
    if refused:
        raise AudioWriteError(next(iter(refused.values())))
    naming.check_name_lengths(targets.values())
    for path in targets.values():
        if path.is_dir():
            raise AudioWriteError(f"{path}: a folder has this name; an export does not replace a folder")
    return targets


def prepare_targets(targets: dict) -> None:
    """Check the output names fit the file system, create their folders, and remove what interrupted jobs left
    there (:func:`core.files.atomic.sweep`); raises AudioWriteError before any work."""
    naming.check_name_lengths(targets.values())
    naming.make_folders(targets.values())
    for folder in dict.fromkeys(p.parent for p in targets.values()):
        atomic.sweep(folder)


def export_track(input_path, stems: pipeline.Stems, pan, gain, plan: ExportPlan, job=None, models=None,
                 subfolder: str = "") -> list[ClipReport]:
    """Write the planned files, all of them or none; ``pan``/``gain`` are floats or per-sample arrays (automation).

    The app's export. The rules of every writer (:func:`services.remix_writer.write_outputs`):
    no output may be the input or leave the plan's folder (:func:`services.naming.refusals`);
    what interrupted jobs left in the target folders is removed first; the files are renamed
    into place together, so a cancel, an error or a signal leaves every earlier file as it
    was and no temporary file.

    Parameters
    ----------
    input_path : path
        The recording (its tags and name go into the outputs).
    stems : pipeline.Stems
        Float stems ``(n,)`` and ``(n, 2)`` at the recording's rate.
    pan, gain : float or np.ndarray [shape=(n,)]
        Degrees and gain relative to the recording; or ``pan`` a :class:`services.remix_writer.Mix` (the app's
        automation, read a window at a time) and ``gain`` None.
    job : optional
        ``progress(fraction, message)`` and ``is_cancelled()``.
    models : dict, optional
        ``{"separator": version, "mixer": version}`` for the comment tag (default: the stems' separator).

    Returns
    -------
    list of ClipReport
        One per file written (``.path``), in the order of ``plan.kinds``.
    """
    targets = preflight(input_path, plan, subfolder)
    prepare_targets(targets)
    out = remix_writer.OutputPlan(targets, plan.spec, plan.clip, plan.solo, plan.keep_mono,
                                  tags.read_tags(input_path), Path(input_path).stem,
                                  models or {"separator": stems.model_version}, plan.loudness, Path(input_path))
    mono = audio_io.info(input_path).channels == 1
    report = Reporter(job.progress, job.is_cancelled) if job is not None else None
    reports = remix_writer.write_outputs(remix_writer.MemoryStems(stems, mono), remix_writer.Mix.of(pan, gain), out,
                                         report)
    if job is not None:
        getattr(job, "keep", lambda: None)()  # the files are in place: a cancel from now on changes nothing
        job.progress(1.0, "exported")
    return reports
