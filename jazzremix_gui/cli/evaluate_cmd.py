"""``jazzremix evaluate DATASET_DIR [--json] [--model PATH] [--against EARLIER.json] [--input-level LOW,HIGH]
[--adapt [STEPS]] [--solo-silent-at-rests] [--solo-side DEG|auto] [--mono]``: global SDR beside the oracle's, and
track by track against an earlier evaluation of the same tracks."""

from __future__ import annotations

import json
import sys

from jazzremix_gui.cli.adapt_option import adapt_function, add_adapt_option
from jazzremix_gui.cli.common import (EXIT_USAGE, add_model_option, add_pan_aware_option, bad_pan_aware,
                                      error, load_separator, progress_bar)
from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.core.signal.input_level import DEFAULT_RANGE, LEVEL_SECONDS, parse_range


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="separation quality (global SDR) on a dataset, beside the ideal-ratio-mask oracle")
    p.add_argument("dataset", metavar="DATASET_DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--against", metavar="EARLIER.json",
                   help="also compare with an earlier 'jazzremix evaluate --json' of the same tracks, track by track: "
                        "the median of the per-track differences per stem, and the tracks that fall by more than 3 dB")
    add_model_option(p, "separator")
    add_pan_aware_option(p)
    p.add_argument("--input-level", metavar="LOW,HIGH", default=None,
                   help=f"the levels (dBFS, the mid's mean power over the first {LEVEL_SECONDS:g} s of sound) the "
                        "separator's network "
                        "hears a recording at, as --input-level=LOW,HIGH: one outside the range is heard at the "
                        "nearer end; one value: every recording at that level; 'none': as it is (default: the "
                        f"separation's own range, {DEFAULT_RANGE.to_text()}; the stems stay at the recording's level "
                        "either way)")
    add_adapt_option(p)
    p.add_argument("--solo-silent-at-rests", action="store_true",
                   help="silence the solo where each track's meta.json says it rests, as an engineer could mark it "
                        "by ear (the gaps of at least 0.5 s between its phrases): what --solo-silent of separate and "
                        "the app's Solo silent in the loop region give")
    p.add_argument("--mono", action="store_true",
                   help="read each track in mono (every file's channels averaged) and score the stems against the "
                        "references' mids: what a mono record gets, where the separator has no side to read")
    p.add_argument("--transfer", choices=("a", "b"), default="",  # core.evaluation.TRANSFERS (not imported here)
                   help="read each track as a mono record transferred in stereo (rule r35): a, one channel 0.5 dB "
                        "louder with its own hiss 50 dB under the music; b, 1 dB louder, 2 samples late, hiss 35 dB "
                        "under; the stems scored against the mono references at the transfer's scale")
    p.set_defaults(func=run)


def run(args) -> int:
    from jazzremix_gui.core import evaluation

    if bad_pan_aware(args):
        return EXIT_USAGE
    if args.mono and args.transfer:
        error("--mono and --transfer exclude each other (a track is read one way)")
        return EXIT_USAGE
    level = None
    if args.input_level is not None:
        try:
            level = parse_range(args.input_level) or False
        except ValueError as exc:
            error(f"--input-level: {exc}")
            return EXIT_USAGE
    earlier = None
    if args.against:  # read before the work: a bad file is said at once
        earlier = _read_earlier(args.against)
        if earlier is None:
            return EXIT_USAGE
    adapt = adapt_function(args)
    model = load_separator(args.model, args)
    with progress_bar("evaluating") as bar:
        result = evaluation.evaluate_dataset(args.dataset, model, progress=bar, level=level,
                                             adapt=(lambda audio, rate, m: adapt((audio, rate), m)) if adapt
                                             else None,
                                             adapted=f"{args.adapt} steps" if adapt else "",
                                             rests=args.solo_silent_at_rests,
                                             choose_side=args.solo_side == SOLO_SIDE_AUTO, mono=args.mono,
                                             transfer=args.transfer)
    if earlier is not None:
        try:
            result["compared"] = evaluation.paired_comparison(result, earlier)
        except evaluation.ComparisonError as exc:
            print(evaluation.dumps(result) if args.json else evaluation.format_report(result))
            print(f"jazzremix: error: --against {args.against}: {exc}", file=sys.stderr)
            return 1
    print(evaluation.dumps(result) if args.json else evaluation.format_report(result))
    if earlier is not None and not args.json:
        print()
        print(evaluation.format_comparison(result["compared"]))
    return 0


def _read_earlier(path: str) -> dict | None:
    """An earlier ``evaluate --json`` result, or None after saying why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            earlier = json.load(f)
    except (OSError, ValueError) as exc:
        print(f"jazzremix: error: --against {path}: cannot read it as JSON ({exc})", file=sys.stderr)
        return None
    if not isinstance(earlier, dict) or not isinstance(earlier.get("tracks"), list):
        print(f"jazzremix: error: --against {path}: not a 'jazzremix evaluate --json' result (no tracks)",
              file=sys.stderr)
        return None
    return earlier
