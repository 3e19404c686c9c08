"""Writing the stems and the remix of a track to files (no Qt; runs in a worker or the CLI).

Names come from the ``--filename`` template (:mod:`services.naming`; default
``<name>.solo.<ext>``, ``<name>.accompaniment.<ext>``, ``<name>.remix.<ext>``); every
file has the input's sample rate and length, its tags (the stem named in the title),
goes through the plan's clip mode (:mod:`core.audio.headroom`) and is written atomically.
The app's export and the CLI's ``render`` both call :func:`export_track`, so the same
session and options give the same bytes.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core.files import atomic
from jazzremix_gui.core.errors import AudioWriteError, Cancelled
from jazzremix_gui.core.audio.formats import DEFAULT_MP3_BITRATE, OutputSpec
from jazzremix_gui.core.audio.headroom import (CEILING_DBTP, DEFAULT_CLIP_MODE, ClipReport, MasteredWriter, check_mode,
                                        commit_all)
from jazzremix_gui.core.audio.limiter import lin_to_db
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.services import naming

KINDS = ("solo", "accompaniment", "remix")
#: Frames handed to a writer at a time.
_BLOCK = 65536


@dataclass
class ExportPlan:
    """What to write: kinds (subset of :data:`KINDS`), folder, format, bits, solo stereo or mono, clip mode...

    ``keep_mono``: a mono recording's accompaniment is written mono (its two channels are
    then identical anyway). ``template``: :mod:`services.naming`.
    """

    out_dir: Path
    kinds: tuple = KINDS
    fmt: str = "wav"
    bits: int = 24
    solo_stereo: bool = False
    clip: str = DEFAULT_CLIP_MODE
    bitrate: int = DEFAULT_MP3_BITRATE
    template: str = naming.DEFAULT_TEMPLATE
    keep_mono: bool = False

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


def render(kind: str, stems: pipeline.Stems, pan, gain, solo_stereo: bool, mono: bool = False) -> np.ndarray:
    """The signal of one export kind: solo (n,) or (n, 2), accompaniment (n, 2) or (n,) when ``mono``, remix (n, 2)."""
    if kind == "solo":
        return place_solo(stems.solo, pan, gain, stems.solo_level) if solo_stereo else stems.solo
    if kind == "accompaniment":
        return stems.accompaniment.mean(axis=1) if mono else stems.accompaniment
    return pipeline.render_remix(stems, pan, gain)


def predicted_overs(stems: pipeline.Stems, pan, gain, plan: ExportPlan) -> dict:
    """``{kind: (sample values beyond full scale, sample peak dBFS)}`` of what the plan would write.

    Fast (no oversampling: a warning before export, on the UI thread); the export itself
    measures true peaks and reports what its clip mode did.
    """
    out = {}
    for k in plan.kinds:
        a = np.abs(render(k, stems, pan, gain, plan.solo_stereo))
        out[k] = (int(np.count_nonzero(a > 1.0)), lin_to_db(float(a.max(initial=0.0))))
    return out


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


def export_track(input_path, stems: pipeline.Stems, pan, gain, plan: ExportPlan, job=None, models=None,
                 subfolder: str = "") -> list[ClipReport]:
    """Write the planned files, all of them or none; ``pan``/``gain`` are floats or per-sample arrays (automation).

    The rules of ``separate`` (:func:`core.pipeline.separate_file`): what interrupted jobs
    left in the target folders is removed first (:func:`core.files.atomic.sweep`); the files are
    renamed into place together (:func:`core.audio.headroom.commit_all`), so a cancel, an error
    or a signal leaves every earlier file as it was and no temporary file.

    Parameters
    ----------
    models : dict, optional
        ``{"separator": version, "mixer": version}`` for the comment tag (default: the stems' separator).

    Returns
    -------
    list of ClipReport
        One per file written (``.path``), in the order of ``plan.kinds``.
    """
    plan.check()
    targets = plan.paths(input_path, subfolder)
    naming.check_name_lengths(targets.values())
    naming.make_folders(targets.values())
    for folder in dict.fromkeys(p.parent for p in targets.values()):
        atomic.sweep(folder)
    source = tags.read_tags(input_path)
    models = models or {"separator": stems.model_version}
    mono = plan.keep_mono and audio_io.info(input_path).channels == 1
    with ExitStack() as stack:
        writers = []
        for i, kind in enumerate(plan.kinds):
            if job is not None:
                if job.is_cancelled():
                    raise Cancelled()
                job.progress(i / (len(plan.kinds) + 1), f"writing {kind} ({i + 1} of {len(plan.kinds)})")
            audio = render(kind, stems, pan, gain, plan.solo_stereo, mono)
            file_tags = tags.output_tags(source, Path(input_path).stem, kind, models)
            w = stack.enter_context(MasteredWriter(targets[kind], stems.rate, 1 if audio.ndim == 1 else audio.shape[1],
                                                   plan.spec, plan.clip, file_tags))
            for j in range(0, audio.shape[0], _BLOCK):
                if job is not None:  # progress within the stem, and a cancel heard within one block
                    job.progress((i + j / audio.shape[0]) / (len(plan.kinds) + 1),
                                 f"writing {kind} ({i + 1} of {len(plan.kinds)})")
                w.write(audio[j: j + _BLOCK])
            writers.append(w)
        if job is not None and job.is_cancelled():
            raise Cancelled()
        reports = commit_all(writers)
    if job is not None:
        job.progress(1.0, "exported")
    return reports
