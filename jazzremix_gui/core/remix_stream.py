"""The stereo remix of a file, streamed: memory stays bounded for any length (``jazzremix remix``).

A remix needs two things known only at the end of the recording: the mixer's suggestion
(per section) and the recording's solo level ``k`` (:mod:`core.signal.panlaw`). So it takes two
passes, like :func:`core.pipeline.separate_file` takes one:

1. separate (and let the mixer listen, unless pan and gain are both given) in one streaming
   pass (:func:`core.pipeline.analyse` with ``keep_stems=False``), spooling the solo and the
   accompaniment as float32 to a temporary file beside the output (12 bytes per frame:
   about 1.9 GB for an hour at 44.1 kHz; the free space for it and the output is checked
   first, :func:`space_needed`);
2. read the spool back block by block, place the solo (:func:`core.signal.panlaw.place_solo`, the
   per-section curves from :class:`core.signal.automation.Curves`), add the accompaniment and write
   through the clip mode (:class:`core.audio.headroom.MasteredWriter`).

The numbers are those of the whole-file remix (:func:`core.pipeline.render_remix` of the
whole stems), sample for sample. The spool is removed in every case.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal import automation
from jazzremix_gui.core.files.atomic import TempFile
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio import loudness_match
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, DEFAULT_CLIP_MODE, ClipReport, MasteredWriter
from jazzremix_gui.core.audio.loudness import file_loudness
from jazzremix_gui.core.audio.loudness_match import LoudnessMatch, RemixMeter, match_gain
from jazzremix_gui.core.models import SessionLike
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.core.progress import CancelFn, ProgressFn, Reporter
from jazzremix_gui.core.signal.separation import RecordedSolo
from jazzremix_gui.core.signal.mixer import Suggestion

#: Bytes per spooled frame: solo, accompaniment L and R as float32.
SPOOL_FRAME_BYTES = 12
#: Share of the progress bar taken by the separation pass.
SEPARATION_SHARE = 0.9


@dataclass
class RemixResult:
    """What :func:`remix_file` did: the clip report, the pan and gain used, the suggestion and models."""

    report: ClipReport
    pan: object  # float, or (n,) per-section curve summarised by pan_range
    gain: object
    suggestion: Suggestion | None
    models: dict
    pan_range: tuple[float, float]
    gain_range: tuple[float, float]
    loudness: LoudnessMatch | None = None  # ``loudness="match"``: what was measured and done


def space_needed(frames: int, spec: OutputSpec, clip: str) -> tuple[int, str]:
    """Bytes :func:`remix_file` writes beside the output for ``frames`` input frames, and what they are.

    The stems spool (:data:`SPOOL_FRAME_BYTES` per frame), the remix itself (PCM: its bit
    depth; lossy: at most 1 byte per frame), and for ``rescale`` its float spool (8 bytes per frame).
    """
    out = frames * (1 if spec.lossy else 2 * spec.bits // 8)
    parts = [(SPOOL_FRAME_BYTES * frames, "stems spool"), (out, "the remix")]
    if clip == "rescale":
        parts.append((8 * frames, "rescale spool"))
    return sum(n for n, _ in parts), " + ".join(f"{what} {n / 1e9:.2f} GB" for n, what in parts)


def _check_space(folder: Path, frames: int, spec: OutputSpec, clip: str) -> None:
    need, what = space_needed(frames, spec, clip)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < need:
        raise AudioWriteError(f"{folder}: no space left for the remix: needs {need / 1e9:.2f} GB beside the output "
                              f"({what}), {free / 1e9:.2f} GB free")


def remix_file(input_path, out_path, spec: OutputSpec, clip: str = DEFAULT_CLIP_MODE, pan: float | None = None,
               gain: float | None = None, whole_track: bool = False, separator: SessionLike | None = None,
               mixer: SessionLike | None = None, tags: dict | None = None, progress: ProgressFn = None,
               cancel: CancelFn = None, loudness: str = "keep") -> RemixResult:
    """Separate ``input_path`` and write its stereo remix to ``out_path``, streaming.

    Parameters
    ----------
    input_path, out_path : str or Path
    spec : OutputSpec
        Format of the output.
    clip : str
        Clip mode (:mod:`core.audio.headroom`).
    pan, gain : float, optional
        Whole-file pan (degrees) and gain (1.0 = as recorded); each one not given follows the
        mixer's suggestion (per section unless ``whole_track``).
    separator, mixer : SessionLike, optional
        Default: the installed models (the mixer is loaded only when needed).
    tags : dict, optional
        :mod:`core.audio.tags` fields of the output.
    loudness : str
        ``keep`` (the remix as computed) or ``match`` (:mod:`core.audio.loudness_match`: one gain makes
        its integrated loudness the input's, within the true-peak ceiling; one more read of the spool).

    Returns
    -------
    RemixResult
    """
    need_mixer = pan is None or gain is None
    # one warning per command for a damaged or downmixed input: analyse() says it when the mixer runs
    meta = audio_io.probe(input_path) if need_mixer else audio_io.info(input_path)
    out_path = Path(out_path)
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise AudioWriteError(f"{folder}: output folder does not exist")
    report = Reporter(progress, cancel)
    separator = separator or pipeline.load_model(None, "separator")
    if need_mixer:
        mixer = mixer or pipeline.load_model(None, "mixer")
    _check_space(folder, meta.frames, spec, clip)
    # the output is opened first: a format, rate or folder it cannot take is said before any work
    with MasteredWriter(out_path, meta.rate, 2, spec, clip, tags) as w:
        try:
            spool = TempFile(out_path, ".stems.f32")
        except OSError as exc:
            raise AudioWriteError(f"{folder}: cannot write there ({exc.strerror})") from None
        try:
            level, suggestion = _separate_to_spool(meta, spool.tmp, separator, mixer if need_mixer else None,
                                                   report.sub(0.0, SEPARATION_SHARE))
            auto = automation.suggestion_automation(suggestion, meta.frames, meta.rate, whole_track) \
                if need_mixer else (pan, gain)
            match = loudness_match.not_measurable(meta.rate, CEILING_DBTP) if loudness == "match" else None
            if loudness == "match" and match is None:
                meter = RemixMeter(meta.rate)
                _render(spool.tmp, meta.frames, auto, pan, gain, level, meter, report.sub(SEPARATION_SHARE, 0.95))
                match = match_gain(file_loudness(meta.path), *meter.finish(), CEILING_DBTP)
            ranges = _render(spool.tmp, meta.frames, auto, pan, gain, level, w, report.sub(0.95, 1.0), match)
        finally:
            spool.discard()
        clip_report = w.commit()
    if match is not None and not match.unmeasurable:
        match.output_lufs = file_loudness(out_path)  # what was written, limiter and encoder included
    models = {"separator": separator.meta.version}
    if need_mixer:
        models["mixer"] = mixer.meta.version
    return RemixResult(clip_report, *_summary(auto, pan, gain), suggestion, models, *ranges, match)


def _summary(auto, pan, gain):
    """The pan and gain as reported: floats when constant, else the word "sections"."""
    if isinstance(auto, automation.Curves):
        return (pan if pan is not None else "sections"), (gain if gain is not None else "sections")
    return (pan if pan is not None else auto[0]), (gain if gain is not None else auto[1])


def _separate_to_spool(meta, spool: Path, separator, mixer, report: Reporter):
    """Pass 1: the stems to ``spool`` as interleaved float32 (solo, acc L, acc R); returns (k, suggestion)."""
    try:
        with open(spool, "wb") as fh:
            def sink(solo, acc):
                fh.write(np.column_stack([solo, acc]).astype(np.float32, copy=False).tobytes())

            if mixer is not None:
                result = pipeline.analyse(meta.path, None, separator, mixer, progress=report, keep_stems=False,
                                          sink=sink)
                return result.stems.solo_level, result.suggestion
            recorded = RecordedSolo()
            blocks = audio_io.read_blocks(meta.path, pipeline.READ_BLOCK)
            for solo, acc in pipeline.separate_stream(blocks, meta.rate, meta.frames, separator, report,
                                                      recorded=recorded):
                sink(solo, acc)
            return recorded.level, None
    except OSError as exc:
        raise AudioWriteError(f"{spool.parent}: cannot write the remix's temporary stems ({exc.strerror})") from None


def _render(spool: Path, frames: int, auto, pan, gain, level: float, writer: MasteredWriter, report: Reporter,
            match: LoudnessMatch | None = None):
    """Pass 2: place the solo block by block and write (times ``match``'s gain); returns the (min, max) of the pan
    and of the gain used."""
    lo_hi = [[np.inf, -np.inf], [np.inf, -np.inf]]
    pos = 0
    with open(spool, "rb") as fh:
        while True:
            raw = fh.read(pipeline.READ_BLOCK * SPOOL_FRAME_BYTES)
            if not raw:
                break
            block = np.frombuffer(raw, np.float32).reshape(-1, 3)
            end = pos + block.shape[0]
            if isinstance(auto, automation.Curves):
                p, g = auto.window(pos, end)
                p = pan if pan is not None else p
                g = gain if gain is not None else g
            else:
                p, g = auto
            for k, v in enumerate((p, g)):
                lo_hi[k] = [min(lo_hi[k][0], float(np.min(v))), max(lo_hi[k][1], float(np.max(v)))]
            writer.write(loudness_match.apply(place_solo(block[:, 0], p, g, level) + block[:, 1:], match))
            pos = end
            report(pos / max(frames, 1), "writing the remix")
    return tuple(lo_hi[0]), tuple(lo_hi[1])
