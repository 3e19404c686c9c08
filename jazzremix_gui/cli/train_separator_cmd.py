"""``jazzremix train-separator``: train a separator (training extra: PyTorch) and export it to ONNX."""

from __future__ import annotations

from pathlib import Path

from jazzremix_gui.cli.common import UsageError


def register(sub) -> None:
    p = sub.add_parser("train-separator", help="train a separator on a synthesised dataset (needs the train extra)")
    p.add_argument("--arch", choices=["mask", "seed", "band"], default="mask",
                   help="mask: the default model; seed: the paper's; band: band-split (issue #21's experiment q)")
    p.add_argument("--train", nargs="+", default=["data/train"], metavar="DIR",
                   help="training dataset folder(s) (several, or comma-separated)")
    p.add_argument("--val", nargs="+", default=["data/val"], metavar="DIR",
                   help="validation folder(s); the first is checked during training, all are on the card")
    p.add_argument("--out", default=None, metavar="FILE", help="ONNX file to write (default models/separator.onnx "
                   "for mask, checkpoints/separator-seed.onnx for seed)")
    p.add_argument("--checkpoints", default=None, metavar="DIR", help="checkpoint folder (resumes from it)")
    p.add_argument("--minutes", type=float, default=55.0,
                   help="training time budget (wall-clock minutes; time stopped with SIGSTOP is not counted)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--frames", type=int, default=64, help="frames per training window")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--width", type=int, default=None, help="bottleneck width of the mask architecture "
                   "(band: features per band, default 32)")
    p.add_argument("--bands", type=int, default=32, help="bands of the band architecture")
    p.add_argument("--dilations", default="1,2,4,8,1,2", metavar="D,D,...",
                   help="dilations of the mask (or band) architecture's temporal convolutions")
    p.add_argument("--both-stems", type=float, default=0.0, metavar="W",
                   help="weight of the accompaniment term of the loss (0: solo magnitude only)")
    p.add_argument("--init", default=None, metavar="PATH",
                   help="warm start from weights: models/separator.pt, a checkpoint, or an ONNX separator "
                        "(weights recovered from it); ignored when the checkpoint folder already holds a run")
    p.add_argument("--init-optimizer", choices=["fresh", "restore"], default="fresh",
                   help="with --init: a fresh Adam, or the optimiser state saved in the checkpoint given")
    p.add_argument("--warmup", type=int, default=200, metavar="STEPS",
                   help="linear learning-rate warm-up of a fresh optimiser, in steps (default 200)")
    p.add_argument("--wiener-alpha", type=float, default=1.3, metavar="A",
                   help="generalised Wiener power written into the model (default 1.3, the paper's; "
                        "scripts/tune_wiener.py tunes it on validation)")
    p.add_argument("--pan-aware", default="", metavar="SIGMA,FLOOR[,STEER]",
                   help="write the pan-aware Wiener step (core/signal/spatial.py) into the model, so every command, "
                        "the app and the card's evaluations use it (e.g. 20,0.2, or 15,0.1,1 with the network's "
                        "input steered toward the solo; default: the plain step)")
    p.add_argument("--pan-loss", type=float, default=0.0, metavar="W",
                   help="with --pan-aware: add the error of the stems that step makes (complex, solo and "
                        "accompaniment; training/pan_aware_loss.py), weighted W, to the magnitude loss (default 0)")
    p.add_argument("--steer-train", type=float, default=0.0, metavar="P",
                   help="share 0..1 of examples whose input, solo and accompaniment are the channels weighted "
                        "toward the solo (what the pan-aware step's STEER gives the network) instead of the mid; "
                        "reads the stems' channels (default 0)")
    p.add_argument("--steer-astray", type=float, default=0.0, metavar="Q",
                   help="with --steer-train: share 0..1 of the steered examples steered at a uniformly drawn "
                        "direction instead of the solo's, so that the network finds the solo wherever it is "
                        "steered (default 0)")
    p.add_argument("--version", default=None, metavar="NAME", help="model version written in the metadata")
    p.add_argument("--remix", type=float, default=0.0, metavar="P",
                   help="share of examples that remix the solo and accompaniment of different tracks")
    p.add_argument("--timbre", type=float, default=0.0, metavar="P",
                   help="timbre augmentation: probability that each stem of an example gets a random spectral "
                        "envelope (tilt and formant-like resonances) before mixing (default 0: off)")
    p.add_argument("--timbre-scale", type=float, default=1.5, metavar="X",
                   help="range of those envelopes relative to the synthesiser's per-part colour (default 1.5)")
    p.add_argument("--resample", type=float, default=0.0, metavar="SEMITONES",
                   help="resampling augmentation: play each stem excerpt faster or slower by up to this many "
                        "semitones (pitch and formants move together; default 0: off)")
    p.add_argument("--pitch", type=float, default=0.0, metavar="W",
                   help="pitch-informed training: a head on the bottleneck learns the solo's pitch class per frame "
                        "(YIN on the clean solo), its cross-entropy weighted W beside the magnitude loss; the head "
                        "is not exported (default 0: none)")
    p.add_argument("--extend-dilations", default="", metavar="D,D,...",
                   help="with --init (mask): append temporal blocks of these dilations, starting as the "
                        "identity, for a longer temporal context")
    p.add_argument("--gate", action="store_true",
                   help="(mask) the mask's logits add the normalised input gated bin by bin by a second map of the "
                        "decoder's features, so a bin's logit can follow its own level; with --init it starts at "
                        "zero (the same outputs)")
    p.add_argument("--comb", action="store_true",
                   help="(mask) the mask's logits add a learned scale (per bin) times the harmonic comb of the solo's "
                        "pitch as a pitch head reads it (part of the exported model; train it with --pitch W); with "
                        "--init it starts at zero (the same outputs)")
    p.add_argument("--loss-power", type=float, default=1.0, metavar="P",
                   help="raise the magnitudes in the loss to P before their squared error (0 < P <= 1; below 1 a "
                        "quiet bin's error weighs more; default 1: the plain magnitudes)")
    p.add_argument("--phase-sensitive", action="store_true",
                   help="train toward phase-sensitive targets: the solo's magnitude projected on the mixture's "
                        "phase (clipped to 0..|X|), the accompaniment the rest, so the mask minimises the complex "
                        "error that SDR counts (default: the stems' magnitudes)")
    p.add_argument("--average-last", type=float, default=0.0, metavar="MINUTES",
                   help="export the mean of the weights checkpointed in the budget's last MINUTES and the final "
                        "ones (stochastic weight averaging; the copies are kept in the checkpoint folder as "
                        "average-<step>.pt; default 0: the final weights)")
    p.add_argument("--precision", choices=("fp32", "bf16", "auto"), default="fp32",
                   help="arithmetic of a step's forward pass: fp32, bf16 (bfloat16 under autocast: about twice as "
                        "fast where the CPU has it natively, emulated and slower elsewhere) or auto (bf16 where "
                        "native, fp32 elsewhere; training/precision.py); weights and optimiser stay float32 "
                        "(default fp32)")
    p.add_argument("--compile", action="store_true",
                   help="run a step's forward pass and loss through torch.compile (TorchInductor: the model's part "
                        "of a step about 1.2x faster on one thread, the whole run less, the sampler being the other "
                        "half; needs a C++ compiler, else the steps run eager and the log says why; the first step "
                        "compiles for about 15 s; training/compiled.py)")
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--half", action="store_true", help="store weights as float16")
    p.add_argument("--card", default=None, metavar="FILE", help="model card path (default: beside the model; "
                   "models/separator-seed.json for the seed architecture, whose weights are not shipped)")
    p.set_defaults(func=run)


def run(args) -> int:
    from jazzremix_gui.core.errors import JazzRemixError  # light: the options are checked before torch loads

    _check_numbers(args)
    if not 0.0 <= args.steer_train <= 1.0:
        raise UsageError(f"--steer-train {args.steer_train:g}: a share between 0 and 1")
    if not 0.0 <= args.steer_astray <= 1.0:
        raise UsageError(f"--steer-astray {args.steer_astray:g}: a share between 0 and 1")
    if args.steer_astray and not args.steer_train:
        raise UsageError("--steer-astray is a share of the steered examples: give --steer-train P too")
    if args.steer_train and args.pan_loss:
        raise UsageError("--steer-train and --pan-loss exclude each other (the loss through the step hears the mid)")
    if args.gate and args.arch != "mask":
        raise UsageError("--gate: only the mask architecture has mask logits to gate")
    if not 0 < args.loss_power <= 1:
        raise UsageError(f"--loss-power {args.loss_power:g}: a power above 0 and at most 1")
    if args.comb and args.arch != "mask":
        raise UsageError("--comb: only the mask architecture has mask logits for a harmonic comb")
    if args.pan_loss < 0:
        raise UsageError(f"--pan-loss {args.pan_loss:g}: a weight of 0 or more")
    if args.pan_loss and not args.pan_aware:
        raise UsageError("--pan-loss trains through the pan-aware Wiener step: give --pan-aware SIGMA,FLOOR too")
    if args.pan_aware:
        from jazzremix_gui.core.signal.spatial import PanAware

        try:
            settings = PanAware.parse(args.pan_aware)
        except ValueError as exc:
            raise UsageError(f"--pan-aware: {exc}") from None
        if settings.steer and args.pan_loss:
            raise UsageError("--pan-loss trains through the step with the network hearing the mid: give "
                                 "--pan-aware SIGMA,FLOOR without STEER")
        args.pan_aware = settings.to_text()
    try:
        from jazzremix_gui.training.train_separator import SeparatorConfig, train
    except ImportError as exc:
        raise JazzRemixError(f"training needs the train extra (pip install '.[train]'): {exc}") from None
    out = args.out or ("models/separator.onnx" if args.arch == "mask" else f"checkpoints/separator-{args.arch}.onnx")
    from jazzremix_gui.core.files import model_files

    # --init is read at the start: continuing a model in place (--out X.onnx --init X.pt) is how a stage ships
    problem = model_files.write_problem(out, "separator")
    card_file = Path(args.card) if args.card else None
    if problem is None and card_file is not None and card_file.exists() and \
            (model_files.read_card(card_file) or {}).get("kind") != "separator":
        problem = f"--card {card_file} exists and is not a separator's card; nothing is replaced"
    if problem:
        raise UsageError(problem)
    width = 32 if args.arch == "band" and args.width is None else (256 if args.width is None else args.width)
    cfg = SeparatorConfig(arch=args.arch, train_dir=",".join(args.train), val_dir=",".join(args.val), out=out,
                          checkpoint_dir=args.checkpoints or f"checkpoints/separator-{args.arch}", minutes=args.minutes,
                          seed=args.seed, threads=args.threads, batch=args.batch, frames=args.frames,
                          lr=args.lr if args.lr is not None else (1e-4 if args.arch == "seed" else 1e-3),
                          max_steps=args.max_steps,
                          half=args.half, width=width, bands=args.bands, remix=args.remix, dilations=args.dilations,
                          both_stems=args.both_stems, init=args.init or "", init_optimizer=args.init_optimizer,
                          version=args.version or "", warmup_steps=args.warmup,
                          wiener_alpha=args.wiener_alpha, pan_aware=args.pan_aware, timbre=args.timbre, timbre_scale=args.timbre_scale,
                          resample=args.resample, pitch=args.pitch,
                          extend_dilations=args.extend_dilations, gate=args.gate, comb=args.comb, loss_power=args.loss_power, phase_sensitive=args.phase_sensitive,
                          average_last=args.average_last, pan_loss=args.pan_loss,
                          steer_train=args.steer_train, steer_astray=args.steer_astray, precision=args.precision,
                          compile=args.compile,
                          card=args.card or ("models/separator-seed.json" if args.arch == "seed" else ""))
    card = train(cfg)
    med = card["validation"]["median_sdr_db"]
    print(f"{out}: median solo SDR {med['solo']:.2f} dB (oracle {med['oracle_solo']:.2f}), "
          f"accompaniment {med['accompaniment']:.2f} dB (oracle {med['oracle_accompaniment']:.2f})")
    return 0


def _check_numbers(args) -> None:
    """Option values training cannot take, refused before any data is read (exit 2)."""
    import math

    def positive(name: str, value, whole: bool = False) -> None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UsageError(f"--{name} {value:g}: a{' whole' if whole else ''} number above 0")

    for name in ("minutes", "wiener-alpha", "timbre-scale"):
        positive(name, getattr(args, name.replace("-", "_"), None))
    if args.lr is not None and not (math.isfinite(args.lr) and args.lr >= 0):
        raise UsageError(f"--lr {args.lr:g}: a number 0 or above (0: the --init weights exported as they are)")
    for name in ("threads", "batch", "frames", "width", "bands"):
        positive(name, getattr(args, name.replace("-", "_"), None), whole=True)
    for name in ("max-steps", "warmup", "average-last", "both-stems", "remix", "timbre", "resample", "pitch"):
        value = getattr(args, name.replace("-", "_"), None)
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise UsageError(f"--{name} {value:g}: 0 or more")
    try:
        dilations = [int(d) for d in str(args.dilations).split(",") if d.strip()]
    except ValueError:
        dilations = []
    if not dilations or min(dilations) < 1:
        raise UsageError(f"--dilations {args.dilations}: whole numbers of 1 or more, separated by commas")
