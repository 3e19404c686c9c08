"""Writing the stems and the remix of a track to files (no Qt; runs in a worker).

Names come from the input's name: ``<name>.solo.<ext>``, ``<name>.accompaniment.<ext>``
and ``<name>.remix.<ext>``; every file has the input's sample rate and length and is
written atomically (:func:`core.audio_io.write_audio`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core import audio_io, pipeline
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.panlaw import place_solo

KINDS = ("solo", "accompaniment", "remix")


@dataclass
class ExportPlan:
    """What to write: kinds (subset of :data:`KINDS`), folder, ``wav``/``flac``, 16/24/32 bits, solo stereo or mono."""

    out_dir: Path
    kinds: tuple = KINDS
    fmt: str = "wav"
    bits: int = 24
    solo_stereo: bool = False

    def paths(self, input_path) -> dict:
        name = Path(input_path).stem
        return {k: Path(self.out_dir) / f"{name}.{k}.{self.fmt}" for k in self.kinds}

    def check(self) -> None:
        """Raise :class:`AudioWriteError` for an impossible plan (before any work)."""
        if not self.kinds:
            raise AudioWriteError("nothing selected to export")
        if not Path(self.out_dir).is_dir():
            raise AudioWriteError(f"{self.out_dir}: output folder does not exist")
        audio_io.subtype_for(self.bits, audio_io.FORMATS[self.fmt])


def render(kind: str, stems: pipeline.Stems, pan, gain, solo_stereo: bool) -> np.ndarray:
    """The signal of one export kind: solo (n,) or (n, 2), accompaniment (n, 2), remix (n, 2)."""
    if kind == "solo":
        return place_solo(stems.solo, pan, gain, stems.solo_level) if solo_stereo else stems.solo
    if kind == "accompaniment":
        return stems.accompaniment
    return pipeline.render_remix(stems, pan, gain)


def export_track(input_path, stems: pipeline.Stems, pan, gain, plan: ExportPlan, job=None) -> list[Path]:
    """Write the planned files; ``pan``/``gain`` are floats or per-sample arrays (section automation).

    Returns
    -------
    list of Path
        The files written, in the order of ``plan.kinds``.
    """
    plan.check()
    written = []
    targets = plan.paths(input_path)
    for i, kind in enumerate(plan.kinds):
        if job is not None:
            job.progress(i / len(plan.kinds), f"writing {kind}")
        audio = render(kind, stems, pan, gain, plan.solo_stereo)
        written.append(audio_io.write_audio(targets[kind], audio, stems.rate, plan.bits))
    if job is not None:
        job.progress(1.0, "exported")
    return written
