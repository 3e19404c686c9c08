"""``jazzremix separate INPUT ... --out DIR``: solo and accompaniment stems of each input (or folder of inputs)."""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

from jazzremix_gui.cli.adapt_option import adapt_function, adapted_separator, add_adapt_option
from jazzremix_gui.cli.common import (EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, add_model_option,
                                      add_pan_aware_option, bad_pan_aware, load_separator, error, input_failure,
                                      input_warnings, note, note_swept, progress_bar, side_chosen)
from jazzremix_gui.cli.inputs import gather_inputs
from jazzremix_gui.cli.output_options import add_output_options, outputs_json, spec_from
from jazzremix_gui.cli.solo_silent_option import (add_solo_silent_option, describe, spans_json, spans_option,
                                                  spans_within)
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.files import folders
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal.separation import RecordedSolo
from jazzremix_gui.services import naming, remix_writer

STEMS = pipeline.STEMS
SOLO_HELP = ("how the solo is written: mono (default: the separator's estimate), stereo (placed at its recorded pan "
             "and level), residual (the input minus the accompaniment, stereo: the two stems add up to the input)")


def register(sub) -> None:
    p = sub.add_parser("separate", help="split recordings into solo (mono) and accompaniment (stereo) stems",
                       description="Writes DIR/<name>.solo.<ext> and DIR/<name>.accompaniment.<ext> for each input "
                                   "(or as --filename says), at the input's sample rate and length, with its tags. "
                                   "Folders are searched recursively for audio files, in sorted order. Two inputs "
                                   "that would write the same file are refused before any work starts. Both stems "
                                   "of an input go through the clip mode with one gain (one limiter curve, one "
                                   "rescale factor), so they keep their balance and, with --solo residual, their "
                                   "sum.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files (WAV, FLAC, OGG, AIFF, MP3, ...) or folders")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--solo", choices=remix_writer.SEPARATE_SOLO_MODES, default="mono", help=SOLO_HELP)
    p.add_argument("--stems", choices=("solo", "accompaniment", "both"), default="both",
                   help="which stems to write (default both)")
    add_output_options(p)
    p.add_argument("--keep-mono", action="store_true", help="a mono recording gives a mono accompaniment")
    p.add_argument("--json", action="store_true", help="print a JSON summary of what was written on stdout")
    add_model_option(p, "separator")
    add_pan_aware_option(p)
    add_adapt_option(p)
    add_solo_silent_option(p)
    p.set_defaults(func=run)


def prepare_out_dir(path) -> Path:
    """The output folder, created (and said) when missing; AudioWriteError when it cannot be written in."""
    out = Path(path)
    try:
        existed = stat.S_ISDIR(os.stat(out).st_mode)  # one look: a folder, something else, or nothing (None)
    except OSError:
        existed = None
    if existed is None and not os.path.lexists(out) and out.suffix.lower() in naming.AUDIO_EXTENSIONS:
        raise UsageError(f"{out}: the outputs go into a folder, and this names an audio file; give a folder")
    if existed is False:
        raise UsageError(f"{out}: the outputs go into a folder, and this is a file; give a folder")
    try:
        folders.make(out)  # removed again if the job leaves it empty (cli.common.run_guarded)
    except OSError as exc:
        raise AudioWriteError(describe_os_error(exc, "cannot create output folder", out)) from None
    if not out.is_dir():
        raise AudioWriteError(f"{out}: not a folder")
    if not os.access(out, os.W_OK | os.X_OK):
        raise AudioWriteError(f"{out}: cannot write in this folder (permission denied)")
    if not existed:
        note(f"created the output folder {out}")
    return out


def plan_outputs(inputs, out: Path, fmt: str, template: str, stems=STEMS,
                 overwrite: bool = False) -> tuple[dict, list[str]]:
    """``{InputFile: {stem: Path}}`` of the inputs that may go, and one line per input refused.

    Two inputs writing one file refuse the command (AudioWriteError); an input one of whose
    outputs is an input of the command or lies outside ``out`` is refused alone
    (:func:`services.naming.refusals`), and so is one of whose outputs already exists unless
    ``overwrite`` (:func:`services.naming.existing`). All before any work.
    """
    naming.check_template(template)
    plans = {item: naming.output_paths(item, out, stems, fmt, template) for item in inputs}
    plans, skipped = naming.without_earlier_outputs(plans)  # --out is an input folder: an earlier run's files
    if skipped:
        note(skipped)
        inputs = list(plans)
    naming.check_collisions({str(item.path): targets for item, targets in plans.items()})
    refused = naming.refused_outputs({str(item.path): targets for item, targets in plans.items()},
                                     [i.path for i in inputs], out, overwrite)
    return {i: t for i, t in plans.items() if str(i.path) not in refused}, list(refused.values())


def run(args) -> int:
    from jazzremix_gui.cli.suggest_cmd import others_text, pan_text
    from jazzremix_gui.core.signal.input_level import heard_json, heard_lines

    spec = spec_from(args)
    inputs, problems = gather_inputs(args.inputs, "separate", skip=args.out)
    if not inputs:
        return EXIT_FAILED
    stems = STEMS if args.stems == "both" else (args.stems,)
    silent = spans_option(args, inputs)
    if bad_pan_aware(args):
        return EXIT_USAGE
    adapt = adapt_function(args)  # without PyTorch: said before any work
    model = load_separator(args.model, args)  # a bad model is said before any folder is made
    out = prepare_out_dir(args.out)
    plans, refused = plan_outputs(inputs, out, spec.fmt, args.filename, stems, args.overwrite)
    for line in refused:
        error(line)
        problems.append(line)
    note_swept({out, *(p.parent for targets in plans.values() for p in targets.values() if os.path.isdir(p.parent))})
    failures, summary = len(problems), []
    for i, (item, targets) in enumerate(plans.items(), 1):
        where = f"file {i} of {len(plans)}: "
        entry = {"input": str(item.path), "outputs": []}
        try:
            naming.check_name_lengths(targets.values())
            naming.make_folders(targets.values())
            recorded = RecordedSolo()
            spans = spans_within(silent, audio_io.probe(item.path).seconds) if silent else ()
            separator, choice = side_chosen(args, model, item.path, where)
            if adapt is not None:
                note(f"{where}{item.path}: adapting the separator to it")
                separator = adapted_separator(adapt, item.path, separator, f"{where}adapting to {item.path.name}")
            with progress_bar(f"{where}{item.path.name}") as bar:
                reports = remix_writer.separate_stems(item.path, targets, spec, args.clip, args.keep_mono, args.solo,
                                                      separator, Reporter(bar), recorded=recorded, solo_silent=spans)
            note(f"{where}{item.path}: {', '.join(r.path.name for r in reports)}")
            if spans:
                note("  " + describe(spans))
                entry["solo_silent"] = spans_json(spans)
            for r in reports:
                note("  " + r.describe())
            share = recorded.share_db if math.isfinite(recorded.share_db) else None
            if share is not None:  # where it was found: a wrong side is what --solo-side is for
                note(f"  solo found at pan {pan_text(recorded.pan_deg)}, {share:.1f} dB of the recording's energy")
                if others_text(recorded.others_deg):
                    note("  " + others_text(recorded.others_deg))
            for line in heard_lines(recorded):
                note("  " + line)
            entry["solo_pan_deg"] = round(recorded.pan_deg, 1) if share is not None else None
            entry["solo_share_db"] = round(share, 1) if share is not None else None
            entry["solo_others_deg"] = list(recorded.others_deg)
            if choice is not None:
                entry["solo_side_by_pitch"] = choice.to_json()
            entry.update(heard_json(recorded))
            entry["separator"] = separator.meta.version
            entry["outputs"] = outputs_json(dict(zip(targets, reports)), args.solo)
            shared = shared_gain_db(reports)
            if shared is not None:
                entry["shared_gain_db"] = shared
            entry["warnings"] = input_warnings(args, item.path, recorded)  # damage, downmix (said on stderr too)
        except Exception as exc:  # one input's failure, whatever it is, is one line; the others go on
            line = input_failure(item.path, exc, where)
            error(line)
            entry["error"] = line[len(where):]
            failures += 1
        summary.append(entry)
    if args.json:
        summary += [{"input": line.split(": ", 1)[0], "outputs": [], "error": line} for line in problems]
        print(json.dumps({"files": summary, "written": len(plans) - (failures - len(problems)), "failed": failures,
                          "format": spec.fmt, "bits": None if spec.lossy else spec.bits, "clip_mode": args.clip,
                          "solo_mode": args.solo, "stems": list(stems), "separator": model.meta.version,
                          "pan_aware": model.meta.pan_aware or None}))
    return EXIT_FAILED if failures else EXIT_OK


def shared_gain_db(reports) -> float | None:
    """The gain ``rescale`` gave both stems of an input, in dB (None for other clip modes): one factor for both."""
    if not reports or reports[0].mode != "rescale":
        return None
    return round(reports[0].gain_db, 2)
