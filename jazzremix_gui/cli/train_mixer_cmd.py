"""``jazzremix train-mixer``: train the shipped mixer, fine-tune it on your annotations, or revert.

- ``jazzremix train-mixer --train DIR --val DIR --out models/mixer.onnx --minutes M --seed K``:
  train the mixer on policy labels (and the seed-style baseline for the card).
- ``jazzremix train-mixer --annotations FILE [--annotation-weight W]``: fine-tune the shipped
  mixer on the annotations the app stored on each export (default file: the one in your data
  folder) into your own model in the data folder, used from then on by the app and the CLI.
  One annotation weighs W against the shipped mixer's own suggestion (default 2: one
  annotation moves the suggestion 2/3 of the way, five 10/11). About 15 s for one annotated track, a minute
  for ten, on 2 cores (docs/MIXER.md), with a progress bar.
- ``jazzremix train-mixer --revert``: delete your model; the shipped one is used again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jazzremix_gui.core.files import paths
from jazzremix_gui.cli.common import UsageError
from jazzremix_gui.core.errors import JazzRemixError


class TrainMixerUsageError(UsageError):
    """Bad option combination or value for train-mixer (exit 2)."""


def register(sub) -> None:
    p = sub.add_parser("train-mixer", help="train the mixer, fine-tune it on your annotations, or revert",
                       description=__doc__.split("\n", 1)[1].strip() if __doc__ else None)
    p.add_argument("--train", metavar="DIR", help="policy-labelled training dataset(s) (synthesised; several "
                   "folders separated by commas)")
    p.add_argument("--val", metavar="DIR", help="validation dataset (for the card's figures)")
    p.add_argument("--out", metavar="FILE", help="ONNX file to write (default models/mixer.onnx; with "
                   "--annotations: your user model in the data folder)")
    p.add_argument("--minutes", type=float, default=None,
                   help="training time budget (default 4); with --annotations: a time limit on the fine-tuning's "
                   "steps (default none: all of them, the same result on any machine)")
    p.add_argument("--baseline-minutes", type=float, default=3.0, help="time for the seed-style baseline (0: skip)")
    p.add_argument("--arch", choices=("gauss", "gauss-mix", "seed"), default="gauss",
                   help="mixer architecture (default gauss; gauss-mix: the pan a mixture over the policy's stage "
                        "positions, the shipped mixer's with --members 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--stems", choices=("separated", "truth"), default="separated",
                   help="mixer inputs from the separator's stems of each mixture, as the app hears them "
                   "(default), or from the ground-truth stems; labels always from the ground truth")
    p.add_argument("--hidden", type=int, default=32, help="width of the gauss mixer's two MLPs (default 32)")
    p.add_argument("--members", type=int, default=1, metavar="K",
                   help="gauss, gauss-mix: train K members from seeds SEED ... SEED+K-1 (each with the whole time budget) "
                        "and ship the mean of their posteriors (default 1: one mixer)")
    p.add_argument("--feature-noise", type=float, default=0.3, metavar="SD",
                   help="normal noise added to the normalised features while training (default 0.3)")
    p.add_argument("--separator", metavar="FILE", help="separator making the stems (default: the shipped one)")
    p.add_argument("--accompaniment", choices=("spectra", "stems"), default="spectra",
                   help="separated stems: read the accompaniment from the separator's own spectra (default; the "
                        "app then reads it so too, two transforms per frame fewer) or transform its stem "
                        "(mixers before December 2026)")
    p.add_argument("--instrument-weight", type=float, default=0.0, metavar="W",
                   help="gauss-mix: also teach the pan head each track's stage position (the synthesiser's instrument "
                        "and its register) with this weight (default 0: pan labels only)")
    p.add_argument("--select-every", type=int, default=0, metavar="STEPS",
                   help="measure the held-out score every STEPS steps and at the last, and keep the best "
                        "(the same steps on any machine; default 0: at each checkpoint, every 10 s of wall clock)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: time budget only)")
    p.add_argument("--checkpoint-dir", metavar="DIR", help="checkpoints and JSONL log (resumable)")
    p.add_argument("--version", default="", help="the model's version name (default: the policy's mixer version, "
                                                 "'-on-' and the separator's)")
    p.add_argument("--annotations", metavar="FILE", nargs="?", const="", default=None,
                   help=f"fine-tune on this annotation file (default {paths.annotations_path()})")
    p.add_argument("--annotation-weight", type=float, default=2.0, metavar="W",
                   help="weight of one annotation against the shipped mixer's own suggestion (default 2)")
    p.add_argument("--base", metavar="FILE", help="mixer to fine-tune (default: the shipped models/mixer.onnx)")
    p.add_argument("--revert", action="store_true", help="delete your fine-tuned mixer; use the shipped one again")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.revert:
        if args.annotations is not None:
            raise TrainMixerUsageError("--revert and --annotations cannot be combined")
        from jazzremix_gui.training.mixer_finetune import revert

        removed = revert(args.out)
        where = Path(args.out) if args.out else paths.user_mixer_path()
        if removed:
            names = ", ".join(p.name for p in removed)
            used = f"; using the shipped {paths.shipped_model('mixer')}" if not args.out or where.resolve() == \
                paths.user_mixer_path().resolve() else ""
            print(f"removed the fine-tuned mixer {where} ({names}){used}")
        else:
            print(f"no fine-tuned mixer at {where}" + ("" if args.out else "; the shipped one is in use"))
        return 0
    if args.minutes is not None and not args.minutes > 0:
        raise TrainMixerUsageError(f"--minutes must be above 0, got {args.minutes:g}")
    if not 0 < args.annotation_weight < float("inf"):
        raise TrainMixerUsageError(f"--annotation-weight must be above 0, got {args.annotation_weight:g}")
    if args.annotations is not None:
        return _finetune(args)
    if not args.train or not args.val:
        raise TrainMixerUsageError("train-mixer needs --train DIR and --val DIR (or --annotations FILE, or --revert)")
    if args.instrument_weight < 0 or (args.instrument_weight and args.arch != "gauss-mix"):
        raise TrainMixerUsageError(f"--instrument-weight must be 0 or more, and above 0 only with --arch gauss-mix "
                                   f"(got {args.instrument_weight:g} with {args.arch})")
    if args.select_every < 0:
        raise TrainMixerUsageError(f"--select-every must be 0 or more steps, got {args.select_every}")
    if args.members < 1 or (args.members > 1 and args.arch == "seed"):
        raise TrainMixerUsageError(f"--members must be at least 1, and above 1 only with --arch gauss or gauss-mix "
                                   f"(got {args.members} with {args.arch})")
    for d in [*args.train.split(","), args.val]:  # --train may list several folders, comma-separated
        if not Path(d).is_dir():
            raise JazzRemixError(f"{d}: dataset folder not found")
    from jazzremix_gui.training.train_mixer import MixerConfig, train

    cfg = MixerConfig(arch=args.arch, train_dir=args.train, val_dir=args.val, out=args.out or str(paths.shipped_model("mixer")),
                      minutes=4.0 if args.minutes is None else args.minutes, baseline_minutes=args.baseline_minutes,
                      seed=args.seed, max_steps=args.max_steps, stems=args.stems, separator=args.separator or "",
                      hidden=args.hidden, feature_noise=args.feature_noise, version=args.version,
                      members=args.members, select_every=args.select_every,
                      instrument_weight=args.instrument_weight,
                      accompaniment=args.accompaniment,
                      checkpoint_dir=args.checkpoint_dir or "checkpoints/mixer")
    card = train(cfg)
    fig = card["validation"]
    print(f"wrote {cfg.out} ({card['size_bytes'] / 1e6:.1f} MB)")
    for name in ("mixer", "trivial_baseline", "seed_style_mixer"):
        if name in fig:
            t = fig[name]["tracks"]
            print(f"  {name}: track exact {t['exact_accuracy']:.2f}, within one cell "
                  f"{t['within_one_cell_accuracy']:.2f}, pan error {t['pan_error_deg']:.1f} deg, "
                  f"gain error {t['gain_error_db']:.1f} dB")
    return 0


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"jazzremix: warning: {message}", file=sys.stderr)


def _finetune(args) -> int:
    import warnings

    from jazzremix_gui.cli.progress import progress_bar
    from jazzremix_gui.training.mixer_finetune import finetune

    warnings.showwarning = _print_warning  # skipped annotation lines: one warning line each, never fatal

    file = Path(args.annotations) if args.annotations else paths.annotations_path()
    if args.train:
        raise TrainMixerUsageError("--train is not used with --annotations: fine-tuning keeps the shipped mixer's "
                                   "own suggestions as its prior")
    with progress_bar(f"fine-tuning on {file.name}") as progress:
        card = finetune(file, base_onnx=args.base, out=args.out, minutes=args.minutes, seed=args.seed,
                        annotation_weight=args.annotation_weight, progress=progress)
    t = card["training"]
    steps = f"{t['steps']} steps" if not t["stopped_by_time_limit"] else \
        f"{t['steps']} of {t['steps_asked']} steps (stopped by --minutes {args.minutes:g})"
    print(f"fine-tuned on {t['annotations_used']} annotations ({t['annotation_frames']} frames, "
          f"{t['annotation_lines_skipped']} lines skipped; taste offsets {t['taste_offsets']['pan_deg']:+.1f} deg, "
          f"{t['taste_offsets']['gain_db']:+.1f} dB): {steps} in {t['cpu_time_s']:.1f} s CPU")
    out = Path(args.out or paths.user_mixer_path())
    used = "the app and the CLI now use it ('jazzremix train-mixer --revert' goes back to the shipped one)" \
        if out.resolve() == paths.user_mixer_path().resolve() else \
        f"the app and the CLI use only {paths.user_mixer_path()}; give this one to a command with --mixer"
    print(f"wrote your mixer {card['file']} in {out.parent} (version {card['metadata']['jazzremix.version']}); {used}")
    return 0
