"""``jazzremix remix INPUT... -o FILE|DIR``: write the stereo remix, by default with the per-section suggestion.

Streams (:func:`services.remix_writer.remix_file`): memory stays bounded for any length; the
stems are spooled beside the output while the mixer listens, then placed and written. Every
override given (``--pan``, ``--gain``/``--gain-db``) replaces that half of the suggestion for
the whole file, with or without ``--whole-track``; the report says what was written. By
default the remix is as loud as the recording (``--loudness match``, :mod:`core.audio.loudness_match`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from jazzremix_gui.cli.common import (EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, add_pan_aware_option,
                                      bad_pan_aware, error, input_warnings, load_separator, note, note_swept,
                                      progress_bar, side_chosen)
from jazzremix_gui.cli.inputs import gather_inputs, run_each
from jazzremix_gui.cli.output_options import (add_loudness_option, add_output_options, loudness_json,
                                              report_json, spec_from)
from jazzremix_gui.cli.separate_cmd import prepare_out_dir
from jazzremix_gui.cli.solo_silent_option import (add_solo_silent_option, describe, spans_json, spans_option,
                                                  spans_within)
from jazzremix_gui.cli.suggest_cmd import db_text
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.audio.formats import extension, spec_for_path
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal.input_level import heard_json, heard_lines
from jazzremix_gui.core.signal.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG
from jazzremix_gui.services import naming, remix_writer


def register(sub) -> None:
    p = sub.add_parser("remix", help="separate, place the solo and write the stereo remix",
                       description="Renders the mixer's suggestion per section (as the app's per-section automation "
                                   "does, with 50 ms crossfades), or one pan/gain for the whole track with "
                                   "--whole-track. --pan and --gain/--gain-db override the suggestion for the whole "
                                   "file (the other one still follows it). One input: --out is the file (its "
                                   "extension names the format); several inputs or a folder: --out is a folder, "
                                   "created if missing, with <name>.remix.<ext> in it (--format, default wav).")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files (WAV, FLAC, OGG, AIFF, MP3, ...) or folders")
    p.add_argument("-o", "--out", required=True, metavar="FILE|DIR",
                   help="output file (one input; its extension names the format), or folder (several inputs)")
    p.add_argument("--whole-track", action="store_true", help="one pan/gain cell for the whole track (the seed's "
                                                              "decoding) instead of one per section")
    p.add_argument("--pan", type=float, metavar="DEG", help="solo pan in degrees, -45 (left) .. +45 (right)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--gain", type=float, metavar="G",
                   help="solo gain relative to the recording, 0 .. 2 (linear; 1 = as recorded, 2 = +6 dB)")
    g.add_argument("--gain-db", type=float, metavar="DB", help="solo gain relative to the recording in dB (up to +6.02)")
    add_loudness_option(p)
    add_output_options(p, template=False)
    p.set_defaults(format=None)  # one input: the output's extension names it
    p.add_argument("--json", action="store_true", help="print a JSON summary of what was written on stdout")
    add_solo_silent_option(p)
    p.add_argument("--model", metavar="PATH", help="separator ONNX model")
    add_pan_aware_option(p)
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model")
    p.set_defaults(func=run)


def _gain(args) -> float | None:
    if args.gain_db is not None:
        return 10.0 ** (args.gain_db / 20.0) if args.gain_db > -200 else 0.0
    return args.gain


def describe_span(span: tuple, unit: str, fmt: str, db: bool = False) -> str:
    """``+10 deg``, ``0.50 (-6.0 dB vs the recording)`` or ``-30..+20 deg (per section)``: what was written."""
    lo, hi = span
    if f"{lo:{fmt}}" == f"{hi:{fmt}}":
        return f"{lo:{fmt}}{unit}" + (f" ({db_text(lo)} vs the recording)" if db else "")
    return f"{lo:{fmt}}..{hi:{fmt}}{unit} (per section)"


def _into_folder(args, inputs) -> bool:
    """Whether --out is a folder: several inputs, a folder among them, or an existing folder named."""
    return len(inputs) > 1 or any(Path(a).is_dir() for a in args.inputs) or Path(args.out).is_dir()


def _targets(args, inputs) -> tuple[dict, list[str]]:
    """``{InputFile: output Path}`` of the inputs that may go, and one line per input refused.

    One input writes the file --out, several write into the folder --out (created, said). An
    output that is an input of the command (or, into a folder, leaves it) is refused before any
    work (:func:`services.naming.refusals`): one input, the command; several, that input alone.
    So is an output that already exists, unless ``--overwrite`` (:func:`services.naming.existing`).
    """
    if not _into_folder(args, inputs):
        out = Path(args.out)
        if args.format is not None and spec_for_path(out).fmt != extension(args.format):
            raise UsageError(f"--format {args.format} but {out} is a {spec_for_path(out).fmt} file name")
        refused = naming.refused_outputs({str(inputs[0].path): {"remix": out}}, [inputs[0].path],
                                         overwrite=args.overwrite, hint=naming.OUT_HINT)
        if refused:
            raise AudioWriteError(next(iter(refused.values())))
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            prepare_out_dir(folder)
        note_swept([folder])  # a killed run's spool: removed, and said
        return {inputs[0]: out}, []
    if not Path(args.out).exists() and Path(args.out).suffix.lower() in naming.AUDIO_EXTENSIONS:
        raise UsageError(f"{args.out}: several inputs are remixed into a folder, and this names a file; give a "
                         "folder (or one input)")
    folder = prepare_out_dir(args.out)
    fmt = args.format or "wav"
    plans, skipped = naming.without_earlier_outputs({item: naming.output_paths(item, folder, ("remix",), fmt)
                                                     for item in inputs})  # --out is an input folder
    if skipped:
        note(skipped)
        inputs = list(plans)
    plans = {item: targets["remix"] for item, targets in plans.items()}
    naming.check_collisions({str(item.path): {"remix": path} for item, path in plans.items()})
    refused = naming.refused_outputs({str(item.path): {"remix": path} for item, path in plans.items()},
                                     [item.path for item in inputs], folder, args.overwrite, naming.OUT_HINT)
    note_swept({folder, *(p.parent for p in plans.values() if p.parent.is_dir())})
    return {item: p for item, p in plans.items() if str(item.path) not in refused}, list(refused.values())


def _remix_one(args, path: Path, out: Path, gain_arg, where: str, silent=()) -> dict:
    """Remix one input into ``out`` (the solo silent in the spans ``silent``, seconds); its JSON entry (the lines
    are said on stderr)."""
    spec = spec_from(args, spec_for_path(out).fmt)
    meta = audio_io.probe(path)  # a bad input is said before models load or its tags are read (a FIFO would block)
    spans = spans_within(silent, meta.seconds) if silent else ()
    need_mixer = args.pan is None or gain_arg is None
    sep, choice = side_chosen(args, load_separator(args.model, args), path, where)
    mix = pipeline.load_model(args.mixer, "mixer") if need_mixer else None
    naming.check_name_lengths([out])
    with progress_bar(f"{where}{path.name}") as bar:
        result = remix_writer.remix_file(path, out, spec, args.clip, args.pan, gain_arg, args.whole_track,
                                         sep, mix, report=Reporter(bar), loudness=args.loudness,
                                         solo_silent=spans)
    sugg = result.suggestion
    if sugg is not None and not sugg.clear:
        note(f"{where}{path}: {sugg.status} ({sugg.reason})")
    pans, gains = result.mix.spans()
    note(f"{where}{out}: solo at pan {describe_span(pans, ' deg', '+.0f')}, "
         f"gain {describe_span(gains, '', '.2f', db=True)}")
    note("  " + result.report.describe())  # the loudness match's line too
    if spans:
        note("  " + describe(spans))
    heard = result.recorded
    for line in heard_lines(heard):
        note("  " + line)
    one = [lo if lo == hi else [lo, hi] for lo, hi in (pans, gains)]
    entry = {"input": str(path), "output": report_json(result.report, "remix"), "loudness_mode": args.loudness,
             "pan_deg": one[0], "gain": one[1], "per_section": pans[0] != pans[1] or gains[0] != gains[1],
             "models": result.models, "warnings": input_warnings(args, path, heard),
             **heard_json(heard)}
    if result.loudness is not None:
        entry["loudness"] = loudness_json(result.loudness)
    if spans:
        entry["solo_silent"] = spans_json(spans)
    if choice is not None:
        entry["solo_side_by_pitch"] = choice.to_json()
    return entry


def run(args) -> int:
    if bad_pan_aware(args):
        return EXIT_USAGE
    if args.gain_db is not None and math.isnan(args.gain_db):  # NaN passes the range checks below as a mute
        raise UsageError("--gain-db nan: not a number of dB")
    gain_arg = _gain(args)
    if args.pan is not None and not PAN_MIN_DEG <= args.pan <= PAN_MAX_DEG:
        raise UsageError(f"--pan {args.pan:g}: must be between {PAN_MIN_DEG:g} and {PAN_MAX_DEG:g} degrees")
    if gain_arg is not None and not GAIN_MIN <= gain_arg <= GAIN_MAX + 1e-9:
        most = f"{20 * math.log10(GAIN_MAX):+.2f} dB"
        raise UsageError(f"--gain-db {args.gain_db:g}: must be at most {most} (gain {GAIN_MAX:g})"
                         if args.gain_db is not None else
                         f"--gain {args.gain:g}: must be between {GAIN_MIN:g} and {GAIN_MAX:g} ({most})")
    inputs, problems = gather_inputs(args.inputs, "remix", skip=args.out)
    if not inputs:
        return EXIT_FAILED
    silent = spans_option(args, inputs)
    # the options checked before any folder is made
    spec_from(args, args.format or "wav" if _into_folder(args, inputs) else spec_for_path(args.out).fmt)
    targets, refused = _targets(args, inputs)
    for line in refused:
        error(line)
        problems.append(line)
    summary, failures = run_each(list(targets.items()), lambda pair, where: _remix_one(
        args, pair[0].path, pair[1], gain_arg, where, silent), problems, path_of=lambda pair: pair[0].path,
        raise_single=True)
    if args.json:
        print(json.dumps({"files": summary, "written": len(targets) - (failures - len(problems)),
                          "failed": failures, "clip_mode": args.clip, "loudness_mode": args.loudness}))
    return EXIT_FAILED if failures else EXIT_OK
