"""Output options shared by ``separate``, ``remix``, ``render`` and ``batch``: format, bits, bitrate, clip mode,
names; and the ``--json`` entries of what they wrote."""

from __future__ import annotations

import math

from jazzremix_gui.core.audio.formats import DEFAULT_MP3_BITRATE, FORMATS, LOSSY, MP3_BITRATES, OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, CLIP_MODES, DEFAULT_CLIP_MODE, ClipReport, check_mode
from jazzremix_gui.core.audio.loudness_match import LOUDNESS_MODES, TOLERANCE_LU
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.services import naming

CLIP_HELP = (f"what to do with samples beyond full scale: limit (default: a transparent look-ahead limiter holds "
             f"true peaks at {CEILING_DBTP:g} dBTP and touches nothing else), rescale (scale the whole file down to "
             f"{CEILING_DBTP:g} dBTP), clamp (hard clip), none (keep them; 32-bit float only)")


def add_output_options(p, template: bool = True, fmt: bool = True, default_template: str = naming.DEFAULT_TEMPLATE,
                       ) -> None:
    """``--format`` (unless ``fmt`` is False: the output's extension names it), ``--bits``, ``--bitrate``,
    ``--clip``, ``--overwrite`` and (with ``template``) ``--filename``, whose default is ``default_template``."""
    g = p.add_argument_group("output files")
    if fmt:
        lossy = f" ({', '.join(sorted(LOSSY))}: lossy)" if LOSSY else ""
        g.add_argument("--format", choices=list(FORMATS), default="wav", help=f"file format{lossy}; default wav")
    g.add_argument("--bits", type=int, choices=[16, 24, 32], default=24,
                   help="bit depth of WAV/FLAC/AIFF (32 = float; 16 gets TPDF dither); default 24")
    if "mp3" in FORMATS:
        g.add_argument("--bitrate", type=int, choices=MP3_BITRATES, default=DEFAULT_MP3_BITRATE, metavar="KBPS",
                       help=f"MP3 constant bitrate in kbit/s ({', '.join(map(str, MP3_BITRATES))}); "
                            f"default {DEFAULT_MP3_BITRATE}")
    g.add_argument("--clip", choices=CLIP_MODES, default=DEFAULT_CLIP_MODE, help=CLIP_HELP)
    g.add_argument("--overwrite", action="store_true",
                   help="replace output files that already exist (default: an input whose outputs exist is refused "
                        "before any work, so no earlier result is lost)")
    if template:
        g.add_argument("--filename", default=default_template, metavar="TEMPLATE",
                       help="output names inside --out: placeholders {name} (input without extension), {stem} "
                            "(solo, accompaniment, remix), {ext}, {folder} (the input's folder name), {subfolder} "
                            "(its folder below a folder given as input); '/' makes sub-folders. "
                            f"Default '{default_template}'")


def add_loudness_option(p) -> None:
    """``--loudness match|keep`` of a remix (default ``match``, :mod:`core.audio.loudness_match`)."""
    p.add_argument("--loudness", choices=LOUDNESS_MODES, default="match",
                   help="match (default): the remix's integrated loudness (BS.1770) made the recording's, within "
                        f"{TOLERANCE_LU:g} LU, never lifting true peaks above {CEILING_DBTP:g} dBTP (said when that "
                        "stops it short); keep: the remix as computed (solo + accompaniment, gain 1 = as recorded)")


def spec_from(args, fmt: str | None = None) -> OutputSpec:
    """The checked OutputSpec of the options (``fmt`` overrides ``--format``), the clip mode checked against it, and
    the ``--filename`` template where the command has one; :class:`cli.common.UsageError` (exit 2) when they do not
    go together."""
    from jazzremix_gui.cli.common import UsageError

    try:
        spec = OutputSpec(fmt or args.format, args.bits, getattr(args, "bitrate", DEFAULT_MP3_BITRATE)).check()
        check_mode(args.clip, spec)
        if getattr(args, "filename", None) is not None:
            naming.check_template(args.filename)
    except AudioWriteError as exc:
        raise UsageError(str(exc)) from None
    return spec


def report_json(r: ClipReport, stem: str) -> dict:
    """One written file for ``--json``."""
    return {"stem": stem, "path": str(r.path), "clip_mode": r.mode, "over_full_scale": r.over,
            "true_peak_dbtp": round(r.peak_dbtp, 2) if r.peak_dbtp > -200 else None,
            "written_true_peak_dbtp": round(r.written_peak_dbtp, 2) if r.written_peak_dbtp is not None else None,
            "rescaled_db": round(r.gain_db, 2), "limited_samples": r.limited,
            "limiter_reduction_db": round(r.reduction_db, 2) + 0.0, "clamped": r.clamped}


def outputs_json(reports: dict, solo_mode: str) -> list[dict]:
    """The ``outputs`` of one input for ``--json``: :func:`report_json` of each ``{stem: ClipReport}``, the solo's
    mode on the solo, and a remix's loudness match (:func:`loudness_json`) on the remix."""
    entries = []
    for stem, r in reports.items():
        entry = report_json(r, stem) | ({"solo_mode": solo_mode} if stem == "solo" else {})
        if r.loudness is not None:
            entry["loudness"] = loudness_json(r.loudness)
        entries.append(entry)
    return entries


def loudness_json(m) -> dict:
    """A remix's loudness match (:class:`core.audio.loudness_match.LoudnessMatch`) for ``--json``: LUFS, dB."""
    return {"input_lufs": _finite(m.input_lufs), "remix_lufs_before": _finite(m.remix_lufs),
            "output_lufs": _finite(m.output_lufs), "gain_db": round(m.gain_db, 2),
            "held_by_ceiling": m.held_by_ceiling}


def _finite(x):
    return round(x, 2) if x is not None and math.isfinite(x) else None
