"""``jazzremix evaluate DATASET_DIR [--json] [--model PATH]``: global SDR beside the oracle's."""

from __future__ import annotations

from jazzremix_gui.cli.common import (EXIT_USAGE, add_model_option, add_pan_aware_option, bad_pan_aware,
                                      load_separator, progress_bar)


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="separation quality (global SDR) on a dataset, beside the ideal-ratio-mask oracle")
    p.add_argument("dataset", metavar="DATASET_DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_model_option(p, "separator")
    add_pan_aware_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from jazzremix_gui.core import evaluation

    if bad_pan_aware(args):
        return EXIT_USAGE
    model = load_separator(args.model, args)
    with progress_bar("evaluating") as bar:
        result = evaluation.evaluate_dataset(args.dataset, model, progress=bar)
    print(evaluation.dumps(result) if args.json else evaluation.format_report(result))
    return 0
