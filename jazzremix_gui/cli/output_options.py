"""Output options shared by ``separate``, ``remix`` and ``render``: format, bits, bitrate, clip mode, names."""

from __future__ import annotations

from jazzremix_gui.core.audio.formats import DEFAULT_MP3_BITRATE, FORMATS, LOSSY, MP3_BITRATES, OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, CLIP_MODES, DEFAULT_CLIP_MODE, ClipReport, check_mode
from jazzremix_gui.services import naming

CLIP_HELP = (f"what to do with samples beyond full scale: limit (default: a transparent look-ahead limiter holds "
             f"true peaks at {CEILING_DBTP:g} dBTP and touches nothing else), rescale (scale the whole file down to "
             f"{CEILING_DBTP:g} dBTP), clamp (hard clip), none (keep them; 32-bit float only)")


def add_output_options(p, template: bool = True, fmt: bool = True) -> None:
    """``--format`` (unless ``fmt`` is False: the output's extension names it), ``--bits``, ``--bitrate``,
    ``--clip`` and (with ``template``) ``--filename``."""
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
    if template:
        g.add_argument("--filename", default=naming.DEFAULT_TEMPLATE, metavar="TEMPLATE",
                       help="output names inside --out: placeholders {name} (input without extension), {stem} "
                            "(solo, accompaniment, remix), {ext}, {folder} (the input's folder name), {subfolder} "
                            "(its folder below a folder given as input); '/' makes sub-folders. "
                            f"Default '{naming.DEFAULT_TEMPLATE}'")


def spec_from(args, fmt: str | None = None) -> OutputSpec:
    """The checked OutputSpec of the options (``fmt`` overrides ``--format``), and the clip mode checked against it."""
    spec = OutputSpec(fmt or args.format, args.bits, getattr(args, "bitrate", DEFAULT_MP3_BITRATE)).check()
    check_mode(args.clip, spec)
    return spec


def report_json(r: ClipReport, stem: str) -> dict:
    """One written file for ``--json``."""
    return {"stem": stem, "path": str(r.path), "clip_mode": r.mode, "over_full_scale": r.over,
            "true_peak_dbtp": round(r.peak_dbtp, 2) if r.peak_dbtp > -200 else None,
            "rescaled_db": round(r.gain_db, 2), "limited_samples": r.limited,
            "limiter_reduction_db": round(r.reduction_db, 2), "clamped": r.clamped}
