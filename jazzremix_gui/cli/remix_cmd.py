"""``jazzremix remix INPUT --out FILE``: write the stereo remix, by default with the per-section suggestion.

Streams (:func:`core.remix_stream.remix_file`): memory stays bounded for any length; the
stems are spooled beside the output while the mixer listens, then placed and written.
"""

from __future__ import annotations

import math
from pathlib import Path

from jazzremix_gui.cli.common import note, progress_bar
from jazzremix_gui.cli.output_options import add_output_options, spec_from
from jazzremix_gui.cli.suggest_cmd import db_text
from jazzremix_gui.core.errors import AudioWriteError


def register(sub) -> None:
    p = sub.add_parser("remix", help="separate, place the solo and write the stereo remix",
                       description="Renders the mixer's suggestion per section (as the app's per-section automation "
                                   "does, with 50 ms crossfades), or one pan/gain for the whole track with "
                                   "--whole-track. --pan and --gain/--gain-db override the suggestion for the whole "
                                   "file (the other one still follows it).")
    p.add_argument("input", metavar="INPUT", help="audio file (WAV, FLAC, OGG, AIFF, MP3, ...)")
    p.add_argument("--out", required=True, metavar="FILE", help="output file; its extension names the format")
    p.add_argument("--whole-track", action="store_true", help="one pan/gain cell for the whole track (the seed's "
                                                              "decoding) instead of one per section")
    p.add_argument("--pan", type=float, metavar="DEG", help="solo pan in degrees, -45 (left) .. +45 (right)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--gain", type=float, metavar="G",
                   help="solo gain relative to the recording, 0 .. 2 (linear; 1 = as recorded, 2 = +6 dB)")
    g.add_argument("--gain-db", type=float, metavar="DB", help="solo gain relative to the recording in dB (up to +6.02)")
    add_output_options(p, template=False, fmt=False)
    p.add_argument("--model", metavar="PATH", help="separator ONNX model")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model")
    p.set_defaults(func=run)


def _gain(args) -> float | None:
    if args.gain_db is not None:
        return 10.0 ** (args.gain_db / 20.0) if args.gain_db > -200 else 0.0
    return args.gain


def _describe(value, span: tuple, unit: str, fmt: str, db: bool = False) -> str:
    if isinstance(value, float | int):
        return f"{value:{fmt}}{unit}" + (f" ({db_text(value)} vs the recording)" if db else "")
    return f"{span[0]:{fmt}}..{span[1]:{fmt}}{unit} (per section)"


def run(args) -> int:
    from jazzremix_gui.core import pipeline, remix_stream
    from jazzremix_gui.core.audio import audio_io, tags
    from jazzremix_gui.core.audio.formats import spec_for_path
    from jazzremix_gui.core.signal.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG

    gain_arg = _gain(args)
    if args.pan is not None and not PAN_MIN_DEG <= args.pan <= PAN_MAX_DEG:
        raise AudioWriteError(f"--pan {args.pan}: must be between {PAN_MIN_DEG:g} and {PAN_MAX_DEG:g} degrees")
    if gain_arg is not None and not GAIN_MIN <= gain_arg <= GAIN_MAX + 1e-9:
        raise AudioWriteError(f"gain {gain_arg:.3g}: must be between {GAIN_MIN:g} and {GAIN_MAX:g} "
                              f"({20 * math.log10(GAIN_MAX):+.2f} dB)")
    spec = spec_from(args, spec_for_path(args.out).fmt)
    out = Path(args.out)
    audio_io.probe(args.input)  # a bad input is said before models load or its tags are read (a FIFO would block)
    need_mixer = args.pan is None or gain_arg is None
    sep = pipeline.load_model(args.model, "separator")
    mix = pipeline.load_model(args.mixer, "mixer") if need_mixer else None
    versions = {"separator": sep.meta.version, **({"mixer": mix.meta.version} if mix is not None else {})}
    file_tags = tags.output_tags(tags.read_tags(args.input), Path(args.input).stem, "remix", versions)
    with progress_bar(Path(args.input).name) as bar:
        result = remix_stream.remix_file(args.input, out, spec, args.clip, args.pan, gain_arg, args.whole_track,
                                         sep, mix, file_tags, progress=bar)
    sugg = result.suggestion
    if sugg is not None and not sugg.clear:
        note(f"{args.input}: {sugg.status} ({sugg.reason})")
    note(f"{out}: solo at pan {_describe(result.pan, result.pan_range, ' deg', '+.0f')}, "
         f"gain {_describe(result.gain, result.gain_range, '', '.2f', db=True)}")
    note("  " + result.report.describe())
    return 0
