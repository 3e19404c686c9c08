"""``jazzremix evaluate DATASET_DIR [--json] [--model PATH]``: global SDR beside the oracle's."""

from __future__ import annotations

from jazzremix_gui.cli.common import add_model_option, progress_bar


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="separation quality (global SDR) on a dataset, beside the ideal-ratio-mask oracle")
    p.add_argument("dataset", metavar="DATASET_DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_model_option(p, "separator")
    p.add_argument("--pan-aware", nargs="?", const="", default=None, metavar="SIGMA,FLOOR",
                   help="separate with the pan-aware Wiener step (the solo's place between the speakers sharpens "
                        "the masks; default 20,0.2: spread in degrees, weight of other directions); without the "
                        "option, what the model's metadata says")
    p.set_defaults(func=run)


def run(args) -> int:
    from jazzremix_gui.cli.common import error
    from jazzremix_gui.core import evaluation, pipeline
    from jazzremix_gui.core.signal.spatial import PanAware

    pan_aware = None
    if args.pan_aware is not None:
        try:
            pan_aware = PanAware.parse(args.pan_aware)
        except ValueError as exc:
            error(f"--pan-aware: {exc}")
            return 2
    model = pipeline.load_model(args.model, "separator")
    with progress_bar("evaluating") as bar:
        result = evaluation.evaluate_dataset(args.dataset, model, progress=bar, pan_aware=pan_aware)
    print(evaluation.dumps(result) if args.json else evaluation.format_report(result))
    return 0
