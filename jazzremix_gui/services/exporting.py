"""Writing the stems and the remix of a track to files (no Qt; runs in a worker or the CLI).

Names come from the ``--filename`` template (:mod:`services.naming`; default
``<name>.solo.<ext>``, ``<name>.accompaniment.<ext>``, ``<name>.remix.<ext>``); every
file has the input's sample rate and length, its tags (the stem named in the title),
goes through the plan's clip mode (:mod:`core.audio.headroom`) and is written atomically.
The app's export and the CLI's ``render`` both call :func:`export_track`, so the same
session and options give the same bytes. The solo and the accompaniment go through the clip mode with
one gain (:mod:`core.audio.shared_gain`), as ``separate`` writes them.
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
from jazzremix_gui.core.audio import loudness_match
from jazzremix_gui.core.audio.headroom import (CEILING_DBTP, DEFAULT_CLIP_MODE, ClipReport, check_mode, commit_all,
                                               overs)
from jazzremix_gui.core.audio.loudness import file_loudness, integrated_loudness
from jazzremix_gui.core.audio.loudness_match import LOUDNESS_MODES
from jazzremix_gui.core.audio.shared_gain import SharedGainWriter
from jazzremix_gui.core.audio.limiter import lin_to_db
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.services import naming

KINDS = ("solo", "accompaniment", "remix")
#: How the solo file is written: ``separate``'s modes (:data:`core.pipeline.SOLO_MODES`: mono, stereo at the
#: recorded pan and level, residual = input - accompaniment) and ``remix``, stereo panned as in the remix.
SOLO_MODES = (*pipeline.SOLO_MODES, "remix")
#: Frames handed to a writer at a time.
_BLOCK = 65536


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
    loudness: str = "keep"

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


def render(kind: str, stems: pipeline.Stems, pan, gain, solo: str = "mono", mono: bool = False,
           source: np.ndarray | None = None) -> np.ndarray:
    """The signal of one export kind: solo (n,) or (n, 2), accompaniment (n, 2) or (n,) when ``mono``, remix (n, 2).

    ``solo``: one of :data:`SOLO_MODES`; ``residual`` needs ``source``, the input ``(n, c)`` at the stems' rate.
    """
    if kind == "solo":
        if solo == "residual":
            residual = _stereo(source, len(stems)) - stems.accompaniment
            return residual.mean(axis=1) if mono else residual
        if solo == "stereo":
            return place_solo(stems.solo, stems.recorded_pan_deg, 1.0, stems.solo_level)
        return place_solo(stems.solo, pan, gain, stems.solo_level) if solo == "remix" else stems.solo
    if kind == "accompaniment":
        return stems.accompaniment.mean(axis=1) if mono else stems.accompaniment
    return pipeline.render_remix(stems, pan, gain)


def _stereo(source, n: int) -> np.ndarray:
    """The input as ``(n, 2)`` float32 (a mono one duplicated); AudioWriteError when it is not ``n`` frames long."""
    if source is None or source.shape[0] != n:
        raise AudioWriteError("the recording changed since it was separated: open it again to export it")
    source = np.asarray(source, np.float32).reshape(n, -1)
    return np.repeat(source, 2, axis=1) if source.shape[1] == 1 else source[:, :2]


def _match(remix: np.ndarray, recording: np.ndarray, rate: int) -> loudness_match.LoudnessMatch:
    """The loudness match of a remix in memory to the recording (both ``(n, 2)``)."""
    unmeasurable = loudness_match.not_measurable(rate, CEILING_DBTP)
    if unmeasurable is not None:
        return unmeasurable
    peak_db = overs(remix)[1]
    return loudness_match.match_gain(integrated_loudness(recording, rate), integrated_loudness(remix, rate),
                                     10 ** (peak_db / 20), CEILING_DBTP)


def predicted_overs(stems: pipeline.Stems, pan, gain, plan: ExportPlan, source: np.ndarray | None = None) -> dict:
    """``{kind: (sample values beyond full scale, sample peak dBFS)}`` of what the plan would write.

    Fast (no oversampling: a warning before export, on the UI thread); the export itself
    measures true peaks and reports what its clip mode did.
    """
    out = {}
    for k in plan.kinds:
        a = np.abs(render(k, stems, pan, gain, plan.solo, source=source))
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
    needs_input = (plan.solo == "residual" and "solo" in plan.kinds) or (plan.loudness == "match" and "remix" in
                                                                         plan.kinds)
    recording = audio_io.read_audio(input_path)[0] if needs_input else None
    matched = None
    shared = tuple(k for k in pipeline.STEMS if k in plan.kinds)  # the stems share one gain (keep their sum)
    groups = ([shared] if shared else []) + [(k,) for k in plan.kinds if k not in shared]
    with ExitStack() as stack:
        writers = []
        for i, group in enumerate(groups):
            if job is not None:
                if job.is_cancelled():
                    raise Cancelled()
                job.progress(i / (len(groups) + 1), f"writing {' and '.join(group)}")
            audio = [render(k, stems, pan, gain, plan.solo, mono, recording) for k in group]
            if group == ("remix",) and plan.loudness == "match":
                matched = _match(audio[0], _stereo(recording, len(stems)), stems.rate)
                audio = [loudness_match.apply(audio[0], matched)]
            file_tags = [tags.output_tags(source, Path(input_path).stem, pipeline.stem_title(k, plan.solo), models)
                         for k in group]
            w = stack.enter_context(SharedGainWriter([targets[k] for k in group], stems.rate,
                                                     [1 if a.ndim == 1 else a.shape[1] for a in audio],
                                                     plan.spec, plan.clip, file_tags))
            for j in range(0, audio[0].shape[0], _BLOCK):
                w.write(*(a[j: j + _BLOCK] for a in audio))
            writers.append(w)
        if job is not None and job.is_cancelled():
            raise Cancelled()
        by_path = {r.path: r for r in commit_all(writers)}
    reports = [by_path[Path(targets[k])] for k in plan.kinds]
    if matched is not None and not matched.unmeasurable:
        remix = by_path[Path(targets["remix"])]
        matched.output_lufs = file_loudness(remix.path)  # what was written
    if matched is not None:
        by_path[Path(targets["remix"])].loudness = matched.describe()
    if job is not None:
        job.progress(1.0, "exported")
    return reports
