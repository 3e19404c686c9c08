"""``jazzremix suggest INPUT [--json]``: the mixer's pan/gain suggestion for a recording.

Gains are relative to the recording (1.0 = the solo as loud as it is in the input, see
``core/signal/panlaw.py``). The file is streamed through the separator and the mixer in one pass
(:func:`core.pipeline.analyse`), so memory stays bounded for any length.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from jazzremix_gui.cli.common import (EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_pan_aware_option, bad_pan_aware,
                                      input_warnings, load_separator, progress_bar, side_chosen)
from jazzremix_gui.cli.streams import one_line
from jazzremix_gui.cli.inputs import gather_inputs, run_each
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal.input_level import heard_json, heard_lines


def register(sub) -> None:
    p = sub.add_parser("suggest", help="print the mixer's pan/gain suggestion for the solo",
                       description="Several inputs (or folders): one suggestion each, in order; an input that fails "
                                   "is one error line and the others go on.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files or folders")
    p.add_argument("--json", action="store_true",
                   help="one JSON object: pan_deg, gain, posterior (19 x 21), confidence, clear, sections, ...; "
                        "several inputs: {\"files\": [one such object per input, with \"input\"], \"failed\": n}")
    p.add_argument("--model", metavar="PATH", help="separator ONNX model (default: the shipped one)")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model (default: your fine-tuned one, else the shipped one)")
    add_pan_aware_option(p)
    p.set_defaults(func=run)


def analyse_file(path, separator=None, mixer=None, keep_stems: bool = True, where: str = "",
                 args=None) -> tuple:
    """``(Analysis, SideChoice or None)``: :func:`core.pipeline.analyse` of one file, streamed from disk, with a
    progress bar; model paths None for the defaults, ``args``: the command's options (``--pan-aware``,
    ``--solo-side``: with ``auto`` the side chosen by pitch first)."""
    sep, choice = side_chosen(args, load_separator(separator, args), path, where)
    mix = pipeline.load_model(mixer, "mixer")
    with progress_bar(f"{where}{Path(path).name}") as bar:
        return pipeline.analyse(path, None, sep, mix, progress=bar, keep_stems=keep_stems), choice


def db_text(gain: float) -> str:
    """``+1.6 dB`` (or ``mute``) for a gain relative to the recording."""
    return "mute" if gain <= 0 else f"{20 * math.log10(gain):+.1f} dB"


def pan_text(pan: float) -> str:
    """``+10 deg (right)``; rounded to whole degrees, and the side follows the rounded value."""
    p = int(round(pan)) + 0
    return f"{p:+d} deg ({'centre' if p == 0 else ('left' if p < 0 else 'right')})".replace("+0 deg", "0 deg")


def others_text(others_deg) -> str:
    """The other parts the separator also took for the solo, each holding its place, and what to do if one is the
    solo (``--solo-side``, or ``auto`` to let the pitch choose); "" when there are none."""
    if not others_deg:
        return ""
    places = " and ".join(pan_text(p) for p in others_deg)
    hint = " or ".join(f"--solo-side {int(round(p))}" for p in others_deg)
    return (f"another part holds its place at pan {places}: if that is the solo, run again with {hint} "
            "(or --solo-side auto: the side whose solo is more often a single line)")


def run(args) -> int:
    if bad_pan_aware(args):
        return EXIT_USAGE
    inputs, problems = gather_inputs(args.inputs, "analyse")
    if not inputs:
        return EXIT_FAILED
    if len(inputs) == 1 and not problems:
        _suggest_one(args, inputs[0].path, "", single=True)
        return EXIT_OK

    def one(item, where):
        if not args.json:
            print(one_line(f"{where}{item.path}"))
        return _suggest_one(args, item.path, where)

    found, failures = run_each(inputs, one, problems)
    if args.json:
        print(json.dumps({"files": found, "failed": failures}))
    return EXIT_FAILED if failures else EXIT_OK


def _suggest_one(args, path, where: str, single: bool = False) -> dict | None:
    """One input's suggestion: printed as text, or (``single``) as its JSON object; with ``--json`` returns that
    object (the caller prints several together), else None."""
    result, choice = analyse_file(path, args.model, args.mixer, keep_stems=False, where=where, args=args)
    stems, sugg, mix = result.stems, result.suggestion, result.mixer
    warnings = input_warnings(args, path, stems)  # damage, downmix, a side given for mono material
    if args.json:
        data = sugg.to_json()
        share = stems.solo_share_db if math.isfinite(stems.solo_share_db) else None
        data.update(input=str(path), mixer=str(mix.path), solo_level=round(stems.solo_level, 4),
                    gain_reference="recording", solo_share_db=None if share is None else round(share, 2),
                    solo_others_deg=list(stems.others_deg), **heard_json(stems),
                    warnings=warnings + [p for p in [pipeline.pairing_problem(result.separator, mix)] if p])
        if choice is not None:
            data["solo_side_by_pitch"] = choice.to_json()
        if single:
            print(json.dumps(data))
        return data
    print(f"mixer: {mix.meta.version} ({mix.path})")
    share = f"{stems.solo_share_db:.1f} dB" if math.isfinite(stems.solo_share_db) else "none"
    print(f"solo in the recording: pan {pan_text(stems.recorded_pan_deg)}, share of the energy {share}")
    if others_text(stems.others_deg):
        print(others_text(stems.others_deg))
    for line in heard_lines(stems):
        print(line)
    if sugg.clear:
        print(f"suggestion: pan {pan_text(sugg.pan_deg)}, gain {sugg.gain:.1f} "
              f"({db_text(sugg.gain)} vs the recording), {sugg.status}")
    else:
        print(f"suggestion: {sugg.status} (pan {pan_text(sugg.pan_deg)}, gain 1.0): {sugg.reason}")
    for s in sugg.sections:
        if not s.active:
            state = "solo silent"
        elif s.clear:
            state = f"pan {pan_text(s.pan_deg)}, gain {s.gain:.1f} ({db_text(s.gain)}), confidence {100 * s.confidence:.0f} %"
        else:
            state = "no clear suggestion: kept as recorded"
        print(f"  {s.start:7.1f} - {s.end:7.1f} s: {state}")
    return None
