"""``jazzremix separate INPUT ... --out DIR``: solo and accompaniment stems of each input (or folder of inputs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jazzremix_gui.cli.common import (EXIT_FAILED, EXIT_OK, add_model_option, error, input_failure, note,
                                      note_swept, progress_bar)
from jazzremix_gui.cli.output_options import add_output_options, report_json, spec_from
from jazzremix_gui.core.errors import AudioWriteError, JazzRemixError
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.services import naming

STEMS = ("solo", "accompaniment")


def register(sub) -> None:
    p = sub.add_parser("separate", help="split recordings into solo (mono) and accompaniment (stereo) stems",
                       description="Writes DIR/<name>.solo.<ext> and DIR/<name>.accompaniment.<ext> for each input "
                                   "(or as --filename says), at the input's sample rate and length, with its tags. "
                                   "Folders are searched recursively for audio files, in sorted order. Two inputs "
                                   "that would write the same file are refused before any work starts.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files (WAV, FLAC, OGG, AIFF, MP3, ...) or folders")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    add_output_options(p)
    p.add_argument("--keep-mono", action="store_true", help="a mono recording gives a mono accompaniment")
    p.add_argument("--json", action="store_true", help="print a JSON summary of what was written on stdout")
    add_model_option(p, "separator")
    p.set_defaults(func=run)


def prepare_out_dir(path) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioWriteError(describe_os_error(exc, "cannot create output folder", out)) from None
    if not out.is_dir():
        raise AudioWriteError(f"{out}: not a folder")
    if not os.access(out, os.W_OK | os.X_OK):
        raise AudioWriteError(f"{out}: cannot write in this folder (permission denied)")
    return out


def plan_outputs(inputs, out: Path, fmt: str, template: str) -> dict:
    """``{InputFile: {stem: Path}}``; refuses collisions (AudioWriteError) before any work."""
    naming.check_template(template)
    plans = {item: naming.output_paths(item, out, STEMS, fmt, template) for item in inputs}
    naming.check_collisions({str(item.path): targets for item, targets in plans.items()})
    return plans


def run(args) -> int:
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import audio_io

    spec = spec_from(args)
    problems: list[str] = []
    inputs, notes = naming.expand_inputs(args.inputs, skip=args.out, problems=problems)  # never our own outputs
    for line in problems:
        error(line)
    if not inputs:  # one line: what the folders held, or the problems already said
        if problems:
            return EXIT_FAILED
        raise JazzRemixError("; ".join(notes) or "no audio files to separate")
    for line in notes:
        note(line)
    out = prepare_out_dir(args.out)
    plans = plan_outputs(inputs, out, spec.fmt, args.filename)
    note_swept({out, *(p.parent for targets in plans.values() for p in targets.values() if os.path.isdir(p.parent))})
    model = pipeline.load_model(args.model, "separator")
    failures, summary = len(problems), []
    for i, (item, targets) in enumerate(plans.items(), 1):
        where = f"file {i} of {len(plans)}: "
        entry = {"input": str(item.path), "outputs": []}
        try:
            naming.check_name_lengths(targets.values())
            naming.make_folders(targets.values())
            with progress_bar(f"{where}{item.path.name}") as bar:
                reports = pipeline.separate_file(item.path, model=model, progress=bar, spec=spec, clip=args.clip,
                                                 targets=(targets["solo"], targets["accompaniment"]),
                                                 keep_mono=args.keep_mono)
            note(f"{where}{item.path}: {reports[0].path.name}, {reports[1].path.name}")
            for stem, r in zip(STEMS, reports):
                note("  " + r.describe())
                entry["outputs"].append(report_json(r, stem))
            entry["warnings"] = audio_io.probe(item.path).warnings()  # damage, downmix (said on stderr too)
        except Exception as exc:  # one input's failure, whatever it is, is one line; the others go on
            line = input_failure(item.path, exc, where)
            error(line)
            entry["error"] = line[len(where):]
            failures += 1
        summary.append(entry)
    if args.json:
        summary += [{"input": line.split(": ", 1)[0], "outputs": [], "error": line} for line in problems]
        print(json.dumps({"files": summary, "written": len(plans) - (failures - len(problems)), "failed": failures,
                          "format": spec.fmt, "bits": None if spec.lossy else spec.bits, "clip_mode": args.clip}))
    return EXIT_FAILED if failures else EXIT_OK
